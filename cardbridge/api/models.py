"""Request and response models of the HTTP API that the card and auth models do not cover.

Secrets (PIN, PUK) are left out of every repr (so of any log line or error message)
and marked as passwords in OpenAPI; their shape comes from the card layout.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from cardbridge.auth.practitioner import TokenVerification
from cardbridge.auth.token import TOKEN_FORMAT
from cardbridge.cards.models import ReaderInfo
from cardbridge.layouts import cps
from cardbridge.messages.errors import ERROR_TEXTS
from cardbridge.service.events import EventKind

Backend = Literal["pcsc", "emulator", "pkcs11"]
ServiceState = Literal["up", "down"]
# Generous bounds: they cap work and memory, the card and the verifier check the rest.
_NONCE_MAX = 1024
_ORIGIN_MAX = 2048
_B64_MAX = 16 * 1024

_ORIGIN_EXAMPLE = "https://dmp.example.fr"
_NONCE_EXAMPLE = "q5SY8vYzWmxmJXc8zbDjd1cYqXdUFEjHHjHkLnC9YHE="
# Answers as the bridge gives them for the demo cards (demo-cps, demo-vitale), in a
# two-slot reader, so that /docs shows real-looking documents.
_TIME_EXAMPLE = "2026-01-05T09:30:00Z"
_READER_EXAMPLE = "Gemalto PC Twin Reader 00 00"
_CPS_ATR_EXAMPLE = "3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00"
_VITALE_ATR_EXAMPLE = "3B 75 13 00 00 43 09 EA 90 00"
_PRACTITIONER_EXAMPLE = {
    "national_id": "899700735741",
    "id_type": "RPPS",
    "rpps": "99700735741",
    "adeli": None,
    "last_name": "LE QUINIO",
    "first_name": "PIERRE",
    "title": "Médecin",
    "profession": {"code": "10", "label": "Médecin"},
    "structure_id": None,
    "structure_id_type": None,
    "internal_id": None,
    "certificate": {
        "serial": "64d8762147c50d2f5f4c720e6f357faeb9ab68e2",
        "expires": "2029-12-31T23:59:59Z",
        "issuer": "TEST AC IGC-SANTE ELEMENTAIRE PERSONNES",
    },
}


def with_examples(*documents: dict[str, Any]) -> ConfigDict:
    """The configuration that shows ``documents`` as the model's examples in /docs."""
    return ConfigDict(json_schema_extra={"examples": list(documents)})


