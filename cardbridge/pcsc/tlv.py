"""Immutable BER-TLV (ISO 7816-4 §5.2 / X.690) values.

Tags are kept as the integer of their raw bytes (``0x5A``, ``0x5F20``, ``0xBF8102``);
lengths may use the long form (``81 xx`` … ``84 xxxxxxxx``). Parsing never reads out
of bounds: malformed input raises :class:`TlvError` naming the offset.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from cardbridge.errors import CardDataError

MAX_TAG_BYTES = 4
MAX_LENGTH_BYTES = 4
PADDING = (0x00, 0xFF)


class TlvError(CardDataError):
    """Bytes that are not valid BER-TLV."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        where = f" at offset {offset}" if offset is not None else ""
        super().__init__(f"Malformed BER-TLV{where}: {message}")


def _tag_size(tag: int) -> int:
    return max(1, (tag.bit_length() + 7) // 8)


def encode_tag(tag: int) -> bytes:
    if tag <= 0:
        raise ValueError("a tag is a positive integer")
    raw = tag.to_bytes(_tag_size(tag), "big")
    if len(raw) > MAX_TAG_BYTES:
        raise ValueError(f"tags longer than {MAX_TAG_BYTES} bytes are not supported")
    multi = raw[0] & 0x1F == 0x1F
    if (
        multi != (len(raw) > 1)
        or any(b & 0x80 == 0 for b in raw[1:-1])
        or (len(raw) > 1 and raw[-1] & 0x80)
    ):
        raise ValueError(f"0x{tag:X} is not a well-formed BER tag")
    return raw


def encode_length(length: int) -> bytes:
    if length < 0:
        raise ValueError("negative length")
    if length < 0x80:
        return bytes((length,))
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    if len(raw) > MAX_LENGTH_BYTES:
        raise ValueError("length too large")
    return bytes((0x80 | len(raw),)) + raw


@dataclass(frozen=True, slots=True)
class Tlv:
    """One BER-TLV data object."""

    tag: int
    value: bytes = b""

    def __post_init__(self) -> None:
        encode_tag(self.tag)

    @classmethod
    def of(cls, tag: int, content: bytes | str | Iterable[Tlv]) -> Tlv:
        """Build from bytes, text (UTF-8) or child objects (a constructed value)."""
        if isinstance(content, str):
            return cls(tag, content.encode())
        if isinstance(content, bytes | bytearray):
            return cls(tag, bytes(content))
        return cls(tag, b"".join(child.to_bytes() for child in content))

    @property
    def constructed(self) -> bool:
        first = self.tag.to_bytes(_tag_size(self.tag), "big")[0]
        return bool(first & 0x20)

    @property
    def length(self) -> int:
        return len(self.value)

    def to_bytes(self) -> bytes:
        return encode_tag(self.tag) + encode_length(len(self.value)) + self.value

    def children(self) -> list[Tlv]:
        """Parse the value as a sequence of data objects."""
        return parse_all(self.value)

    def text(self) -> str:
        """The value as text (UTF-8, else Latin-1 as older cards write it)."""
        try:
            return self.value.decode()
        except UnicodeDecodeError:
            return self.value.decode("latin-1")


def parse_one(data: bytes, offset: int = 0) -> tuple[Tlv, int]:
    """Parse the object starting at ``offset``; return it and the offset after it."""
    end = len(data)
    if offset >= end:
        raise TlvError("expected a tag, found the end of the data", offset)
    start = offset
    first = data[offset]
    if first in PADDING:
        raise TlvError(f"padding byte {first:02X} where a tag was expected", offset)
    offset += 1
    if first & 0x1F == 0x1F:
        while True:
            if offset >= end:
                raise TlvError("tag runs past the end of the data", start)
            byte = data[offset]
            offset += 1
            if offset - start > MAX_TAG_BYTES:
                raise TlvError(f"tag longer than {MAX_TAG_BYTES} bytes", start)
            if not byte & 0x80:
                break
    tag = int.from_bytes(data[start:offset], "big")
    if offset >= end:
        raise TlvError("missing length", offset)
    length_byte = data[offset]
    offset += 1
    if length_byte == 0x80:
        raise TlvError("indefinite length is not allowed", offset - 1)
    if length_byte > 0x80:
        count = length_byte & 0x7F
        if count > MAX_LENGTH_BYTES:
            raise TlvError(f"length field of {count} bytes", offset - 1)
        if offset + count > end:
            raise TlvError("length field runs past the end of the data", offset - 1)
        length = int.from_bytes(data[offset : offset + count], "big")
        offset += count
    else:
        length = length_byte
    if offset + length > end:
        raise TlvError(f"value of {length} bytes runs past the end of the data", start)
    return Tlv(tag, bytes(data[offset : offset + length])), offset + length


def iter_tlv(data: bytes, *, padding: bool = False) -> Iterator[Tlv]:
    """Yield the objects of ``data`` in order; ``padding`` skips ``00``/``FF`` filler bytes."""
    offset = 0
    end = len(data)
    while offset < end:
        if padding and data[offset] in PADDING:
            offset += 1
            continue
        tlv, offset = parse_one(data, offset)
        yield tlv


def parse_all(data: bytes, *, padding: bool = False) -> list[Tlv]:
    """All objects of ``data`` (see :func:`iter_tlv`)."""
    return list(iter_tlv(data, padding=padding))


def parse_dict(data: bytes, *, padding: bool = False) -> dict[int, Tlv]:
    """Objects by tag; a repeated tag is an error (use :func:`parse_all` for lists)."""
    result: dict[int, Tlv] = {}
    for tlv in iter_tlv(data, padding=padding):
        if tlv.tag in result:
            raise TlvError(f"tag {tlv.tag:X} appears twice")
        result[tlv.tag] = tlv
    return result


def require(objects: Mapping[int, Tlv], tag: int, what: str) -> Tlv:
    """The object with ``tag``, or a :class:`TlvError` naming what is missing."""
    try:
        return objects[tag]
    except KeyError:
        raise TlvError(f"{what} (tag {tag:X}) is missing") from None


def unpack(tag: int, data: bytes) -> bytes:
    """The value of the single object ``data``, which must carry ``tag`` and nothing after."""
    tlv, end = parse_one(data)
    if tlv.tag != tag:
        raise TlvError(f"expected tag {tag:X}, found {tlv.tag:X}", 0)
    if end != len(data):
        raise TlvError("unexpected bytes after the object", end)
    return tlv.value
