"""Class byte, instruction, malformed APDUs, and T=0 delivery with GET RESPONSE."""

from __future__ import annotations

import pytest

from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.engine import card as engine_card
from testkit.apdu import sw, tx


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        pytest.param("80A4000C023F00", 0x6E00, id="proprietary-class"),
        pytest.param("FFA4000C023F00", 0x6E00, id="pps-class"),
        pytest.param("40A4000C023F00", 0x6E00, id="further-interindustry"),
        pytest.param("0CA4000C023F00", 0x6882, id="secure-messaging"),
        pytest.param("01A4000C023F00", 0x6881, id="logical-channel"),
        pytest.param("10A4000C023F00", 0x6884, id="chaining"),
        pytest.param("00FE0000", 0x6D00, id="unknown-instruction"),
        pytest.param("00B1000000", 0x6D00, id="odd-read-binary"),
        pytest.param("", 0x6700, id="empty"),
        pytest.param("00A4", 0x6700, id="two-bytes"),
        pytest.param("00A4040C0501", 0x6700, id="lc-longer-than-data"),
        pytest.param("00A4040C000001", 0x6700, id="extended-lc-mismatch"),
        pytest.param("00A4040C0000000000", 0x6700, id="extended-lc-zero"),
    ],
)
def test_refused_commands(cps: IsoCard, command: str, expected: int) -> None:
    assert tx(cps, command) == (b"", expected)


def test_get_response_chunks(vitale: IsoCard) -> None:
    data, status = tx(vitale, "00A4000002 3F00")  # FCI requested without Le (T=0)
    assert data == b""
    assert status >> 8 == 0x61
    total = status & 0xFF
    first, status = tx(vitale, "00C0000005")
    assert (len(first), status) == (5, 0x6100 | (total - 5))
    rest, status = tx(vitale, f"00C00000{total - 5:02X}")
    assert status == 0x9000
    assert (first + rest)[:1] == b"\x6f"
    assert len(first + rest) == total


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        pytest.param("00C0000000", 0x6985, id="nothing-pending"),
        pytest.param("00C0010000", 0x6A86, id="bad-p1"),
        pytest.param("00C00000", 0x6700, id="no-le"),
    ],
)
def test_get_response_refusals(vitale: IsoCard, command: str, expected: int) -> None:
    assert sw(vitale, command) == expected


def test_pending_response_lost_after_another_command(vitale: IsoCard) -> None:
    assert sw(vitale, "00A4000002 3F00") >> 8 == 0x61
    assert sw(vitale, "0084000008") == 0x9000
    assert sw(vitale, "00C0000000") == 0x6985


def test_reset_forgets_the_current_df(cps: IsoCard) -> None:
    assert sw(cps, "00A4040C0D E828BD080F8025000001FF0010") == 0x9000
    assert sw(cps, "00B0810000") == 0x9000
    cps.reset()
    assert sw(cps, "00B0810000") == 0x6A82  # back at the MF


def test_a_bug_answers_6f00(cps: IsoCard, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setitem(engine_card.HANDLERS, 0xA4, broken)  # type: ignore[arg-type]
    assert tx(cps, "00A4000C023F00") == (b"", 0x6F00)
