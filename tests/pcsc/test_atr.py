"""Card recognition from the ATR table."""

from __future__ import annotations

import pytest

from cardbridge.pcsc.atr import (
    CPS3,
    CPS3_CONTACTLESS,
    CPS4,
    UNKNOWN,
    VITALE1,
    VITALE2,
    CardModel,
    format_atr,
    identify_atr,
)


@pytest.mark.parametrize(
    ("atr", "model"),
    [
        ("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00", CPS3),
        ("3B AC 00 40 2A 00 12 25 00 64 80 82 02 12 00 90 00", CPS3),
        ("3B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 82 90 00 0E", CPS3_CONTACTLESS),
        ("3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44", CPS4),
        ("3B DC 18 FF 00 00 12 25 00 64 80 00 04 01 00 90 00", CPS4),
        ("3B 75 13 00 00 43 09 EA 90 00", VITALE2),
        ("3B 75 13 00 00 4C 09 EA 90 00", VITALE2),
        ("3B 75 13 00 00 47 09 FA 90 00", VITALE2),
        ("3F 65 25 00 2C 09 69 90 00", VITALE1),
        # Near misses stay unknown.
        ("3B 75 13 00 00 42 09 EA 90 00", UNKNOWN),
        ("3B 75 13 00 00 4D 09 EA 90 00", UNKNOWN),
        ("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90", UNKNOWN),
        ("3B AC 00 40 2A 00 12 26 00 64 80 00 03 10 00 90 00", UNKNOWN),
        ("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A", UNKNOWN),
        ("", UNKNOWN),
    ],
)
def test_identify(atr: str, model: CardModel) -> None:
    assert identify_atr(bytes.fromhex(atr)) == model


def test_families() -> None:
    assert {CPS3.family, CPS4.family} == {"cps"}
    assert VITALE2.family == "vitale"
    assert UNKNOWN.family == "unknown"


def test_format() -> None:
    assert format_atr(bytes.fromhex("3b7513")) == "3B 75 13"
