"""BER-TLV edge cases: multi-byte tags, long lengths, malformed input, padding."""

from __future__ import annotations

import asn1crypto.parser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardbridge.pcsc.tlv import (
    Tlv,
    TlvError,
    encode_length,
    encode_tag,
    iter_tlv,
    parse_all,
    parse_dict,
    parse_one,
    require,
    unpack,
)


@pytest.mark.parametrize(
    ("hex_in", "tag", "value_len"),
    [
        ("5A00", 0x5A, 0),
        ("5A0112", 0x5A, 1),
        ("5F2003414243", 0x5F20, 3),
        ("BF81020100", 0xBF8102, 1),
        ("5A817F" + "00" * 127, 0x5A, 127),
        ("5A8180" + "00" * 128, 0x5A, 128),
        ("5A820100" + "00" * 256, 0x5A, 256),
        ("5A83000101" + "00" * 257, 0x5A, 257),
    ],
)
def test_parse_vectors(hex_in: str, tag: int, value_len: int) -> None:
    raw = bytes.fromhex(hex_in)
    tlv, end = parse_one(raw)
    assert (tlv.tag, tlv.length, end) == (tag, value_len, len(raw))


@pytest.mark.parametrize(
    ("length", "encoded"),
    [(0, "00"), (127, "7F"), (128, "8180"), (255, "81FF"), (256, "820100"), (65536, "83010000")],
)
def test_length_encoding(length: int, encoded: str) -> None:
    assert encode_length(length).hex().upper() == encoded


@pytest.mark.parametrize(
    ("hex_in", "message"),
    [
        ("00", "padding byte"),
        ("FF00", "padding byte"),
        ("5A", "missing length"),
        ("5A02AA", "runs past the end"),
        ("5F", "tag runs past"),
        ("5F8181818101", "tag longer"),
        ("5A80", "indefinite"),
        ("5A85", "length field of 5 bytes"),
        ("5A8201", "length field runs past"),
        ("5A84FFFFFFFF00", "runs past the end"),
    ],
)
def test_malformed_is_refused(hex_in: str, message: str) -> None:
    with pytest.raises(TlvError, match=message):
        parse_all(bytes.fromhex(hex_in))


def test_constructed_children() -> None:
    ee = Tlv.of(0xEE, [Tlv.of(0x84, "CABINET"), Tlv.of(0x85, "499700735741008")])
    assert ee.constructed
    assert not Tlv(0x84).constructed
    assert [c.tag for c in ee.children()] == [0x84, 0x85]
    assert ee.children()[0].text() == "CABINET"
    assert parse_all(ee.to_bytes()) == [ee]


def test_padding_is_skipped_only_when_asked() -> None:
    raw = bytes.fromhex("650380014100000000")
    assert [t.tag for t in parse_all(raw, padding=True)] == [0x65]
    with pytest.raises(TlvError):
        parse_all(raw)


def test_parse_dict_and_require() -> None:
    objects = parse_dict(bytes.fromhex("80014181014282023132"))
    assert require(objects, 0x81, "first name").value == b"B"
    with pytest.raises(TlvError, match=r"birth date \(tag 90\) is missing"):
        require(objects, 0x90, "birth date")
    with pytest.raises(TlvError, match="twice"):
        parse_dict(bytes.fromhex("80014180014B"))


def test_unpack() -> None:
    assert unpack(0x5A, bytes.fromhex("5A021234")) == b"\x12\x34"
    with pytest.raises(TlvError, match="expected tag 5A"):
        unpack(0x5A, bytes.fromhex("5B00"))
    with pytest.raises(TlvError, match="after the object"):
        unpack(0x5A, bytes.fromhex("5A0000"))


@pytest.mark.parametrize("tag", [0x1F, 0x5F80, 0x5F8080, 0x0100])
def test_bad_tags_refused_when_building(tag: int) -> None:
    with pytest.raises(ValueError, match="tag"):
        Tlv(tag, b"")


def test_latin1_text_fallback() -> None:
    assert Tlv(0x80, "LÉA".encode("latin-1")).text() == "LÉA"


tags = st.sampled_from([0x5A, 0x80, 0x93, 0x5F20, 0x7F49, 0xBF8102, 0xEE, 0x65])


@st.composite
def tlv_trees(draw: st.DrawFn, depth: int = 2) -> Tlv:
    tag = draw(tags)
    if depth and Tlv(tag).constructed and draw(st.booleans()):
        return Tlv.of(tag, draw(st.lists(tlv_trees(depth=depth - 1), max_size=3)))
    return Tlv(tag, draw(st.binary(max_size=300)))


