"""The patient's Vitale card (``/v1/vitale``)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from cardbridge.api.deps import BridgeDep, ReaderQuery
from cardbridge.api.routes.common import CARD_CODES, cached_json, responses
from cardbridge.cards.models import VitaleCard

router = APIRouter(prefix="/v1/vitale", tags=["Vitale"])


@router.get(
    "",
    response_model=VitaleCard,
    summary="The Vitale card: insured and beneficiaries",
    responses=responses(*CARD_CODES),
)
async def read_vitale(bridge: BridgeDep, reader: ReaderQuery = None) -> Response:
    """Read once per card insertion, then answered from memory until the card is
    removed. A beneficiary's INS is given only where it is really theirs."""
    return cached_json(await bridge.cards.vitale(reader))
