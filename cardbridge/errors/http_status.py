"""The HTTP status of every error code, in one place.

A class of :mod:`cardbridge.errors` answers with the status of its ``code``; so do the
answers the web framework makes itself (an unknown path, a method a route does not take…),
with the codes of :data:`FRAMEWORK_CODES`. ``tests/errors/test_error_codes.py`` checks that
every class's code has its status here, and that every code here is some class's or the
framework's (no dead entry).
"""

from __future__ import annotations

# The code of each HTTP error the web framework answers by itself (not from a cardbridge
# exception); any other such status is ``invalid_request`` (a body that is not JSON…).
FRAMEWORK_CODES: dict[int, str] = {
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}
FRAMEWORK_DEFAULT_CODE = "invalid_request"

# The HTTP status of each error code.
STATUS_BY_CODE: dict[str, int] = {
    # Ours: a failure of the bridge or of its configuration.
    "internal_error": 500,
    "config_invalid": 500,
    "service_error": 500,
    "pin_error": 500,
    "unexpected_answer": 500,
    "invalid_request": 422,
    "profile_invalid": 422,
    "origin_invalid": 422,
    "unauthorized": 401,
    "pin_invalid": 401,
    "pin_required": 403,
    "pairing_required": 401,
    "origin_not_approved": 403,
    "caller_forbidden": 403,
    "approval_required": 403,
    "confirmation_required": 409,
    "pin_retry_later": 429,
    "consent_required": 403,
    "host_forbidden": 403,
    "origin_forbidden": 403,
    "user_forbidden": 403,
    "not_found": 404,
    "reader_not_found": 404,
    "card_absent": 404,
    "method_not_allowed": 405,
    "wrong_card_type": 409,
    "card_removed": 409,
    "card_busy": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "pin_blocked": 423,
    "dmp_refused": 422,
    "dmp_unavailable": 503,
    "dmp_server_untrusted": 502,
    "dmp_answer_invalid": 502,
    "dmp_error": 502,
    "dmp_access_required": 409,
    "puk_invalid": 401,
    "puk_blocked": 423,
    # A malformed nonce given to sign (a verification's unknown nonce is a verdict, 200).
    "nonce_invalid": 422,
    "origin_mismatch": 401,
    "token_malformed": 401,
    "token_format_unsupported": 401,
    "token_algorithm_unsupported": 401,
    "certificate_not_yet_valid": 401,
    "certificate_expired": 401,
    "certificate_wrong_purpose": 401,
    "certificate_policy_refused": 401,
    "certificate_untrusted": 401,
    "certificate_revoked": 401,
    "certificate_status_unknown": 401,
    "signature_invalid": 401,
    "card_error": 502,
    "card_data_invalid": 502,
    "card_communication_error": 502,
    "pcsc_error": 502,
    "ocsp_unavailable": 502,
    "pcsc_unavailable": 503,
    "pcsc_access_denied": 503,
    "too_many_connections": 503,
    # The journal is on this workstation, but DMP access waits until it works again.
    "journal_error": 503,
}


def status_of(code: str) -> int:
    """The HTTP status of the answers of ``code`` (500 for a code the table lacks)."""
    return STATUS_BY_CODE.get(code, 500)
