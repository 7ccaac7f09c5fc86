"""Errors of token creation and verification: one type per failed check.

Integrators match on the class or on the stable ``code``; messages say what failed
without echoing token contents.
"""

from __future__ import annotations

from cardbridge.errors import CardBridgeError


class AuthError(CardBridgeError):
    """Base of authentication failures."""

    code = "unauthorized"
    default_message = "Authentication failed."


class OriginInvalidError(AuthError):
    code = "origin_invalid"
    default_message = "The origin must look like https://host[:port], with no path."


class NonceInvalidError(AuthError):
    """Unknown, expired or already used nonce."""

    code = "nonce_invalid"
    default_message = "The challenge is unknown, expired or already used: ask for a new one."


class OriginForbiddenError(AuthError):
    """A web origin that may not use the local API, or not for what it asked."""

    code = "origin_forbidden"
    default_message = "This web site is not allowed to use the card bridge."


class OriginNotConfiguredError(OriginForbiddenError):
    """A web origin the bridge's configuration does not name."""

    default_message = (
        "This web site is not allowed to use the card bridge. Ask your administrator to add "
        "it to allowed_origins."
    )


class SeveralOriginsError(OriginForbiddenError):
    default_message = "A request has one Origin header, not several."


class HostForbiddenError(AuthError):
    """A request for another host name than the bridge's loopback ones (DNS rebinding)."""

    code = "host_forbidden"
    default_message = "This address is not the local card bridge."

    def __init__(self, port: int | None = None) -> None:
        super().__init__(
            f"{self.default_message} Use http://127.0.0.1:{port}." if port is not None else None
        )


class ApiTokenError(AuthError):
    """A native client without the local API token, or with a wrong one."""

    code = "unauthorized"
    default_message = "Missing or wrong local API token."

    def __init__(self, token_source: str | None = None) -> None:
        super().__init__(
            f"Missing or wrong local API token: send 'Authorization: Bearer <token>' (the "
            f"token is {token_source})."
            if token_source
            else None
        )

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="cardbridge"'}


class OriginMismatchError(AuthError):
    code = "origin_mismatch"
    default_message = "The token was made for another web site than this one."


class TokenMalformedError(AuthError):
    code = "token_malformed"
    default_message = "The authentication token is not a valid Web eID token."


class UnsupportedFormatError(AuthError):
    code = "token_format_unsupported"
    default_message = "The token format is not supported (expected web-eid:1.0)."


class UnsupportedAlgorithmError(AuthError):
    code = "token_algorithm_unsupported"
    default_message = "The token's signature algorithm is not allowed."


class CertificateNotYetValidError(AuthError):
    code = "certificate_not_yet_valid"
    default_message = "The card's certificate is not valid yet (check the computer's clock)."


class CertificateExpiredError(AuthError):
    code = "certificate_expired"
    default_message = "The card's certificate has expired: the card must be renewed."


class CertificatePurposeError(AuthError):
    code = "certificate_wrong_purpose"
    default_message = "The certificate is not an authentication certificate."


class CertificatePolicyError(AuthError):
    """The certificate carries none of the certificate policies the verifier requires."""

    code = "certificate_policy_refused"
    default_message = (
        "The card's certificate was not issued under a certificate policy this site accepts."
    )


class CertificateUntrustedError(AuthError):
    code = "certificate_untrusted"
    default_message = "The card's certificate is not issued by a trusted authority."


class CertificateRevokedError(AuthError):
    code = "certificate_revoked"
    default_message = "The card's certificate is revoked."


class CertificateStatusUnknownError(AuthError):
    """The OCSP responder answered "unknown": its CA does not know this certificate."""

    code = "certificate_status_unknown"
    default_message = "The certificate's authority does not know this certificate (OCSP)."


class OcspError(AuthError):
    """No usable OCSP answer: responder down, or a response that cannot be trusted."""

    code = "ocsp_unavailable"
    default_message = "The certificate status could not be checked (OCSP)."


class SignatureInvalidError(AuthError):
    code = "signature_invalid"
    default_message = "The token's signature does not match."