def x690_class_and_number(tag: int) -> tuple[int, int]:
    """The class and tag number of a tag (its bytes as an integer), by X.690 §8.1.2: the
    class in the first byte's two high bits; the number in its five low bits, or, when
    they are all set, in the next bytes, seven bits each, high bit set but on the last."""
    raw = tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")
    if raw[0] & 0x1F != 0x1F:
        return raw[0] >> 6, raw[0] & 0x1F
    number = 0
    for byte in raw[1:]:
        number = number << 7 | byte & 0x7F
    return raw[0] >> 6, number


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        (0x5A, (1, 26)),  # X.690 A.3: [APPLICATION 26]
        (0x80, (2, 0)),
        (0x30, (0, 16)),  # SEQUENCE
        (0x5F20, (1, 32)),  # ISO 7816-4: cardholder name
        (0x7F49, (1, 73)),
        (0xBF8102, (2, 130)),
        (0x5F818001, (1, 16385)),  # X.690 §8.1.2.4: 16385 = 1·128² + 0·128 + 1
    ],
)
def test_the_tests_own_tag_reader(tag: int, expected: tuple[int, int]) -> None:
    assert x690_class_and_number(tag) == expected


@given(st.lists(tlv_trees(), max_size=4))
def test_roundtrip(objects: list[Tlv]) -> None:
    raw = b"".join(o.to_bytes() for o in objects)
    assert parse_all(raw) == objects
    offset = 0
    for o in objects:  # asn1crypto, a parser we did not write, reads the same objects
        class_, constructed, number, header, contents, _ = asn1crypto.parser.parse(raw[offset:])
        assert (bool(constructed), contents) == (o.constructed, o.value)
        assert (class_, number) == x690_class_and_number(o.tag)
        offset += len(header) + len(contents)
    assert offset == len(raw)


@given(st.binary(max_size=200))
def test_random_bytes_are_refused_or_read_as_asn1crypto_reads_them(raw: bytes) -> None:
    try:
        objects = parse_all(raw)
    except TlvError:
        return
    offset = 0
    for o in objects:
        class_, constructed, number, header, contents, _ = asn1crypto.parser.parse(raw[offset:])
        assert (bool(constructed), contents) == (o.constructed, o.value)
        assert (class_, number) == x690_class_and_number(o.tag)
        offset += len(header) + len(contents)
    assert offset == len(raw)


# --- written-out vectors from public sources (docs/testing.md) ----------------------------

# ITU-T X.690, Annex A (A.3): the BER encoding of the PersonnelRecord example. Its tags use
# every class: 60/61/42/43 application (42 and 43 primitive although bit 0x40 is set),
# A0..A3 context-specific constructed (bit 0x20 set, bit 0x40 clear), 1A universal
# VisibleString, 31 universal SET.
X690_PERSONNEL_RECORD = (
    "6081856110"
    "1A044A6F686E1A01501A05536D697468"  # "John" "P" "Smith"
    "A00A1A084469726563746F72"  # [0] "Director"
    "420133"  # EmployeeNumber 51
    "A10A43083139373130393137"  # [1] Date "19710917"
    "A2126110"
    "1A044D6172791A01541A05536D697468"  # "Mary" "T" "Smith"
    "A342"
    "311F6111"
    "1A0552616C70681A01541A05536D697468"  # "Ralph" "T" "Smith"
    "A00A43083139353731313131"  # "19571111"
    "311F6111"
    "1A05537573616E1A01421A054A6F6E6573"  # "Susan" "B" "Jones"
    "A00A43083139353930373137"  # "19590717"
)

# A real CPS3's FCP for EF.SN.ICC (3F00/D003), as OpenSC issue 2275 shows it.
CPS3_FCP = "6225 8002000C 820101 8302D003 8801E0 A112 8C077BFFFFFFFFFF00 9C077BFFFFFFFFFF00 8A0105"
# A real CPS3's answer to GET DATA for the PIN counter (same trace): a 3-byte tag BF8101.
CPS3_PIN_COUNTER = "7016BF810112A0109A01039B0103A1088C06F3000013FF00"


