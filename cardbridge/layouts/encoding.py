"""Small codecs shared by the card layouts: file references, BCD dates, text values.

Decoders raise :class:`~cardbridge.errors.CardDataError` (or its subclass
:class:`~cardbridge.pcsc.tlv.TlvError`) on malformed bytes, never ``ValueError``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from cardbridge.errors import CardDataError
from cardbridge.pcsc.atr import ATR_TABLE, CardModel
from cardbridge.pcsc.tlv import Tlv, parse_dict, parse_one, require

FilePath = tuple[int, ...]
"""A path of file identifiers from the MF, MF included: ``(0x3F00, 0xD003)``."""


@dataclass(frozen=True, slots=True)
class FileRef:
    """An elementary file: its file identifier and, when it has one, its short identifier."""

    fid: int
    sfi: int | None = None


def path_bytes(path: FilePath) -> bytes:
    """The data field of SELECT by path for ``path`` (FIDs concatenated, big-endian)."""
    return b"".join(fid.to_bytes(2, "big") for fid in path)


def typical_atr(model: CardModel) -> bytes:
    """The first exact ATR that :mod:`cardbridge.pcsc.atr` lists for ``model``.

    The emulator answers with it, so the ATR table stays the one place for ATRs.
    """
    for pattern in ATR_TABLE:
        if pattern.model is model and not pattern.prefix:
            return pattern.value
    raise LookupError(f"no exact ATR for {model.label}")


def bcd_date(value: dt.date) -> bytes:
    """``YYYYMMDD`` packed as 4 BCD bytes (``2029-12-31`` → ``20 29 12 31``)."""
    return bytes.fromhex(value.strftime("%Y%m%d"))


def parse_bcd_date(raw: bytes, what: str) -> dt.date:
    """Inverse of :func:`bcd_date`; a date that is not real is a :class:`CardDataError`."""
    digits = raw.hex()
    if len(raw) != 4 or not digits.isdigit():
        raise CardDataError(f"{what}: expected a 4-byte BCD date, found {raw.hex(' ').upper()}")
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise CardDataError(f"{what}: {digits} is not a calendar date") from None


def bcd_digits(text: str) -> bytes:
    """An even number of decimal digits packed two per byte."""
    if len(text) % 2 or not text.isdigit():
        raise ValueError("BCD needs an even number of decimal digits")
    return bytes.fromhex(text)


def parse_bcd_digits(raw: bytes, what: str) -> str:
    digits = raw.hex()
    if not digits.isdigit():
        raise CardDataError(f"{what}: {raw.hex(' ').upper()} is not BCD")
    return digits


def first_object(tag: int, data: bytes, what: str) -> Tlv:
    """The object at the start of ``data``, which must carry ``tag`` (files may be padded)."""
    tlv = parse_one(data)[0]
    if tlv.tag != tag:
        raise CardDataError(f"{what}: expected tag {tag:X}, found {tlv.tag:X}")
    return tlv


def template_of(tag: int, data: bytes, what: str) -> dict[int, Tlv]:
    """The children, by tag, of the template at the start of ``data``."""
    return parse_dict(first_object(tag, data, what).value)


def text_of(objects: Mapping[int, Tlv], tag: int, what: str) -> str:
    """The text of a mandatory object (UTF-8, else Latin-1); empty text is an error."""
    text = require(objects, tag, what).text()
    if not text:
        raise CardDataError(f"{what} (tag {tag:X}) is empty")
    return text


def optional_text_of(objects: Mapping[int, Tlv], tag: int) -> str | None:
    tlv = objects.get(tag)
    return tlv.text() if tlv is not None and tlv.value else None


def byte_of(objects: Mapping[int, Tlv], tag: int, what: str) -> int:
    """A mandatory one-byte unsigned value."""
    value = require(objects, tag, what).value
    if len(value) != 1:
        raise CardDataError(f"{what} (tag {tag:X}) must be one byte, found {len(value)}")
    return value[0]


def digits_of(objects: Mapping[int, Tlv], tag: int, what: str, length: int) -> str:
    """Mandatory ASCII decimal digits of an exact length."""
    text = text_of(objects, tag, what)
    if len(text) != length or not text.isascii() or not text.isdigit():
        raise CardDataError(f"{what} (tag {tag:X}) must be {length} digits")
    return text


def zero_padded(content: bytes, block: int) -> bytes:
    """``content`` followed by zero bytes up to a whole number of ``block`` bytes."""
    return content + bytes(-len(content) % block)
