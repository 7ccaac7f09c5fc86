"""The engine on a small tree of its own: FCI, parent and sibling selection, access rules."""

from __future__ import annotations

import pytest

from cardbridge.emulator.engine import NEVER, DedicatedFile, ElementaryFile, IsoCard
from cardbridge.pcsc.tlv import parse_dict, unpack
from testkit.apdu import sw, tx


@pytest.fixture
def card() -> IsoCard:
    application = DedicatedFile(
        0x5000,
        aid=bytes.fromhex("A000000001"),
        children=[ElementaryFile(0x5001, b"inside", sfi=1)],
    )
    mf = DedicatedFile(
        0x3F00,
        children=[
            ElementaryFile(0x2F00, b"open", sfi=30),
            ElementaryFile(0x2F01, b"secret", read=NEVER),
            application,
        ],
    )
    card = IsoCard(atr=b"\x3b\x00", mf=mf)
    card.power_on()
    return card


def test_fci_and_fcp(card: IsoCard) -> None:
    data, status = tx(card, "00A4040005A00000000100")
    assert status == 0x9000
    fci = parse_dict(unpack(0x6F, data))
    assert fci[0x82].value == b"\x38"
    assert fci[0x83].value == bytes.fromhex("5000")
    data, _ = tx(card, "00A4000402 2F0100")
    fcp = parse_dict(unpack(0x62, data))
    assert fcp[0x8C].value == b"\x01\xff"  # read: never
    assert fcp[0x80].value == (6).to_bytes(2, "big")


def test_never_readable(card: IsoCard) -> None:
    assert sw(card, "00A4000C02 2F01") == 0x9000
    assert sw(card, "00B0000000") == 0x6982


def test_parent_sibling_and_current(card: IsoCard) -> None:
    assert sw(card, "00A4000C02 5001") == 0x6A82  # not a child of the MF
    assert sw(card, "00A4000C02 5000") == 0x9000
    assert sw(card, "00A4000C02 5000") == 0x9000  # the current DF itself
    assert sw(card, "00A4000C02 5001") == 0x9000
    assert sw(card, "00A4000C02 2F00") == 0x9000  # a child of the parent DF
    assert tx(card, "00B0000000") == (b"open", 0x9000)
    assert sw(card, "00A4010C02 5000") == 0x9000
    assert sw(card, "00A4030C") == 0x9000  # back to the MF
    assert tx(card, "00B0800000")[1] == 0x6A86  # SFI 0
    assert tx(card, "00B09E0000") == (b"open", 0x9000)  # SFI 30


def test_sfi_range() -> None:
    with pytest.raises(ValueError, match="SFI"):
        ElementaryFile(0x2F00, b"", sfi=31)
