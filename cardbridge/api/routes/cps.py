"""The practitioner's card: identity, certificates, PIN (``/v1/cps``)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from cardbridge.api.deps import BridgeDep, CallerDep, ReaderQuery, only
from cardbridge.api.models import (
    PinChanged,
    PinChangeRequest,
    PinRequest,
    PinUnblocked,
    PinUnblockRequest,
    PinVerified,
)
from cardbridge.api.routes.approvals import ask_approval
from cardbridge.api.routes.common import (
    BODY_CODES,
    CARD_CODES,
    PIN_TRY_CODES,
    cached_json,
    responses,
)
from cardbridge.cards.models import PinStatus, Practitioner
from cardbridge.service.approvals import ApprovalAction
from cardbridge.service.callers import CallerKind
from cardbridge.service.models import CertificateBundle

router = APIRouter(prefix="/v1/cps", tags=["CPS"])


@router.get(
    "",
    response_model=Practitioner,
    summary="The practitioner of the CPS",
    responses=responses(*CARD_CODES),
)
async def read_practitioner(bridge: BridgeDep, reader: ReaderQuery = None) -> Response:
    """Read once per card insertion, then answered from memory until the card is
    removed. `situations` is null until the PIN was verified on this card through the
    bridge (`POST /v1/cps/pin/verify`)."""
    return cached_json(await bridge.cards.practitioner(reader))


@router.get(
    "/certificates",
    response_model=CertificateBundle,
    summary="The CPS certificates and their CA chain (PEM)",
    responses=responses(*CARD_CODES),
)
async def read_certificates(bridge: BridgeDep, reader: ReaderQuery = None) -> Response:
    """The authentication and signature certificates, and the issuing CAs the bridge
    knows above them (the test PKI for emulated cards; `intermediates` and
    `trust_anchors` of the configuration for real cards)."""
    return cached_json(await bridge.cards.certificates(reader))


@router.get(
    "/pin",
    summary="PIN tries left (no try spent)",
    responses=responses(*CARD_CODES),
)
async def pin_status(bridge: BridgeDep, reader: ReaderQuery = None) -> PinStatus:
    """Asked of the card each time: another program may have spent tries. Warn the
    user before the last try."""
    return await bridge.cards.pin_status(reader)


@router.post(
    "/pin/verify",
    dependencies=[
        only(
            CallerKind.NATIVE,
            CallerKind.PAGE,
            what="Sending the PIN (a web application asks for a PIN session: "
            "POST /v1/cps/pin/session)",
        )
    ],
    summary="Verify the PIN: a PIN session for this caller (practice situations, DMP work)",
    responses=responses(*BODY_CODES, *CARD_CODES, *PIN_TRY_CODES, "caller_forbidden"),
)
async def verify_pin(
    body: PinRequest, bridge: BridgeDep, caller: CallerDep, reader: ReaderQuery = None
) -> PinVerified:
    """One VERIFY, never retried, which opens a PIN session for this caller alone: it
    ends after `pin_session_minutes` without use, when the card is removed, or on
    `DELETE /v1/cps/pin/session`, and another caller's session on the card ends now.
    A wrong PIN answers 401 `pin_invalid` with `tries_left` and makes the next try wait
    (429 `pin_retry_later`); the last try needs `confirm_last_try` (409
    `confirmation_required`); a blocked PIN answers 423 `pin_blocked`. A web application
    never sends the PIN (403 `caller_forbidden`): it asks for a session with
    `POST /v1/cps/pin/session`."""
    await bridge.cards.verify_pin(
        body.pin, reader, caller=caller, confirm_last_try=body.confirm_last_try
    )
    return PinVerified()


@router.post(
    "/pin/session",
    dependencies=[
        only(CallerKind.ORIGIN, what="Asking for a PIN session through the approval window")
    ],
    summary="Ask for a PIN session (web applications: through the approval window)",
    responses=responses(*CARD_CODES, "approval_required", "caller_forbidden"),
)
async def open_session(
    bridge: BridgeDep, caller: CallerDep, request: Request, reader: ReaderQuery = None
) -> PinVerified:
    """For an approved web application: always 403 `approval_required`, with the address
    of the approval window where the clinician types the PIN for this site. Native
    software and the status page verify the PIN themselves (`POST /v1/cps/pin/verify`)."""
    bridge.cards.cps_reader(reader)  # a CPS must be there to approve anything
    ask_approval(bridge, request, caller.origin or "", ApprovalAction.DMP_SESSION, reader=reader)


@router.delete(
    "/pin/session",
    status_code=204,
    summary="End this caller's PIN session (the card is locked again)",
    responses=responses(*CARD_CODES),
)
async def end_session(bridge: BridgeDep, caller: CallerDep, reader: ReaderQuery = None) -> Response:
    """Ends the caller's own PIN session, if it has one; another caller's is untouched."""
    await bridge.cards.end_session(caller, reader)
    return Response(status_code=204)


@router.post(
    "/pin/change",
    dependencies=[only(CallerKind.NATIVE, CallerKind.PAGE, what="Changing the PIN")],
    summary="Change the PIN",
    responses=responses(*BODY_CODES, *CARD_CODES, *PIN_TRY_CODES, "caller_forbidden"),
)
async def change_pin(
    body: PinChangeRequest, bridge: BridgeDep, reader: ReaderQuery = None
) -> PinChanged:
    """Native software and the status page only. The card checks the old PIN: a wrong
    one spends a try (401 `pin_invalid`), so the last try needs `confirm_last_try`."""
    await bridge.cards.change_pin(
        body.old_pin, body.new_pin, reader, confirm_last_try=body.confirm_last_try
    )
    return PinChanged()


@router.post(
    "/pin/unblock",
    dependencies=[only(CallerKind.NATIVE, CallerKind.PAGE, what="Unblocking the PIN")],
    summary="Unblock the PIN with the PUK",
    responses=responses(
        *BODY_CODES,
        *CARD_CODES,
        "puk_invalid",
        "puk_blocked",
        "confirmation_required",
        "pin_retry_later",
        "caller_forbidden",
    ),
)
async def unblock_pin(
    body: PinUnblockRequest, bridge: BridgeDep, reader: ReaderQuery = None
) -> PinUnblocked:
    """Native software and the status page only. Sets a new PIN and restores its tries.
    Every PUK try needs `confirm_last_try: true` (409 `confirmation_required`
    otherwise) and waits after a wrong one. A wrong PUK answers 401 `puk_invalid` with
    `tries_left`; a blocked PUK 423 `puk_blocked` (the card must be replaced)."""
    await bridge.cards.unblock_pin(body.puk, body.new_pin, reader, confirm=body.confirm_last_try)
    return PinUnblocked()
