"""BER-TLV edge cases: multi-byte tags, long lengths, malformed input, padding."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardbridge.pcsc.tlv import (
    Tlv,
    TlvError,
    encode_length,
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


@given(st.lists(tlv_trees(), max_size=4))
def test_roundtrip(objects: list[Tlv]) -> None:
    raw = b"".join(o.to_bytes() for o in objects)
    assert parse_all(raw) == objects


@given(st.binary(max_size=200))
def test_never_crashes_nor_overreads(raw: bytes) -> None:
    with contextlib.suppress(TlvError):
        for tlv in parse_all(raw, padding=True):
            assert len(tlv.value) <= len(raw)
