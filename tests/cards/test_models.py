"""``ReaderInfo``: the JSON of ``GET /v1/readers`` and ``cardbridge readers --json``."""

from __future__ import annotations

import pytest

from cardbridge.cards.models import ReaderInfo
from cardbridge.pcsc.reader_interface import ReaderState

CPS3 = bytes.fromhex("3BAC00402A001225006480000310009000")


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (
            ReaderState("R 00 00", True, CPS3),
            {
                "name": "R 00 00",
                "card_present": True,
                "card_type": "cps",
                "atr": "3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00",
            },
        ),
        (
            ReaderState("R", True, bytes.fromhex("3B751300004309EA9000")),
            {
                "name": "R",
                "card_present": True,
                "card_type": "vitale",
                "atr": "3B 75 13 00 00 43 09 EA 90 00",
            },
        ),
        (
            ReaderState("R", True, bytes.fromhex("3B0102")),
            {"name": "R", "card_present": True, "card_type": "unknown", "atr": "3B 01 02"},
        ),
        (
            ReaderState("R", False),
            {"name": "R", "card_present": False, "card_type": None, "atr": None},
        ),
    ],
)
def test_from_state(state: ReaderState, expected: dict[str, object]) -> None:
    assert ReaderInfo.from_state(state).model_dump(mode="json") == expected


def test_is_frozen() -> None:
    info = ReaderInfo.from_state(ReaderState("R", False))
    with pytest.raises(ValueError, match="frozen"):
        info.name = "other"  # type: ignore[misc]
