"""Models of who may call the API: pairing the status page, the caller's session, the
web applications the clinician approves, and the approval window's requests."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, StrictBool

from cardbridge.api.models import (
    CONFIRM_LAST_TRY,
    PIN_PATTERN,
    SECRET_FIELD,
    StrictModel,
    WebEidToken,
    with_examples,
)

_ORIGIN_MAX = 2048
_ORIGIN_EXAMPLE = "https://dmp.example.fr"
_ID_EXAMPLE = "3f1c9a0e6b2d4c5881aa07e2c94d1b6f"
_TIME_EXAMPLE = "2026-01-05T09:30:00Z"


class PairingLink(StrictModel):
    """A one-time link that pairs the browser that follows it with the bridge."""

    model_config = with_examples(
        {
            "url": "http://127.0.0.1:8470/pair?code=Vd3XnT0m9kq2s0fJc1yq5xQ0GZqgXo6uYI1i9cN0x3E",
            "expires_at": _TIME_EXAMPLE,
        }
    )

    url: str = Field(description="Open it in the browser, once, before `expires_at`")
    expires_at: datetime


class CallerSession(StrictModel):
    """Who the bridge takes the caller for, and whether it has a PIN session open."""

    model_config = with_examples(
        {"caller": "page", "origin": "http://127.0.0.1:8470", "pin_session": False},
        {"caller": "origin", "origin": _ORIGIN_EXAMPLE, "pin_session": True},
        {"caller": "native", "origin": None, "pin_session": False},
    )

    caller: Literal["native", "page", "origin"]
    origin: str | None = Field(description="The web origin of a page; null for native software")
    pin_session: bool = Field(description="A PIN session of this caller is open on the CPS")


class OriginApproval(StrictModel):
    """A configured web application and whether the clinician approved it."""

    model_config = with_examples({"origin": _ORIGIN_EXAMPLE, "approved": True})

    origin: str = Field(examples=[_ORIGIN_EXAMPLE])
    approved: bool


class OriginRequest(StrictModel):
    origin: str = Field(max_length=_ORIGIN_MAX, examples=[_ORIGIN_EXAMPLE])


class ApprovalInfo(StrictModel):
    """A web application's request, as the approval window shows it (with the
    practitioner) and as the requesting page reads its outcome (with the token)."""

    model_config = with_examples(
        {
            "id": _ID_EXAMPLE,
            "origin": _ORIGIN_EXAMPLE,
            "action": "login",
            "status": "pending",
            "expires_at": _TIME_EXAMPLE,
            "practitioner": "PIERRE LE QUINIO",
            "token": None,
        }
    )

    id: str = Field(examples=[_ID_EXAMPLE])
    origin: str = Field(description="The web application that asks", examples=[_ORIGIN_EXAMPLE])
    action: Literal["login", "dmp_session"] = Field(
        description="`login`: a login token for the site; `dmp_session`: a PIN session for "
        "the site's DMP work"
    )
    status: Literal["pending", "approved", "refused", "expired"]
    expires_at: datetime = Field(description="Until when the clinician may answer")
    practitioner: str | None = Field(
        None, description="The approval window only: who the card names"
    )
    token: WebEidToken | None = Field(
        None, description="The requesting page only, once a login was approved"
    )


class ApprovalDecision(StrictModel):
    """The clinician's answer in the approval window."""

    approve: StrictBool = Field(description="`true` to approve (with the PIN), `false` to refuse")
    pin: str | None = Field(
        None,
        pattern=PIN_PATTERN,
        repr=False,
        description="The CPS PIN, typed in the approval window (to approve)",
        examples=["1234"],
        json_schema_extra=SECRET_FIELD,
    )
    confirm_last_try: StrictBool = CONFIRM_LAST_TRY
