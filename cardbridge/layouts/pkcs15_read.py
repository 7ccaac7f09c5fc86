"""Reading PKCS#15 lists: what cardbridge needs from EF.DIR, the ODF and the object
directories (application paths, labels, identifiers, key references, file paths).

Decoders raise :class:`~cardbridge.errors.CardDataError` on malformed bytes; padding
after the objects (``00`` or ``FF`` where a tag would be) is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from cardbridge.errors import CardDataError
from cardbridge.layouts.der import INTEGER, OCTET_STRING, SEQUENCE, UTF8_STRING
from cardbridge.layouts.pkcs15 import Application, Directory
from cardbridge.pcsc.tlv import Tlv, parse_one


def parse_applications(data: bytes) -> list[Application]:
    """The records of EF.DIR (padding bytes ``00``/``FF`` after them are ignored)."""
    found: list[Application] = []
    for record in _objects(data):
        if record.tag != 0x61:
            continue
        fields = {tlv.tag: tlv.value for tlv in record.children()}
        if 0x4F not in fields:
            raise CardDataError("an EF.DIR record has no application identifier")
        found.append(
            Application(
                fields[0x4F],
                fields.get(0x50, b"").decode("utf-8", "replace"),
                fields.get(0x51, b""),
                fields.get(0x73, b""),
            )
        )
    return found


def parse_odf(data: bytes) -> dict[Directory, list[bytes]]:
    """The ODF: paths of each kind of directory (unknown kinds ignored)."""
    known = {kind.value for kind in Directory}
    found: dict[Directory, list[bytes]] = {}
    for entry in _objects(data):
        if entry.tag in known:
            found.setdefault(Directory(entry.tag), []).append(_path_of(entry))
    return found


@dataclass(frozen=True, slots=True)
class ListedObject:
    """What cardbridge reads of a directory entry."""

    label: str
    id: bytes = b""
    file: bytes = b""
    key_reference: int | None = None
    auth_id: bytes | None = None


def parse_directory(data: bytes, kind: Directory) -> list[ListedObject]:
    """Entries of a PrKDF, CDF or DODF: labels, identifiers, key references, paths."""
    found: list[ListedObject] = []
    for entry in _objects(data):
        parts = entry.children()
        if len(parts) < 2 or parts[0].tag != SEQUENCE:
            raise CardDataError("a PKCS#15 directory entry is malformed")
        common = parts[0].children()
        if not common or common[0].tag != UTF8_STRING:
            raise CardDataError("a PKCS#15 object has no label")
        label = common[0].value.decode("utf-8", "replace")
        auth_id = next((c.value for c in common[1:] if c.tag == OCTET_STRING), None)
        typed = next((p for p in parts[2:] if p.tag == 0xA1), None)
        if kind is Directory.PRIVATE_KEYS:
            key = parts[1].children()
            reference = next((_int(c.value) for c in key if c.tag == INTEGER), None)
            found.append(ListedObject(label, key[0].value, b"", reference, auth_id))
        elif kind is Directory.CERTIFICATES:
            if typed is None:
                raise CardDataError(f"certificate {label!r} has no value")
            value = typed.children()[0].children()[0]
            found.append(ListedObject(label, parts[1].children()[0].value, _path_of_seq(value)))
        else:
            if typed is None:
                raise CardDataError(f"data object {label!r} has no value")
            found.append(ListedObject(label, b"", _path_of_seq(typed.children()[0]), None, auth_id))
    return found


def _objects(data: bytes) -> list[Tlv]:
    """The objects of a file, up to the padding (``00`` or ``FF`` where a tag would be)."""
    found: list[Tlv] = []
    offset = 0
    while offset < len(data) and data[offset] not in (0x00, 0xFF):
        tlv, end = parse_one(data[offset:])
        found.append(tlv)
        offset += end
    return found


def _path_of(entry: Tlv) -> bytes:
    return _path_of_seq(parse_one(entry.value)[0])


def _path_of_seq(value: Tlv) -> bytes:
    if value.tag != SEQUENCE:
        raise CardDataError("a PKCS#15 path is not a SEQUENCE")
    inner = value.children()
    if not inner or inner[0].tag != OCTET_STRING:
        raise CardDataError("a PKCS#15 path has no file path")
    return inner[0].value


def _int(raw: bytes) -> int:
    return int.from_bytes(raw, "big", signed=True)
