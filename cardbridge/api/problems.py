"""Errors as RFC 9457 problem+json.

Every answer that is not a success is ``{"type", "title", "status", "detail", "code",
...details}`` with media type ``application/problem+json``. ``code`` is stable;
``detail`` tells a clinician what to do, and it and ``title`` are in the language the
request's ``Accept-Language`` prefers (French unless English is asked for).
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

from cardbridge.errors import (
    ApiTokenError,
    CardBridgeError,
    HostForbiddenError,
    OriginNotConfiguredError,
    PayloadTooLargeError,
    errors_by_code,
)
from cardbridge.errors.http_status import FRAMEWORK_CODES, FRAMEWORK_DEFAULT_CODE, status_of
from cardbridge.messages import DEFAULT_LANGUAGE, Language, Text, language_of_header
from cardbridge.messages.errors import ERROR_TEXTS, FIELD_DETAIL, TITLES, UNKNOWN_TITLE
from cardbridge.messages.validation import validation_text

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(examples=["urn:cardbridge:problem:pin_invalid"])
    title: str = Field(examples=[TITLES[401].fr])
    status: int = Field(examples=[401])
    detail: str = Field(examples=[ERROR_TEXTS["pin_invalid_tries"].format(tries_left=2).fr])
    code: str = Field(examples=["pin_invalid"])

    model_config = {"extra": "allow"}


def language_of_request(request: Request) -> Language:
    """The language of the answer to ``request`` (its ``Accept-Language``)."""
    return language_of_header(request.headers.get("accept-language"))


def problem_body(
    code: str,
    detail: Text | str,
    status: int | None = None,
    extra: Mapping[str, Any] | None = None,
    language: Language = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    """The problem document of ``code`` in ``language`` (``None`` extras are left out)."""
    status = status or status_of(code)
    return {
        "type": f"urn:cardbridge:problem:{code}",
        "title": TITLES.get(status, UNKNOWN_TITLE).in_(language),
        "status": status,
        "detail": detail.in_(language) if isinstance(detail, Text) else detail,
        "code": code,
        **{key: value for key, value in (extra or {}).items() if value is not None},
    }


def problem_response(
    code: str,
    detail: Text | str,
    *,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
    language: Language = DEFAULT_LANGUAGE,
) -> JSONResponse:
    """A problem+json response for ``code``, in ``language``."""
    body = problem_body(code, detail, status, extra, language)
    return JSONResponse(
        body, status_code=body["status"], media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def problem_from_error(
    error: CardBridgeError, language: Language = DEFAULT_LANGUAGE
) -> JSONResponse:
    """The problem+json response of ``error``, in ``language``."""
    return problem_response(
        error.code,
        error.text,
        extra=error.details(),
        headers=error.headers() or None,
        language=language,
    )


PROBLEM_SCHEMA_REF = "#/components/schemas/Problem"

# What the middleware and the framework answer, for the examples of the OpenAPI document
# (in French, the default language).
_FIXED_DETAILS: dict[str, Text] = {
    "host_forbidden": HostForbiddenError(8470).text,
    "origin_forbidden": OriginNotConfiguredError().text,
    "unauthorized": ApiTokenError(
        ERROR_TEXTS["api_token_file"].format(path="~/.config/cardbridge/api-token")
    ).text,
    "payload_too_large": PayloadTooLargeError(64 * 1024).text,
    "invalid_request": validation_text("missing").inside(FIELD_DETAIL, field="pin"),
    "pin_invalid": ERROR_TEXTS["pin_invalid_tries"].format(tries_left=2),
    "puk_invalid": ERROR_TEXTS["puk_invalid_tries"].format(tries_left=2),
    "pin_retry_later": ERROR_TEXTS["pin_retry_later_wait"].format(retry_after=2),
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
    "invalid_request": {
        "field": "pin",
        "errors": [{"field": "pin", "message": validation_text("missing").fr}],
    },
}


def _default_details() -> dict[str, Text]:
    """The text of each error code, from the exception classes."""
    return {code: cls.default_text() for code, cls in errors_by_code().items()}


def error_responses(*codes: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error codes a route may answer, one example each."""
    details = {**_default_details(), **_FIXED_DETAILS}
    by_status: dict[int, list[str]] = {}
    for code in dict.fromkeys(codes):
        by_status.setdefault(status_of(code), []).append(code)
    return {
        status: {
            "description": "Problem codes: " + ", ".join(f"`{c}`" for c in sorted(found)),
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {"$ref": PROBLEM_SCHEMA_REF},
                    "examples": {
                        code: {
                            "value": problem_body(
                                code,
                                details.get(code) or ERROR_TEXTS.get(code, UNKNOWN_TITLE),
                                status,
                                _EXAMPLE_EXTRAS.get(code),
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
        if status_of(error.code) >= 500:
            log.warning("%s %s failed: %s", request.method, request.url.path, error.code)
        return problem_from_error(error, language_of_request(request))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        language = language_of_request(request)
        texts = [
            (
                ".".join(str(part) for part in e["loc"] if part not in ("body", "query")),
                validation_text(e["type"], e.get("ctx"), e["msg"]),
            )
            for e in error.errors()
        ]
        problems = [{"field": field, "message": text.in_(language)} for field, text in texts]
        field, text = texts[0] if texts else ("", ERROR_TEXTS["invalid_request"])
        return problem_response(
            "invalid_request",
            text.inside(FIELD_DETAIL, field=field) if field else text,
            extra={"errors": problems, "field": field},
            language=language,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        language = language_of_request(request)
        limit = getattr(error, "limit", None)  # a body over its cap (api.security)
        if limit is not None:
            return problem_from_error(limit.error(), language)
        code = FRAMEWORK_CODES.get(error.status_code, FRAMEWORK_DEFAULT_CODE)
        # The status is the code's (a body that is not JSON is invalid_request, 422, too).
        detail = ERROR_TEXTS.get(code) if code != FRAMEWORK_DEFAULT_CODE else None
        return problem_response(
            code,
            detail or str(error.detail),
            headers=getattr(error, "headers", None),
            language=language,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.error(
            "%s %s failed unexpectedly: %s", request.method, request.url.path, type(error).__name__
        )
        return problem_response(
            "internal_error", ERROR_TEXTS["internal_error"], language=language_of_request(request)
        )
