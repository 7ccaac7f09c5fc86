"""61xx / 6Cxx / chaining sequences with a scripted card."""

from __future__ import annotations

import pytest

from cardbridge.errors import CardCommunicationError
from cardbridge.pcsc.apdu import ApduError, CommandApdu
from cardbridge.pcsc.protocol import ApduProtocol
from tests.support.scripted import ScriptedTransmitter


def run(script: list[tuple[str, str]], command: CommandApdu, **kw: object) -> bytes:
    card = ScriptedTransmitter(script)
    data = ApduProtocol(card, **kw).send(command)  # type: ignore[arg-type]
    card.assert_done()
    return data


def test_plain_success() -> None:
    assert run([("00B0000004", "01020304 9000")], CommandApdu(0, 0xB0, 0, 0, le=4)) == bytes(
        [1, 2, 3, 4]
    )


def test_get_response_loop_accumulates() -> None:
    script = [
        ("00A4040C02D003", "AABB 6104"),
        ("00C0000004", "CCDDEEFF 6102"),
        ("00C0000002", "1122 9000"),
    ]
    data = run(script, CommandApdu(0, 0xA4, 4, 0x0C, bytes.fromhex("D003")))
    assert data.hex().upper() == "AABBCCDDEEFF1122"


def test_get_response_61_00_asks_256() -> None:
    script = [("0088000002AABB", "6100"), ("00C0000000", "00" * 256 + "9000")]
    assert len(run(script, CommandApdu(0, 0x88, 0, 0, b"\xaa\xbb"))) == 256


def test_get_response_keeps_logical_channel() -> None:
    script = [("01B0000000", "6101"), ("01C0000001", "09 9000")]
    assert run(script, CommandApdu(1, 0xB0, 0, 0, le=256)) == b"\x09"


def test_wrong_le_is_resent_with_the_exact_length() -> None:
    script = [("00CA010000", "6C05"), ("00CA010005", "0102030405 9000")]
    assert run(script, CommandApdu(0, 0xCA, 1, 0, le=256)) == bytes([1, 2, 3, 4, 5])


def test_wrong_le_then_more_data() -> None:
    script = [("00B0000010", "6C20"), ("00B0000020", "AA 6101"), ("00C0000001", "BB 9000")]
    assert run(script, CommandApdu(0, 0xB0, 0, 0, le=16)) == b"\xaa\xbb"


def test_wrong_le_resend_is_bounded() -> None:
    card = ScriptedTransmitter(
        [("00B0000010", "6C20"), ("00B0000020", "6C30"), ("00B0000030", "6C40")]
    )
    with pytest.raises(ApduError) as caught:
        ApduProtocol(card).send(CommandApdu(0, 0xB0, 0, 0, le=16))
    assert caught.value.sw == 0x6C40


def test_error_status_raises_with_data() -> None:
    card = ScriptedTransmitter([("0020000108" + "31" * 8, "63C2")])
    with pytest.raises(ApduError) as caught:
        ApduProtocol(card).send(CommandApdu(0, 0x20, 0, 1, b"\x31" * 8))
    assert caught.value.sw == 0x63C2
    assert "VERIFY_FAILED (2 tries left)" in str(caught.value)
    assert "31313131" not in str(caught.value)


def test_chaining_splits_long_data() -> None:
    data = bytes(range(256)) + bytes(range(44))  # 300 bytes
    script = [
        ("102A9E9AFF" + data[:255].hex(), "9000"),
        ("002A9E9A2D" + data[255:].hex() + "00", "CAFE 9000"),
    ]
    assert run(script, CommandApdu(0, 0x2A, 0x9E, 0x9A, data, le=256)) == b"\xca\xfe"


def test_chaining_with_small_chunks_stops_on_error() -> None:
    card = ScriptedTransmitter([("10DA000004" + "00010203", "6884")])
    proto = ApduProtocol(card, max_chunk=4)
    with pytest.raises(ApduError) as caught:
        proto.send(CommandApdu(0, 0xDA, 0, 0, bytes(i % 256 for i in range(300))))
    assert caught.value.sw == 0x6884


def test_extended_mode_sends_one_apdu() -> None:
    data = b"\x11" * 300
    script = [("002A9E9A00012C" + data.hex() + "0000", "9000")]
    assert run(script, CommandApdu(0, 0x2A, 0x9E, 0x9A, data, le=65536), extended=True) == b""


def test_long_le_without_extended_uses_get_response() -> None:
    script = [("00B0000000", "11" * 256 + "6110"), ("00C0000010", "22" * 16 + "9000")]
    assert len(run(script, CommandApdu(0, 0xB0, 0, 0, le=272))) == 272


def test_endless_61xx_is_a_communication_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cardbridge.pcsc.protocol.MAX_GET_RESPONSE", 3)

    class Endless:
        def transmit(self, apdu: bytes) -> tuple[bytes, int]:
            return b"", 0x6101

    with pytest.raises(CardCommunicationError):
        ApduProtocol(Endless()).send(CommandApdu(0, 0xB0, 0, 0, le=1))


def test_apdu_count() -> None:
    card = ScriptedTransmitter([("00B0000001", "6101"), ("00C0000001", "01 9000")])
    proto = ApduProtocol(card)
    proto.send(CommandApdu(0, 0xB0, 0, 0, le=1))
    assert proto.apdu_count == 2
