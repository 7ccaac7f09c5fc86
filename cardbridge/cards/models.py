"""JSON models shared by the HTTP API and the ``--json`` output of the command line."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cardbridge.pcsc.atr import format_atr
from cardbridge.pcsc.readers import ReaderState


class ReaderInfo(BaseModel):
    """A reader and the card in it (``GET /v1/readers``, ``cardbridge readers --json``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="Reader name as PC/SC gives it.")
    card_present: bool
    card_type: Literal["cps", "vitale", "unknown"] | None = Field(
        description="Recognised from the ATR; null when the reader is empty."
    )
    atr: str | None = Field(
        description="Answer To Reset in spaced upper-case hex; null when the reader is empty.",
        examples=["3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00"],
    )

    @classmethod
    def from_state(cls, state: ReaderState) -> ReaderInfo:
        card_type = state.card_type
        return cls(
            name=state.name,
            card_present=state.card_present,
            card_type=card_type.value if card_type is not None else None,
            atr=format_atr(state.atr) if state.atr is not None else None,
        )