def test_x690_personnel_record_tags_classes_and_values() -> None:
    raw = bytes.fromhex(X690_PERSONNEL_RECORD)
    assert len(raw) == 3 + 0x85
    record, end = parse_one(raw)
    assert (record.tag, record.length, end) == (0x60, 0x85, len(raw))
    fields = record.children()
    assert [f.tag for f in fields] == [0x61, 0xA0, 0x42, 0xA1, 0xA2, 0xA3]
    assert [f.constructed for f in fields] == [True, True, False, True, True, True]
    assert [n.text() for n in fields[0].children()] == ["John", "P", "Smith"]
    assert fields[2].value == b"\x33"
    assert fields[3].children()[0].text() == "19710917"
    children = fields[5].children()
    assert [c.tag for c in children] == [0x31, 0x31]
    assert [c.children()[0].children()[0].text() for c in children] == ["Ralph", "Susan"]
    assert b"".join(f.to_bytes() for f in fields) == record.value
    assert record.to_bytes() == raw


@pytest.mark.parametrize(
    ("tag", "constructed"),
    [
        (0x42, False),  # application, primitive: bit 0x40 set, 0x20 clear (X.690 8.1.2)
        (0x5A, False),
        (0x5F20, False),
        (0x1A, False),
        (0x80, False),
        (0x30, True),  # universal SEQUENCE: bit 0x20 set, 0x40 clear
        (0xA1, True),
        (0xBF8101, True),
        (0x61, True),
        (0x7F49, True),
    ],
)
def test_constructed_is_bit_0x20_of_the_first_tag_byte(tag: int, constructed: bool) -> None:
    assert Tlv(tag).constructed is constructed


def test_real_cps3_fcp() -> None:
    fcp = unpack(0x62, bytes.fromhex(CPS3_FCP.replace(" ", "")))
    objects = parse_dict(fcp)
    assert list(objects) == [0x80, 0x82, 0x83, 0x88, 0xA1, 0x8A]
    assert int.from_bytes(objects[0x80].value, "big") == 12  # EF.SN.ICC is 12 bytes
    assert objects[0x83].value == bytes.fromhex("D003")
    acl = objects[0xA1]
    assert acl.constructed
    assert [t.tag for t in acl.children()] == [0x8C, 0x9C]
    assert acl.children()[0].value == bytes.fromhex("7BFFFFFFFFFF00")
    assert objects[0x8A].value == b"\x05"


def test_real_cps3_pin_counter_with_a_three_byte_tag() -> None:
    outer = unpack(0x70, bytes.fromhex(CPS3_PIN_COUNTER))
    sdo = parse_all(outer)
    assert [(t.tag, t.length, t.constructed) for t in sdo] == [(0xBF8101, 0x12, True)]
    a0 = unpack(0xA0, sdo[0].value)
    counters = parse_dict(a0)
    assert counters[0x9A].value == b"\x03"  # maximum tries
    assert counters[0x9B].value == b"\x03"  # tries left
    assert counters[0xA1].constructed


@pytest.mark.parametrize(
    ("hex_in", "tag"),
    [
        # X.690 8.1.2.4: tag number 16385 = 1·128² + 0·128 + 1, in three subsequent octets.
        ("5F81800102ABCD", 0x5F818001),
        ("BF81800000", 0xBF818000),
    ],
)
def test_four_byte_tags_are_read(hex_in: str, tag: int) -> None:
    raw = bytes.fromhex(hex_in)
    tlv, end = parse_one(raw)
    assert (tlv.tag, end) == (tag, len(raw))
    assert tlv.to_bytes() == raw
    # asn1crypto, read as a second opinion: (class, constructed, tag number, ...).
    _, constructed, number, _, contents, _ = asn1crypto.parser.parse(raw)
    assert number == 16384 + (tag & 1)
    assert (constructed == 1) is tlv.constructed
    assert contents == tlv.value


def test_objects_after_padding_are_kept() -> None:
    # ISO 7816-4 5.2: 00 or FF bytes may come before, between and after data objects.
    raw = bytes.fromhex("00 5A0112 00FF 5F20024142 FF 8000 0000")
    objects = parse_all(raw, padding=True)
    assert [(t.tag, t.value) for t in objects] == [(0x5A, b"\x12"), (0x5F20, b"AB"), (0x80, b"")]
    assert list(parse_dict(raw, padding=True)) == [0x5A, 0x5F20, 0x80]


