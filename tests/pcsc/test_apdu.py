"""Command/response APDU encoding and parsing at every length boundary (hex vectors)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardbridge.pcsc.apdu import (
    ApduError,
    CommandApdu,
    MalformedApduError,
    ResponseApdu,
    describe_sw,
    redact_raw,
)

VECTORS = [
    # (command, extended flag given to to_bytes, expected encoding)
    (CommandApdu(0, 0xA4, 0, 0x0C), None, "00A4000C"),
    (CommandApdu(0, 0xB0, 0, 0, le=1), None, "00B0000001"),
    (CommandApdu(0, 0xB0, 0, 0, le=255), None, "00B00000FF"),
    (CommandApdu(0, 0xB0, 0, 0, le=256), None, "00B0000000"),
    (CommandApdu(0, 0xB0, 0, 0, le=257), None, "00B00000000101"),
    (CommandApdu(0, 0xB0, 0, 0, le=65536), None, "00B00000000000"),
    (CommandApdu(0, 0xB0, 0, 0, le=256), True, "00B00000000100"),
    (CommandApdu(0, 0xA4, 4, 0, b"\x3f\x00"), None, "00A40400023F00"),
    (CommandApdu(0, 0xA4, 4, 0, b"\x3f\x00", le=256), None, "00A40400023F0000"),
    (CommandApdu(0, 0xA4, 4, 0, b"\x3f\x00", le=256), True, "00A404000000023F000100"),
    (CommandApdu(0, 0xA4, 4, 0, b"\x3f\x00", le=65536), None, "00A404000000023F000000"),
]


@pytest.mark.parametrize(("command", "extended", "expected"), VECTORS)
def test_encoding_vectors(command: CommandApdu, extended: bool | None, expected: str) -> None:
    raw = command.to_bytes(extended=extended)
    assert raw.hex().upper() == expected
    assert CommandApdu.from_bytes(raw) == command


@pytest.mark.parametrize(
    ("length", "header"),
    [(1, "01"), (255, "FF"), (256, "000100"), (65535, "00FFFF")],
)
def test_data_length_boundaries(length: int, header: str) -> None:
    command = CommandApdu(0x00, 0xD6, 0, 0, b"\x5a" * length)
    raw = command.to_bytes()
    assert raw[4 : 4 + len(header) // 2].hex().upper() == header
    assert len(raw) == 4 + len(header) // 2 + length
    assert CommandApdu.from_bytes(raw) == command


def test_case_numbers() -> None:
    assert CommandApdu(0, 1, 0, 0).case == 1
    assert CommandApdu(0, 1, 0, 0, le=5).case == 2
    assert CommandApdu(0, 1, 0, 0, b"x").case == 3
    assert CommandApdu(0, 1, 0, 0, b"x", le=5).case == 4


def test_short_encoding_refused_when_too_long() -> None:
    with pytest.raises(ValueError, match="extended"):
        CommandApdu(0, 0xD6, 0, 0, b"\0" * 256).to_bytes(extended=False)


@pytest.mark.parametrize(
    "bad",
    ["", "00", "00A400", "00A4000003AABB", "00A400000000", "00A4000000000200", "00A4000002AA"],
)
def test_malformed_commands_are_refused(bad: str) -> None:
    with pytest.raises(MalformedApduError):
        CommandApdu.from_bytes(bytes.fromhex(bad))


def test_invalid_fields_refused() -> None:
    with pytest.raises(ValueError, match="one byte"):
        CommandApdu(0x100, 0, 0, 0)
    with pytest.raises(ValueError, match="le"):
        CommandApdu(0, 0, 0, 0, le=0)


@given(
    data=st.binary(max_size=600),
    le=st.one_of(st.none(), st.integers(1, 65536)),
    extended=st.sampled_from([None, True]),
)
def test_roundtrip(data: bytes, le: int | None, extended: bool | None) -> None:
    command = CommandApdu(0x80, 0x2A, 0x9E, 0x9A, data, le)
    assert CommandApdu.from_bytes(command.to_bytes(extended=extended)) == command


@given(st.binary(max_size=300))
def test_parsed_commands_encode_back_to_the_same_bytes(raw: bytes) -> None:
    """Whatever parses is a command whose encoding, in the form the bytes use (extended when
    a 00 byte follows the header and more than it), is exactly those bytes."""
    try:
        command = CommandApdu.from_bytes(raw)
    except MalformedApduError:
        return
    extended = len(raw) > 5 and raw[4] == 0
    assert command.to_bytes(extended=extended) == raw


def test_verify_data_is_redacted() -> None:
    text = CommandApdu(0, 0x20, 0, 0x01, b"1234\xff\xff\xff\xff").redacted()
    assert "31323334" not in text.replace(" ", "")
    assert "<8 secret bytes>" in text


def test_response() -> None:
    response = ResponseApdu.from_bytes(bytes.fromhex("0102 6A82"))
    assert (response.data, response.sw, response.sw1, response.sw2) == (b"\1\2", 0x6A82, 0x6A, 0x82)
    assert not response.ok
    assert response.to_bytes() == bytes.fromhex("01026A82")
    with pytest.raises(MalformedApduError):
        ResponseApdu.from_bytes(b"\x90")


@pytest.mark.parametrize(
    ("sw", "name"),
    [
        (0x9000, "SUCCESS"),
        (0x6982, "SECURITY_CONDITION_NOT_SATISFIED"),
        (0x6A82, "FILE_NOT_FOUND"),
        (0x6110, "BYTES_REMAINING (16 more bytes)"),
        (0x6C00, "WRONG_LE (exact length 256)"),
        (0x63C2, "VERIFY_FAILED (2 tries left)"),
        (0x6F42, "UNKNOWN_STATUS"),
    ],
)
def test_status_word_names(sw: int, name: str) -> None:
    assert describe_sw(sw) == name


def test_apdu_error_names_the_status() -> None:
    error = ApduError(0x6982, command="READ_BINARY")
    assert "SW=0x6982 (SECURITY_CONDITION_NOT_SATISFIED)" in str(error)
    assert error.details()["sw"] == "6982"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        # Well-formed: the secret INS (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER)
        # show the length of their data only.
        ("0020000108 31323334FFFFFFFF", "VERIFY: 00 20 00 01 <8 secret bytes>"),
        ("0024000110" + "31" * 16, "CHANGE_REFERENCE_DATA: 00 24 00 01 <16 secret bytes>"),
        ("002C000110" + "31" * 16, "RESET_RETRY_COUNTER: 00 2C 00 01 <16 secret bytes>"),
        ("00200001", "VERIFY: 00 20 00 01"),  # asks for the tries left: no data
        ("00A4040C02D003", "SELECT: 00 A4 04 0C D0 03"),
        ("00B0000004", "READ_BINARY: 00 B0 00 00 Le=4"),
        ("80E2000001AA", "INS E2: 80 E2 00 00 AA"),
        # Malformed (Lc does not match): still nothing of a secret INS's data.
        ("002C00011031323334", "<9 bytes, secret>"),
        ("0024000110313233", "<8 bytes, secret>"),
        ("00A4000003AABB", "00 A4 00 00 03 AA BB"),
        ("0020", "<2 bytes, secret>"),  # a bare header start of a secret INS
        ("20", "20"),
    ],
)
def test_trace_text_of_raw_commands(raw: str, text: str) -> None:
    assert redact_raw(bytes.fromhex(raw)) == text


@pytest.mark.parametrize(
    ("sw", "name"),
    [
        (0x6100, "BYTES_REMAINING (256 more bytes)"),
        (0x6C10, "WRONG_LE (exact length 16)"),
        (0x63C1, "VERIFY_FAILED (1 tries left)"),
        (0x63C0, "VERIFY_FAILED (0 tries left)"),
        (0x6310, "UNKNOWN_STATUS"),  # 63 without the Cx counter
        (0x6FC2, "UNKNOWN_STATUS"),  # a Cx second byte after another first byte
        (0x6283, "FILE_DEACTIVATED"),
    ],
)
def test_status_word_families(sw: int, name: str) -> None:
    assert describe_sw(sw) == name


def test_apdu_error_keeps_the_answer_and_names_the_command() -> None:
    error = ApduError(0x6A82, b"\x01", command="SELECT")
    assert (error.sw, error.data, error.command) == (0x6A82, b"\x01", "SELECT")
    assert str(error).endswith("The card refused the command to SELECT: SW=0x6A82 (FILE_NOT_FOUND)")
    bare = ApduError(0x6D00)
    assert (bare.data, bare.command) == (b"", None)
    assert str(bare).endswith("The card refused the command: SW=0x6D00 (INS_NOT_SUPPORTED)")


@pytest.mark.parametrize("name", ["cla", "ins", "p1", "p2"])
def test_header_bytes_range_from_00_to_ff(name: str) -> None:
    fields = {"cla": 0, "ins": 0xB0, "p1": 0, "p2": 0}
    assert getattr(CommandApdu(**{**fields, name: 0xFF}), name) == 0xFF
    for bad in (-1, 0x100):
        with pytest.raises(ValueError, match=f"^{name} must be one byte$"):
            CommandApdu(**{**fields, name: bad})


def test_data_and_le_limits() -> None:
    CommandApdu(0, 0xD6, 0, 0, b"\0" * 65535, le=65536)
    with pytest.raises(ValueError, match=r"^command data longer than 65535 bytes$"):
        CommandApdu(0, 0xD6, 0, 0, b"\0" * 65536)
    with pytest.raises(ValueError, match=r"^le must be between 1 and 65536$"):
        CommandApdu(0, 0xB0, 0, 0, le=65537)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("00A400", "^an APDU has at least 4 header bytes$"),
        ("00A4000003AABB", "^Lc=3 does not match the 7-byte APDU$"),
        ("00A400000000", "^extended Lc of zero$"),
        ("00A40000000000AA", "^extended Lc of zero$"),
        ("00A40000000002AA", "^extended Lc=2 does not match the 8-byte APDU$"),
    ],
)
def test_malformed_commands_say_why(bad: str, message: str) -> None:
    with pytest.raises(MalformedApduError, match=message):
        CommandApdu.from_bytes(bytes.fromhex(bad))


def test_short_encoding_refusal_says_why() -> None:
    with pytest.raises(ValueError, match=r"^this command needs extended lengths$"):
        CommandApdu(0, 0xB0, 0, 0, le=257).to_bytes(extended=False)


def test_responses_of_every_length() -> None:
    assert ResponseApdu.from_bytes(bytes.fromhex("9000")) == ResponseApdu(b"", 0x9000)
    assert ResponseApdu.from_bytes(bytes.fromhex("9000")).ok
    three = ResponseApdu.from_bytes(bytes.fromhex("0A0B0C 6283"))
    assert (three.data, three.sw) == (bytes.fromhex("0A0B0C"), 0x6283)
    for short in ("", "90"):
        with pytest.raises(MalformedApduError, match=r"^a response has at least the two status"):
            ResponseApdu.from_bytes(bytes.fromhex(short))
