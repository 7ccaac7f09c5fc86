"""ATR length from its ISO 7816-3 structure, against pcsc-tools' ATR_analysis.

ATR_analysis (pcsc-tools, installed by scripts/ensure-system-packages) decodes an ATR
independently: it says when bytes are missing, when there are extra bytes, and whether
TCK is right. The vectors are the ATRs of cardbridge's table, ISO 7816-3 and
smartcard_list examples, and the same ATRs padded, cut and with a wrong checksum.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache

import pytest

from cardbridge.pcsc.atr import (
    ATR_TABLE,
    CPS3,
    AtrShape,
    atr_length,
    atr_shape,
    identify_atr,
)
from cardbridge.pcsc.scard_codes import ScardCode, StateFlag
from cardbridge.pcsc.settle import SETTLE_ATTEMPTS, settled_state

# ISO 7816-3 / smartcard_list examples: T=0 only (no TCK), T=1 (TCK), several TDi.
EXAMPLES = [
    "3B 02 14 50",  # smallest direct-convention ATR with 2 historical bytes
    "3B 65 00 00 9C 11 01 01 03",
    "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A",  # PC/SC contactless
    "3B DA 18 FF 81 B1 FE 75 1F 03 00 31 C5 73 C0 01 40 00 90 00 0C",  # ISO 7816-3 T=1
    "3B F8 13 00 00 81 31 FE 45 4A 43 4F 50 76 32 34 31 B7",  # JCOP
    "3B 6E 00 00 80 31 80 66 B0 84 0C 01 6E 01 83 00 90 00",
]
TABLE = [pattern.value.hex(" ").upper() for pattern in ATR_TABLE if not pattern.prefix]


@cache
def analysis(atr: str) -> AtrShape:
    """What ATR_analysis says of ``atr``, as an :class:`AtrShape`."""
    out = subprocess.run(
        ["ATR_analysis", atr], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    if re.search(r"ATR is truncated", out):
        return AtrShape.TRUNCATED
    if re.search(r"ATR is too long", out):
        return AtrShape.TOO_LONG
    if "WRONG CHECKSUM" in out:
        return AtrShape.BAD_CHECKSUM
    # ATR_analysis prints "+ TCK = …" when it finds one and says nothing when it is
    # missing; ISO 7816-3 §8.2.5 makes TCK mandatory once a protocol other than T=0 is named.
    other_protocol = re.search(r"Protocol T = (?!0 )\d+", out)
    if other_protocol and "+ TCK =" not in out:
        return AtrShape.TRUNCATED
    return AtrShape.COMPLETE


def variants(atr: str) -> list[tuple[str, str]]:
    raw = bytes.fromhex(atr)
    padded = raw + bytes(33 - len(raw))
    cases = [("exact", atr), ("padded", padded.hex(" ")), ("cut", raw[:-1].hex(" "))]
    if raw[0] == 0x3B and atr_length(raw) == len(raw) and len(raw) > 2:
        structure_tck = atr_shape(raw[:-1] + bytes((raw[-1] ^ 1,)))
        if structure_tck is AtrShape.BAD_CHECKSUM:
            cases.append(("bad tck", (raw[:-1] + bytes((raw[-1] ^ 1,))).hex(" ")))
    return cases


VECTORS = [
    pytest.param(text, id=f"{atr[:14]}-{kind}")
    for atr in dict.fromkeys(TABLE[:6] + EXAMPLES)
    for kind, text in variants(atr)
]


@pytest.mark.parametrize("atr", VECTORS)
def test_shape_agrees_with_atr_analysis(atr: str) -> None:
    assert atr_shape(bytes.fromhex(atr)) is analysis(atr)


@pytest.mark.parametrize("atr", TABLE)
def test_every_atr_of_the_table_is_complete(atr: str) -> None:
    raw = bytes.fromhex(atr)
    assert atr_length(raw) == len(raw)
    assert atr_shape(raw) is AtrShape.COMPLETE


def test_lengths_need_the_interface_bytes() -> None:
    assert atr_length(bytes.fromhex("3B")) is None
    assert atr_length(bytes.fromhex("3B 80")) is None  # TD1 announced, not there yet
    assert atr_length(bytes.fromhex("3B 80 01")) == 4  # T=1 announced: TCK follows
    assert atr_shape(b"") is AtrShape.MALFORMED
    assert atr_shape(bytes.fromhex("12 34")) is AtrShape.MALFORMED
    assert atr_shape(bytes(34)) is AtrShape.MALFORMED


class Replies:
    """SCardGetStatusChange answers for one reader, in order (the last one repeats)."""

    def __init__(self, *atrs: bytes) -> None:
        self.atrs = list(atrs)
        self.calls = 0

    def SCardGetStatusChange(
        self, context: int, timeout: int, states: list[tuple[str, int]]
    ) -> tuple[int, list[tuple[str, int, list[int]]]]:
        assert timeout == 0
        assert states == [("R", StateFlag.UNAWARE)]
        atr = self.atrs[min(self.calls, len(self.atrs) - 1)]
        self.calls += 1
        flags = StateFlag.PRESENT if atr else StateFlag.EMPTY
        return ScardCode.S_SUCCESS, [("R", 0x10000 | flags | StateFlag.CHANGED, list(atr))]


CPS3_ATR = bytes.fromhex(TABLE[3])


def test_settled_state_reads_a_padded_atr_again() -> None:
    padded = CPS3_ATR + bytes(33 - len(CPS3_ATR))
    api = Replies(padded, CPS3_ATR)
    _, atr = settled_state(api, 1, "R", StateFlag.PRESENT, list(padded), sleep=lambda _: None)
    assert bytes(atr) == CPS3_ATR
    assert identify_atr(bytes(atr)) is CPS3
    assert api.calls == 2


def test_settled_state_stops_when_the_card_leaves() -> None:
    api = Replies(b"")
    state, atr = settled_state(
        api, 1, "R", StateFlag.PRESENT, list(CPS3_ATR[:5]), sleep=lambda _: None
    )
    assert not state & StateFlag.PRESENT
    assert atr == []


def test_a_card_present_without_atr_is_read_again_until_it_leaves() -> None:
    # pcscd failed to power it up: the card was leaving, and is gone at the next read.
    api = Replies(b"")
    state, atr = settled_state(api, 1, "R", StateFlag.PRESENT, [], sleep=lambda _: None)
    assert (bool(state & StateFlag.PRESENT), atr, api.calls) == (False, [], 1)


def test_a_card_present_without_atr_is_read_again_until_it_answers() -> None:
    api = Replies(CPS3_ATR)
    _, atr = settled_state(api, 1, "R", StateFlag.PRESENT, [], sleep=lambda _: None)
    assert (bytes(atr), api.calls) == (CPS3_ATR, 1)


def test_a_mute_card_is_reported_present_without_atr_after_the_wait(
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = MuteReader()
    state, atr = settled_state(api, 1, "R", StateFlag.PRESENT, [], sleep=lambda _: None)
    assert (bool(state & StateFlag.PRESENT), atr) == (True, [])
    assert api.calls == SETTLE_ATTEMPTS
    assert "does not answer to reset" in caplog.text


class MuteReader(Replies):
    """pcscd's answer for a card it cannot power up: present, mute, no ATR."""

    def SCardGetStatusChange(
        self, context: int, timeout: int, states: list[tuple[str, int]]
    ) -> tuple[int, list[tuple[str, int, list[int]]]]:
        self.calls += 1
        flags = StateFlag.PRESENT | StateFlag.MUTE | StateFlag.CHANGED
        return ScardCode.S_SUCCESS, [("R", flags, [])]


def test_a_complete_atr_is_not_read_again() -> None:
    api = Replies()
    assert settled_state(api, 1, "R", StateFlag.PRESENT, list(CPS3_ATR))[1] == list(CPS3_ATR)
    assert api.calls == 0