class StrictModel(BaseModel):
    """An API body or answer: unknown fields refused, values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Health(StrictModel):
    """``GET /v1/health``: open, no token needed."""

    model_config = with_examples(
        {"status": "ok", "version": "0.1.0", "backend": "pcsc", "pcsc": "up"},
        {"status": "degraded", "version": "0.1.0", "backend": "pcsc", "pcsc": "down"},
    )

    status: Literal["ok", "degraded"] = Field(
        description="`degraded` while the reader service is down"
    )
    version: str = Field(examples=["0.1.0"])
    backend: Backend = Field(description="`emulator`: the built-in emulated readers")
    pcsc: ServiceState = Field(description="Whether the reader service (pcscd) is reachable")
    dmp_patient_pages: str | None = Field(
        None,
        description="The offline DMP's patient pages (`dmp_endpoint = sandbox`): "
        "`<this>/patients/<INS>` shows a patient's documents and access history; null "
        "with the national services",
        examples=["http://127.0.0.1:8472"],
    )


PIN_PATTERN = rf"^[0-9]{{{cps.PIN_MIN_LENGTH},{cps.PIN_MAX_LENGTH}}}$"
_PUK_PATTERN = rf"^[0-9]{{{cps.PUK_LENGTH}}}$"
SECRET_FIELD: dict[str, Any] = {"format": "password", "writeOnly": True}
CONFIRM_LAST_TRY: Any = Field(
    False,
    description="Send a try that could block the card: the PIN's last try, or any PUK try "
    "(otherwise 409 `confirmation_required`). Only JSON `true` counts.",
)


def _pin(description: str, example: str = "1234") -> Any:
    return Field(
        pattern=PIN_PATTERN,
        repr=False,
        description=description,
        examples=[example],
        json_schema_extra=SECRET_FIELD,
    )


class PinRequest(StrictModel):
    pin: str = _pin(f"The CPS PIN ({cps.PIN_MIN_LENGTH} to {cps.PIN_MAX_LENGTH} digits)")
    confirm_last_try: StrictBool = CONFIRM_LAST_TRY


class PinVerified(StrictModel):
    model_config = with_examples({"verified": True})

    verified: Literal[True] = True


class PinChangeRequest(StrictModel):
    old_pin: str = _pin("The current PIN")
    new_pin: str = _pin("The new PIN", "4321")
    confirm_last_try: StrictBool = CONFIRM_LAST_TRY


class PinChanged(StrictModel):
    model_config = with_examples({"changed": True})

    changed: Literal[True] = True


class PinUnblockRequest(StrictModel):
    puk: str = Field(
        pattern=_PUK_PATTERN,
        repr=False,
        description=f"The PUK (unblocking code, {cps.PUK_LENGTH} digits) sent with the card",
        examples=["12345678"],
        json_schema_extra=SECRET_FIELD,
    )
    new_pin: str = _pin("The new PIN")
    confirm_last_try: StrictBool = CONFIRM_LAST_TRY


class PinUnblocked(StrictModel):
    model_config = with_examples({"unblocked": True})

    unblocked: Literal[True] = True


class ChallengeRequest(StrictModel):
    origin: str | None = Field(
        None,
        max_length=_ORIGIN_MAX,
        description="Native clients only: the web origin the token will be for. Browsers "
        "get a challenge for their own `Origin`.",
        examples=[_ORIGIN_EXAMPLE],
    )


class Challenge(StrictModel):
    """A nonce to have signed: single use, bound to one origin."""

    model_config = with_examples({"nonce": _NONCE_EXAMPLE, "expires_at": "2026-01-05T09:35:00Z"})

    nonce: str = Field(description="32 random bytes, base64", examples=[_NONCE_EXAMPLE])
    expires_at: datetime = Field(description="When the nonce stops being accepted (UTC)")


class TokenRequest(StrictModel):
    nonce: str = Field(
        max_length=_NONCE_MAX,
        description="The relying party's nonce: base64 of at least 32 random bytes",
        examples=[_NONCE_EXAMPLE],
    )
    pin: str | None = Field(
        None,
        pattern=PIN_PATTERN,
        repr=False,
        description="The CPS PIN, needed for every login (native software and the status "
        "page; a web application never sends it: the clinician types it in the bridge's "
        "approval window)",
        examples=["1234"],
        json_schema_extra=SECRET_FIELD,
    )
    confirm_last_try: StrictBool = CONFIRM_LAST_TRY
    origin: str | None = Field(
        None,
        max_length=_ORIGIN_MAX,
        description="Native clients only, as in the challenge; browsers sign for their own "
        "`Origin`",
        examples=[_ORIGIN_EXAMPLE],
    )


class WebEidToken(BaseModel):
    """A Web eID 1.0 authentication token (what ``POST /v1/auth/token`` returns)."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "format": TOKEN_FORMAT,
                    "unverifiedCertificate": "MIIEkDCCA3igAwIBAgIUZNh2IUfFDS9fTHIObzV/rqtmjiMw"
                    "DQYJKoZIhvcNAQELBQAwVDELMAkGA1UEBhMCRlIx",
                    "algorithm": "RS256",
                    "signature": "B2R6Wnpuh3liLI7kmeKe5cBV0eGGVFM95I9KAA6pX0o2tRgq5Wc8"
                    "Lx0QF1r0Vt7m9yUeJ3HhZk4bS2aD8nP6cQ==",
                    "appVersion": "cardbridge/0.1.0",
                }
            ]
        },
    )

    format: str = Field(TOKEN_FORMAT, max_length=64, examples=[TOKEN_FORMAT])
    unverifiedCertificate: str = Field(  # noqa: N815 - the Web eID format's field names
        max_length=_B64_MAX, description="The CPS authentication certificate, base64 DER"
    )
    algorithm: str = Field(max_length=16, examples=["RS256"])
    signature: str = Field(
        max_length=_B64_MAX,
        description="base64 signature of SHA-256(origin) || SHA-256(nonce)",
    )
    appVersion: str = Field(  # noqa: N815
        "", max_length=256, examples=["cardbridge/0.1.0"]
    )


