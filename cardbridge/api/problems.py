"""Errors as RFC 9457 problem+json, with the HTTP status of every ``code`` in one place.

Every answer that is not a success is ``{"type", "title", "status", "detail", "code",
...details}`` with media type ``application/problem+json``. ``code`` is stable;
``detail`` tells a clinician what to do.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from cardbridge.auth.errors import ApiTokenError, HostForbiddenError, OriginNotConfiguredError
from cardbridge.errors import CardBridgeError, PayloadTooLargeError, errors_by_code

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

# The HTTP status of each error code (tests/unit/test_error_codes.py: every error class's
# code is here).
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

TITLES: dict[int, str] = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid request",
    423: "Locked",
    429: "Too many requests",
    500: "Internal error",
    502: "Card error",
    503: "Service unavailable",
}


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(examples=["urn:cardbridge:problem:pin_invalid"])
    title: str = Field(examples=["Unauthorized"])
    status: int = Field(examples=[401])
    detail: str = Field(examples=["Wrong PIN. 2 tries left."])
    code: str = Field(examples=["pin_invalid"])

    model_config = {"extra": "allow"}


def status_for(code: str) -> int:
    return STATUS_BY_CODE.get(code, 500)


def problem_body(
    code: str, detail: str, status: int | None = None, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The problem document of ``code`` (``None`` extras are left out)."""
    status = status or status_for(code)
    return {
        "type": f"urn:cardbridge:problem:{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        **{key: value for key, value in (extra or {}).items() if value is not None},
    }


def problem_response(
    code: str,
    detail: str,
    *,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response for ``code``."""
    body = problem_body(code, detail, status, **extra)
    return JSONResponse(
        body, status_code=body["status"], media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def problem_from_error(error: CardBridgeError) -> JSONResponse:
    return problem_response(
        error.code, error.message, extra=error.details(), headers=error.headers() or None
    )


PROBLEM_SCHEMA_REF = "#/components/schemas/Problem"

# What the middleware and the framework answer, for the examples of the OpenAPI document.
_FIXED_DETAILS = {
    "host_forbidden": HostForbiddenError(8470).message,
    "origin_forbidden": OriginNotConfiguredError().message,
    "unauthorized": ApiTokenError("in ~/.config/cardbridge/api-token").message,
    "payload_too_large": PayloadTooLargeError(64 * 1024).message,
    "invalid_request": "pin: Field required",
    "pin_invalid": "Wrong PIN. 2 tries left.",
    "puk_invalid": "Wrong PUK (unblocking code). 2 tries left before the card is "
    "permanently blocked.",
    "confirmation_required": "This is the PIN's last try: a wrong PIN blocks the card. Check "
    "the PIN, then confirm (confirm_last_try).",
    "pin_retry_later": "A wrong code was just entered on this card: wait 2 s before trying again.",
}
_EXAMPLE_EXTRAS: dict[str, dict[str, Any]] = {
    "pin_invalid": {"tries_left": 2},
    "puk_invalid": {"tries_left": 2},
    "pin_blocked": {"tries_left": 0},
    "confirmation_required": {"tries_left": 1},
    "pin_retry_later": {"retry_after": 2},
    "approval_required": {
        "approval_id": "3f1c9a0e6b2d4c58",
        "approval_url": "http://127.0.0.1:8470/approve?request=3f1c9a0e6b2d4c58",
    },
    "invalid_request": {"field": "pin", "errors": [{"field": "pin", "message": "Field required"}]},
}


def _default_details() -> dict[str, str]:
    """The default message of each error code, from the exception classes."""
    return {code: cls.default_message for code, cls in errors_by_code().items()}


def error_responses(*codes: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error codes a route may answer, one example each."""
    details = {**_default_details(), **_FIXED_DETAILS}
    by_status: dict[int, list[str]] = {}
    for code in dict.fromkeys(codes):
        by_status.setdefault(status_for(code), []).append(code)
    return {
        status: {
            "description": "Problem codes: " + ", ".join(f"`{c}`" for c in sorted(found)),
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {"$ref": PROBLEM_SCHEMA_REF},
                    "examples": {
                        code: {
                            "value": problem_body(
                                code, details.get(code, code), status, _EXAMPLE_EXTRAS.get(code)
                            )
                        }
                        for code in sorted(found)
                    },
                }
            },
        }
        for status, found in sorted(by_status.items())
    }


def problem_schema() -> dict[str, Any]:
    """The JSON schema of :class:`Problem`, for the OpenAPI document's components."""
    return Problem.model_json_schema(ref_template="#/components/schemas/{model}")


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""

    @app.exception_handler(CardBridgeError)
    async def _cardbridge_error(request: Request, error: CardBridgeError) -> JSONResponse:
        if status_for(error.code) >= 500:
            log.warning("%s %s failed: %s", request.method, request.url.path, error.code)
        return problem_from_error(error)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "field": ".".join(str(part) for part in e["loc"] if part not in ("body", "query")),
                # A validator's own words, without pydantic's "Value error, " before them.
                "message": str(e.get("ctx", {}).get("error", e["msg"]))
                if e["type"] == "value_error"
                else e["msg"],
            }
            for e in error.errors()
        ]
        first = problems[0] if problems else {"field": "", "message": "invalid request"}
        detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        return problem_response(
            "invalid_request", detail, extra={"errors": problems, "field": first["field"]}
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {
            404: "not_found",
            405: "method_not_allowed",
            413: "payload_too_large",
            415: "unsupported_media_type",
        }.get(error.status_code, "invalid_request")
        # The status is the code's (a body that is not JSON is invalid_request, 422, too).
        return problem_response(code, str(error.detail), headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.error(
            "%s %s failed unexpectedly: %s", request.method, request.url.path, type(error).__name__
        )
        return problem_response(
            "internal_error",
            "cardbridge failed unexpectedly. Retry; if it happens again, "
            "run `cardbridge doctor` and contact support.",
        )
