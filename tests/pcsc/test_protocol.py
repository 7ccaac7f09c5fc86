"""61xx / 6Cxx / chaining sequences with a scripted card."""

from __future__ import annotations

import logging

import pytest

from cardbridge.errors import CardCommunicationError
from cardbridge.pcsc.apdu import ApduError, CommandApdu
from cardbridge.pcsc.protocol import TRACE, ApduProtocol
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


# The PIN/PUK APDUs of ISO 7816-4 (VERIFY 20, CHANGE REFERENCE DATA 24, RESET RETRY COUNTER
# 2C, data = old || new, PUK || new) with the test cards' PIN 1234 and PUK 12345678, padded
# with FF to 8 bytes as IAS-ECC cards take them (docs/testing.md).
PIN_1234 = "31323334FFFFFFFF"
PIN_5678 = "35363738FFFFFFFF"
PUK = "3132333435363738"
SECRET_APDUS = [
    ("VERIFY", CommandApdu(0, 0x20, 0, 0x01, bytes.fromhex(PIN_1234)), "00200001 08" + PIN_1234),
    (
        "CHANGE_REFERENCE_DATA",
        CommandApdu(0, 0x24, 0, 0x01, bytes.fromhex(PIN_1234 + PIN_5678)),
        "00240001 10" + PIN_1234 + PIN_5678,
    ),
    (
        "RESET_RETRY_COUNTER",
        CommandApdu(0, 0x2C, 0, 0x01, bytes.fromhex(PUK + PIN_5678)),
        "002C0001 10" + PUK + PIN_5678,
    ),
]


@pytest.fixture
def apdu_trace(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The APDU trace turned on, as an administrator chasing a card problem would."""
    caplog.set_level(TRACE, logger="cardbridge.apdu")
    return caplog


@pytest.mark.parametrize(("name", "command", "sent"), SECRET_APDUS)
def test_pin_puk_and_new_pin_are_never_traced_in_clear(
    name: str, command: CommandApdu, sent: str, apdu_trace: pytest.LogCaptureFixture
) -> None:
    run([(sent, "9000")], command)
    lines = [record.getMessage() for record in apdu_trace.records]
    header = sent[:8]
    assert lines == [
        f"> {name}: {' '.join(header[i : i + 2] for i in range(0, 8, 2))} "
        f"<{len(command.data)} secret bytes>",
        "< 0 bytes SW=9000 (SUCCESS)",
    ]
    text = apdu_trace.text.upper().replace(" ", "")
    for secret in (PIN_1234, PIN_5678, PUK, "1234", "5678"):
        assert secret not in text.replace(name, "")


def test_other_apdus_are_traced_in_full(apdu_trace: pytest.LogCaptureFixture) -> None:
    run([("00A4040C02D003", "9000")], CommandApdu(0, 0xA4, 4, 0x0C, bytes.fromhex("D003")))
    assert apdu_trace.records[0].getMessage() == "> SELECT: 00 A4 04 0C D0 03"
    run([("00B0000004", "01020304 9000")], CommandApdu(0, 0xB0, 0, 0, le=4))
    assert apdu_trace.records[2].getMessage() == "> READ_BINARY: 00 B0 00 00 Le=4"
    assert apdu_trace.records[3].getMessage() == "< 4 bytes SW=9000 (SUCCESS)"


def test_nothing_is_traced_below_the_trace_level(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="cardbridge.apdu")
    _, command, sent = SECRET_APDUS[0]
    run([(sent, "9000")], command)
    assert caplog.records == []