class VerifyRequest(StrictModel):
    token: WebEidToken
    nonce: str = Field(max_length=_NONCE_MAX, examples=[_NONCE_EXAMPLE])
    origin: str = Field(
        max_length=_ORIGIN_MAX,
        description="The origin of the site the token was made for",
        examples=[_ORIGIN_EXAMPLE],
    )


class TokenCheck(TokenVerification):
    """The verdict of ``POST /v1/auth/verify``; ``code`` and ``detail`` say why not valid."""

    model_config = with_examples(
        {"valid": True, "practitioner": _PRACTITIONER_EXAMPLE, "code": None, "detail": None},
        {
            "valid": False,
            "practitioner": None,
            "code": "signature_invalid",
            "detail": ERROR_TEXTS["signature_invalid"].fr,
        },
    )

    code: str | None = Field(
        None, description="The failed check, as a problem code", examples=["signature_invalid"]
    )
    detail: str | None = Field(
        None,
        description="Why not, in the language of Accept-Language (French by default)",
        examples=[ERROR_TEXTS["signature_invalid"].fr],
    )


# --- Events (GET /v1/events) ---------------------------------------------------------------


class ReaderEventData(StrictModel):
    """``data`` of the reader events; ``reader`` is null for the reader service's events."""

    model_config = with_examples(
        {
            "reader": _READER_EXAMPLE,
            "card_type": "cps",
            "atr": _CPS_ATR_EXAMPLE,
            "time": _TIME_EXAMPLE,
        },
        {"reader": _READER_EXAMPLE, "card_type": None, "atr": None, "time": _TIME_EXAMPLE},
        {"reader": None, "card_type": None, "atr": None, "time": _TIME_EXAMPLE},
    )

    reader: str | None = Field(examples=[_READER_EXAMPLE])
    card_type: Literal["cps", "vitale", "unknown"] | None = Field(
        None, description="`card_inserted` only"
    )
    atr: str | None = Field(
        None,
        description="`card_inserted` only",
        examples=[_CPS_ATR_EXAMPLE],
    )
    time: datetime


class StateData(StrictModel):
    """``data`` of the ``state`` event that starts every stream: the readers now."""

    model_config = with_examples(
        {
            "backend": "pcsc",
            "pcsc": "up",
            "readers": [
                {
                    "name": _READER_EXAMPLE,
                    "card_present": True,
                    "card_type": "cps",
                    "atr": _CPS_ATR_EXAMPLE,
                },
                {
                    "name": "Gemalto PC Twin Reader 01 00",
                    "card_present": True,
                    "card_type": "vitale",
                    "atr": _VITALE_ATR_EXAMPLE,
                },
            ],
        }
    )

    backend: Backend
    pcsc: ServiceState
    readers: list[ReaderInfo]


class HeartbeatData(StrictModel):
    """``data`` of the ``heartbeat`` event, sent when nothing else happened for a while."""

    model_config = with_examples({"time": _TIME_EXAMPLE})

    time: datetime


class StreamEvent(StrEnum):
    """Every event name of ``GET /v1/events``, in the order the documentation lists them:
    ``state`` first, the reader events (:class:`~cardbridge.pcsc.reader_interface.EventKind`,
    whose values these are), ``heartbeat`` last. The status page gets them from
    ``/static/event_names.js``, written from this enum."""

    STATE = "state"
    READER_ADDED = EventKind.READER_ADDED.value
    READER_REMOVED = EventKind.READER_REMOVED.value
    CARD_INSERTED = EventKind.CARD_INSERTED.value
    CARD_REMOVED = EventKind.CARD_REMOVED.value
    PCSC_UNAVAILABLE = EventKind.PCSC_UNAVAILABLE.value
    PCSC_AVAILABLE = EventKind.PCSC_AVAILABLE.value
    HEARTBEAT = "heartbeat"


EVENT_NAMES = tuple(event.value for event in StreamEvent)
