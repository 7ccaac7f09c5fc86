"""The practitioner's card: identity, certificates, PIN (``/v1/cps``)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from cardbridge.api.deps import BridgeDep, ReaderQuery
from cardbridge.api.models import (
    PinChanged,
    PinChangeRequest,
    PinRequest,
    PinUnblocked,
    PinUnblockRequest,
    PinVerified,
)
from cardbridge.api.routes.common import BODY_CODES, CARD_CODES, cached_json, responses
from cardbridge.cards.models import PinStatus, Practitioner
from cardbridge.service.models import CertificateBundle

router = APIRouter(prefix="/v1/cps", tags=["CPS"])

PIN_CODES = ("pin_invalid", "pin_blocked")


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
    summary="Verify the PIN (unlocks the practice situations and signatures)",
    responses=responses(*BODY_CODES, *CARD_CODES, *PIN_CODES),
)
async def verify_pin(
    body: PinRequest, bridge: BridgeDep, reader: ReaderQuery = None
) -> PinVerified:
    """One VERIFY, never retried. A wrong PIN answers 401 `pin_invalid` with
    `tries_left`; a blocked PIN 423 `pin_blocked`. The card stays unlocked while it
    stays in the reader."""
    await bridge.cards.verify_pin(body.pin, reader)
    return PinVerified()


@router.post(
    "/pin/change",
    summary="Change the PIN",
    responses=responses(*BODY_CODES, *CARD_CODES, *PIN_CODES),
)
async def change_pin(
    body: PinChangeRequest, bridge: BridgeDep, reader: ReaderQuery = None
) -> PinChanged:
    """The card checks the old PIN: a wrong one spends a try (401 `pin_invalid`)."""
    await bridge.cards.change_pin(body.old_pin, body.new_pin, reader)
    return PinChanged()


@router.post(
    "/pin/unblock",
    summary="Unblock the PIN with the PUK",
    responses=responses(*BODY_CODES, *CARD_CODES, "puk_invalid", "puk_blocked"),
)
async def unblock_pin(
    body: PinUnblockRequest, bridge: BridgeDep, reader: ReaderQuery = None
) -> PinUnblocked:
    """Sets a new PIN and restores its tries. A wrong PUK answers 401 `puk_invalid`
    with `tries_left`; a blocked PUK 423 `puk_blocked` (the card must be replaced)."""
    await bridge.cards.unblock_pin(body.puk, body.new_pin, reader)
    return PinUnblocked()
