"""Card recognition by ATR: the one table of known French health-card ATRs.

Sources (docs/atr.md): ANS Cryptolib, OpenSC's IAS-ECC driver and the pcsc-tools ATR
list. An ATR not in this table is ``unknown``; card sessions confirm a match further
(the CPS by its EF.SN.ICC issuer). :func:`atr_shape` tells a complete ATR from one read
while the card is powered up (padded to 33 bytes, or cut short), which must be read
again rather than called unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum, unique


class CardFamily(StrEnum):
    """What a card is for cardbridge (the ``card_type`` of the API)."""

    CPS = "cps"
    VITALE = "vitale"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CardModel:
    """A recognised kind of card."""

    family: CardFamily
    generation: str | None  # "cps3", "cps4", "vitale2", "vitale1"
    contactless: bool
    label: str


CPS3 = CardModel(CardFamily.CPS, "cps3", False, "CPS3 (IAS-ECC)")
CPS3_CONTACTLESS = CardModel(CardFamily.CPS, "cps3", True, "CPS3, contactless interface")
CPS4 = CardModel(CardFamily.CPS, "cps4", False, "CPS4")
VITALE2 = CardModel(CardFamily.VITALE, "vitale2", False, "Vitale 2")
VITALE1 = CardModel(CardFamily.VITALE, "vitale1", False, "Vitale 1")
UNKNOWN = CardModel(CardFamily.UNKNOWN, None, False, "unknown card")


@dataclass(frozen=True, slots=True)
class AtrPattern:
    """``atr & mask == value & mask``; ``prefix`` patterns match the first bytes only."""

    value: bytes
    mask: bytes
    model: CardModel
    prefix: bool = False

    def matches(self, atr: bytes) -> bool:
        if len(atr) < len(self.value) or (not self.prefix and len(atr) != len(self.value)):
            return False
        return all(a & m == v & m for a, v, m in zip(atr, self.value, self.mask, strict=False))


def _pattern(
    hex_atr: str, model: CardModel, mask: str | None = None, *, prefix: bool = False
) -> AtrPattern:
    value = bytes.fromhex(hex_atr)
    return AtrPattern(value, bytes.fromhex(mask) if mask else b"\xff" * len(value), model, prefix)


ATR_TABLE: tuple[AtrPattern, ...] = (
    # First match wins: exact patterns come before masked ones (the CPS4 T=0 ATR also
    # fits the CPS3 mask).
    _pattern("3B 9B 18 80 01 00 12 25 00 64 80 04 01 00 00 90 44", CPS4),
    _pattern("3B DC 18 FF 00 00 12 25 00 64 80 00 04 01 00 90 00", CPS4),
    _pattern("3B 8F 80 01 00 31 B8 64 04 B0 EC C1 73 94 01 80 82 90 00 0E", CPS3_CONTACTLESS),
    # CPS3 contact; OpenSC's mask also covers the field variant ... 80 82 02 12 00 90 00.
    _pattern(
        "3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00",
        CPS3,
        "FF 00 00 00 00 FF FF FF FF FF FF 00 00 00 FF FF FF",
    ),
    # Vitale 2: 3B 75 13 00 00 4x 09 EA 90 00 with x in 3..C, and a 09 FA variant.
    *(
        _pattern(f"3B 75 13 00 00 {0x40 | x:02X} 09 {ea} 90 00", VITALE2)
        for x in range(0x3, 0xD)
        for ea in ("EA", "FA")
    ),
    # Vitale 1 (inverse convention): only the first bytes are known to be stable.
    _pattern("3F 65 25 00", VITALE1, prefix=True),
)


# --- ATR structure (ISO/IEC 7816-3 §8.2) -------------------------------------------------

TS_DIRECT = 0x3B
TS_INVERSE = 0x3F
MAX_ATR_SIZE = 33
"""ISO 7816-3 bounds an ATR to 33 bytes; pcscd keeps it in a buffer of that size."""


@unique
class AtrShape(StrEnum):
    """What an ATR's bytes are, against the length its own structure gives."""

    COMPLETE = "complete"
    TOO_LONG = "too_long"  # padded: more bytes than T0 and the interface bytes announce
    TRUNCATED = "truncated"
    BAD_CHECKSUM = "bad_checksum"
    MALFORMED = "malformed"  # no valid TS, or longer than 33 bytes


def _structure(atr: bytes) -> tuple[int, bool] | None:
    """Where the interface bytes end, and whether a TCK follows the historical bytes;
    ``None`` when TS is not an initial character or the bytes stop too early."""
    if len(atr) < 2 or atr[0] not in (TS_DIRECT, TS_INVERSE):
        return None
    indicator, offset, tck = atr[1] >> 4, 2, False  # which of TA, TB, TC, TD follow
    while True:
        offset += bin(indicator & 0x7).count("1")  # TAi, TBi, TCi
        if not indicator & 0x8:
            return offset, tck
        if offset >= len(atr):
            return None
        td = atr[offset]
        offset += 1
        # TCK is present unless only T=0 is indicated (ISO 7816-3 §8.2.5).
        tck = tck or td & 0x0F != 0
        indicator = td >> 4


def atr_length(atr: bytes) -> int | None:
    """The length the ATR's structure announces (TS, T0, interface bytes, historical
    bytes, TCK), or ``None`` when TS is not valid or the bytes stop before it is known."""
    structure = _structure(atr)
    if structure is None:
        return None
    interface_end, tck = structure
    return interface_end + (atr[1] & 0x0F) + tck


def atr_shape(atr: bytes) -> AtrShape:
    """Whether ``atr`` is exactly what its structure announces (and its TCK right)."""
    if not atr or atr[0] not in (TS_DIRECT, TS_INVERSE) or len(atr) > MAX_ATR_SIZE:
        return AtrShape.MALFORMED
    expected = atr_length(atr)
    if expected is None or len(atr) < expected:
        return AtrShape.TRUNCATED
    if len(atr) > expected:
        return AtrShape.TOO_LONG
    structure = _structure(atr)
    if structure is not None and structure[1] and _xor(atr[1:]) != 0:
        return AtrShape.BAD_CHECKSUM
    return AtrShape.COMPLETE


def _xor(data: bytes) -> int:
    result = 0
    for byte in data:
        result ^= byte
    return result


def identify_atr(atr: bytes) -> CardModel:
    """The card model of an ATR, or :data:`UNKNOWN`."""
    for pattern in ATR_TABLE:
        if pattern.matches(atr):
            return pattern.model
    return UNKNOWN


def format_atr(atr: bytes) -> str:
    """The usual spaced upper-case hex form (``3B AC 00 …``)."""
    return atr.hex(" ").upper()
