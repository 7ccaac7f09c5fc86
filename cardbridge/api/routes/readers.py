"""``GET /v1/readers``: the readers and their cards, as the monitor last saw them."""

from __future__ import annotations

from fastapi import APIRouter

from cardbridge.api.deps import BridgeDep
from cardbridge.api.routes.common import responses
from cardbridge.cards.models import ReaderInfo
from cardbridge.errors import PcscUnavailableError

router = APIRouter(tags=["readers"])


@router.get(
    "/v1/readers",
    summary="Card readers, card presence and card type",
    responses=responses("pcsc_unavailable"),
)
async def list_readers(bridge: BridgeDep) -> list[ReaderInfo]:
    """Readers in name order. The card type is recognised from the ATR, without
    talking to the card; `GET /v1/events` tells when this changes."""
    if not bridge.readers.available:
        raise PcscUnavailableError
    return [ReaderInfo.from_state(state) for state in bridge.readers.snapshot()]