@pytest.mark.parametrize(
    ("tag", "encoded"),
    [
        (0x01, "01"),  # universal BOOLEAN, the smallest tag
        (0x5A, "5A"),
        (0x5F20, "5F20"),
        (0xBF8101, "BF8101"),
        (0x5F818001, "5F818001"),
    ],
)
def test_tag_encoding(tag: int, encoded: str) -> None:
    assert encode_tag(tag).hex().upper() == encoded


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        (0, "^a tag is a positive integer$"),
        (-1, "^a tag is a positive integer$"),
        (0x5F81808001, "^tags longer than 4 bytes are not supported$"),
        (0x5F, "well-formed"),  # announces more tag bytes, has none
        (0x5A20, "well-formed"),  # two bytes, the first does not announce a second
        (0x5F8180, "well-formed"),  # the last byte says more follows
        (0x5F0101, "well-formed"),  # a middle byte says nothing follows
        (0x5F810101, "well-formed"),  # the second of two middle bytes does
        (0x5F018101, "well-formed"),  # the first of two middle bytes does
    ],
)
def test_malformed_tags_are_refused_when_encoding(tag: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        encode_tag(tag)


@pytest.mark.parametrize(
    ("length", "message"), [(-1, "^negative length$"), (1 << 32, "^length too large$")]
)
def test_impossible_lengths_are_refused(length: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        encode_length(length)


def test_largest_length() -> None:
    assert encode_length((1 << 32) - 1).hex().upper() == "84FFFFFFFF"


def test_building_from_text_bytes_and_children() -> None:
    assert Tlv.of(0x80, "É").value == "É".encode()
    assert Tlv.of(0x80, bytearray(b"\x01\x02")) == Tlv(0x80, b"\x01\x02")
    assert Tlv.of(0xA0, [Tlv(0x80, b"\x01"), Tlv(0x81)]).to_bytes().hex() == "a0058001018100"


def test_errors_name_the_offset() -> None:
    with pytest.raises(TlvError) as caught:
        parse_all(bytes.fromhex("5A0112 5A02AA"))
    assert str(caught.value).startswith("Malformed BER-TLV at offset 3: value of 2 bytes")
    with pytest.raises(TlvError, match=r"^Malformed BER-TLV: tag 5A appears twice$"):
        parse_dict(bytes.fromhex("5A00 5A00"))


@pytest.mark.parametrize(
    ("hex_in", "message"),
    [
        ("5A00 00", "at offset 2: padding byte 00 where a tag was expected"),
        ("5A00 FF", "at offset 2: padding byte FF where a tag was expected"),
        ("5A00 5A", "at offset 3: missing length"),
        ("5A00 5A02AA", "at offset 2: value of 2 bytes runs past the end of the data"),
        ("5A00 5F81", "at offset 2: tag runs past the end of the data"),
        ("5A00 5F8181818101", "at offset 2: tag longer than 4 bytes"),
        ("5A00 5A80", "at offset 3: indefinite length is not allowed"),
        ("5A00 5A85", "at offset 3: length field of 5 bytes"),
        ("5A00 5A8201", "at offset 3: length field runs past the end of the data"),
    ],
)
def test_malformed_input_errors_name_the_offset(hex_in: str, message: str) -> None:
    with pytest.raises(TlvError) as caught:
        parse_all(bytes.fromhex(hex_in))
    assert str(caught.value) == f"Malformed BER-TLV {message}"


def test_end_of_data_where_a_tag_was_expected() -> None:
    with pytest.raises(TlvError) as caught:
        parse_one(bytes.fromhex("5A00"), 2)
    assert str(caught.value) == (
        "Malformed BER-TLV at offset 2: expected a tag, found the end of the data"
    )


def test_unpack_errors_name_the_offset() -> None:
    with pytest.raises(TlvError) as caught:
        unpack(0x5A, bytes.fromhex("5B00"))
    assert str(caught.value) == "Malformed BER-TLV at offset 0: expected tag 5A, found 5B"
    with pytest.raises(TlvError) as caught:
        unpack(0x5A, bytes.fromhex("5A00 00"))
    assert str(caught.value) == "Malformed BER-TLV at offset 2: unexpected bytes after the object"


def test_errors_without_an_offset_say_none() -> None:
    with pytest.raises(TlvError) as caught:
        require({}, 0x90, "birth date")
    assert str(caught.value) == "Malformed BER-TLV: birth date (tag 90) is missing"


def test_a_long_form_length_may_end_the_data() -> None:
    assert parse_all(bytes.fromhex("5A8100 5A820000")) == [Tlv(0x5A), Tlv(0x5A)]


def test_padding_is_refused_unless_asked_for() -> None:
    for parse in (parse_all, parse_dict, lambda raw: list(iter_tlv(raw))):
        with pytest.raises(TlvError, match="padding byte 00"):
            parse(bytes.fromhex("5A00 00"))
