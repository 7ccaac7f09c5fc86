"""Errors of token creation and verification, and of the local API's callers: one type
per failed check.

Integrators match on the class or on the stable ``code``; messages say what failed
without echoing token contents.
"""

from __future__ import annotations

from cardbridge.errors.base import CardBridgeError
from cardbridge.messages import Text


class AuthError(CardBridgeError):
    """Base of authentication failures."""

    code = "unauthorized"


class OriginInvalidError(AuthError):
    code = "origin_invalid"


class NonceInvalidError(AuthError):
    """Unknown, expired or already used nonce."""

    code = "nonce_invalid"


class OriginForbiddenError(AuthError):
    """A web origin that may not use the local API, or not for what it asked."""

    code = "origin_forbidden"


class OriginNotConfiguredError(OriginForbiddenError):
    """A web origin the bridge's configuration does not name."""

    message_key = "origin_not_configured"


class SeveralOriginsError(OriginForbiddenError):
    message_key = "several_origins"


class HostForbiddenError(AuthError):
    """A request for another host name than the bridge's loopback ones (DNS rebinding)."""

    code = "host_forbidden"

    def __init__(self, port: int | None = None) -> None:
        super().__init__(
            self.text_of("host_forbidden_port", port=port) if port is not None else None
        )


class ApiTokenError(AuthError):
    """A native client without the local API token, or with a wrong one."""

    code = "unauthorized"
    message_key = "api_token_missing"

    def __init__(self, token_source: Text | None = None) -> None:
        """``token_source`` says where the token is (``api_token_file``, ``api_token_env``
        of the catalogue)."""
        super().__init__(
            self.text_of("api_token", token_source=token_source) if token_source else None
        )

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="cardbridge"'}


class OriginMismatchError(AuthError):
    code = "origin_mismatch"


class TokenMalformedError(AuthError):
    code = "token_malformed"


class UnsupportedFormatError(AuthError):
    code = "token_format_unsupported"


class UnsupportedAlgorithmError(AuthError):
    code = "token_algorithm_unsupported"


class CertificateNotYetValidError(AuthError):
    code = "certificate_not_yet_valid"


class CertificateExpiredError(AuthError):
    code = "certificate_expired"


class CertificatePurposeError(AuthError):
    code = "certificate_wrong_purpose"


class CertificatePolicyError(AuthError):
    """The certificate carries none of the certificate policies the verifier requires."""

    code = "certificate_policy_refused"


class CertificateUntrustedError(AuthError):
    code = "certificate_untrusted"


class CertificateRevokedError(AuthError):
    code = "certificate_revoked"


class CertificateStatusUnknownError(AuthError):
    """The OCSP responder answered "unknown": its CA does not know this certificate."""

    code = "certificate_status_unknown"


class OcspError(AuthError):
    """No usable OCSP answer: responder down, or a response that cannot be trusted."""

    code = "ocsp_unavailable"


class SignatureInvalidError(AuthError):
    code = "signature_invalid"
