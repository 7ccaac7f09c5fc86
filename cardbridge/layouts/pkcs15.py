"""PKCS#15 (ISO/IEC 7816-15) structures as a card carries them: EF.DIR records, ODF,
TokenInfo and the object directories (AODF, PrKDF, CDF, DODF), encoded and decoded.

A small DER writer over :class:`~cardbridge.pcsc.tlv.Tlv`, so that a card layout can
also reproduce what real cards get wrong (:func:`raw_flags`). The decoders read what
cardbridge needs from a card (application paths, object labels, identifiers, key
references, file paths) and raise :class:`~cardbridge.errors.CardDataError`.
See ``docs/cps-card.md`` for the CPS3 facts these encoders are used for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, unique

from asn1crypto.core import ObjectIdentifier

from cardbridge.errors import CardDataError
from cardbridge.pcsc.tlv import Tlv, parse_one

SEQUENCE = 0x30
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
ENUMERATED = 0x0A
UTF8_STRING = 0x0C
GENERALIZED_TIME = 0x18
BOOLEAN = 0x01


def integer(value: int, tag: int = INTEGER) -> bytes:
    """A DER INTEGER (two's complement, shortest form)."""
    length = max(1, (value.bit_length() + 8) // 8)
    return Tlv(tag, value.to_bytes(length, "big", signed=True)).to_bytes()


def bits(*positions: int) -> bytes:
    """A DER BIT STRING with the named bits ``positions`` set (bit 0 is the first)."""
    if not positions:
        return Tlv(BIT_STRING, b"\x00").to_bytes()
    size = max(positions) + 1
    value = 0
    for position in positions:
        value |= 1 << (size - 1 - position)
    unused = -size % 8
    content = (value << unused).to_bytes((size + unused) // 8, "big")
    return Tlv(BIT_STRING, bytes((unused,)) + content).to_bytes()


def raw_flags(value: int) -> bytes:
    """A one-byte BIT STRING without its unused-bits octet, as some CPS3 lists carry.

    Not DER: strict decoders refuse it; OpenSC's lax decoder reads the flags as empty.
    """
    return Tlv(BIT_STRING, bytes((value,))).to_bytes()


def utf8(text: str) -> bytes:
    return Tlv(UTF8_STRING, text.encode()).to_bytes()


def octets(value: bytes) -> bytes:
    return Tlv(OCTET_STRING, value).to_bytes()


def oid(dotted: str) -> bytes:
    """A DER OBJECT IDENTIFIER from its dotted form."""
    return bytes(ObjectIdentifier(dotted).dump())


def constructed(tag: int, *parts: bytes) -> bytes:
    return Tlv(tag, b"".join(parts)).to_bytes()


def sequence(*parts: bytes) -> bytes:
    return constructed(SEQUENCE, *parts)


def path(value: bytes) -> bytes:
    """A PKCS#15 Path: ``SEQUENCE { path OCTET STRING }``."""
    return sequence(octets(value))


# --- Named bits (PKCS#15 v1.1 §6) ---------------------------------------------------


@unique
class ObjectFlag(IntEnum):
    PRIVATE = 0
    MODIFIABLE = 1


@unique
class KeyUsage(IntEnum):
    ENCRYPT = 0
    DECRYPT = 1
    SIGN = 2
    SIGN_RECOVER = 3
    WRAP = 4
    UNWRAP = 5
    VERIFY = 6
    VERIFY_RECOVER = 7
    DERIVE = 8
    NON_REPUDIATION = 9


@unique
class KeyAccess(IntEnum):
    SENSITIVE = 0
    EXTRACTABLE = 1
    ALWAYS_SENSITIVE = 2
    NEVER_EXTRACTABLE = 3
    LOCAL = 4


@unique
class AccessMode(IntEnum):
    """Bits of an access control rule's mode (ISO/IEC 7816-15 as OpenSC numbers them)."""

    READ = 0
    UPDATE = 1
    EXECUTE = 2
    DELETE = 3
    ATTRIBUTE = 4
    PSO_CDS = 5
    PSO_VERIFY = 6
    PSO_DECRYPT = 7
    PSO_ENCRYPT = 8
    INT_AUTH = 9


@unique
class PinFlag(IntEnum):
    CASE_SENSITIVE = 0
    LOCAL = 1
    CHANGE_DISABLED = 2
    UNBLOCK_DISABLED = 3
    INITIALIZED = 4
    NEEDS_PADDING = 5
    UNBLOCKING_PIN = 6
    SO_PIN = 7


@unique
class TokenFlag(IntEnum):
    READ_ONLY = 0
    LOGIN_REQUIRED = 1


@unique
class AlgorithmOperation(IntEnum):
    COMPUTE_CHECKSUM = 0
    COMPUTE_SIGNATURE = 1
    VERIFY_CHECKSUM = 2
    VERIFY_SIGNATURE = 3
    ENCIPHER = 4
    DECIPHER = 5
    HASH = 6
    GENERATE_KEY = 7


# --- Building blocks ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccessRule:
    """``SEQUENCE { accessMode BIT STRING, securityCondition }``: ``auth_id`` or always."""

    modes: tuple[AccessMode, ...]
    auth_id: bytes | None = None
    encoded_mode: bytes | None = None  # exact bytes when a card's differ from DER

    def to_der(self) -> bytes:
        mode = self.encoded_mode or bits(*self.modes)
        condition = octets(self.auth_id) if self.auth_id is not None else Tlv(NULL, b"").to_bytes()
        return sequence(mode, condition)


@dataclass(frozen=True, slots=True)
class CommonObject:
    """CommonObjectAttributes: label, flags, the authId protecting it, access rules.

    ``flags_encoding`` replaces the DER flags when a card's bytes differ from DER.
    """

    label: str
    flags: tuple[ObjectFlag, ...] = ()
    auth_id: bytes | None = None
    rules: tuple[AccessRule, ...] = ()
    flags_encoding: bytes | None = None

    def to_der(self) -> bytes:
        parts = [utf8(self.label), self.flags_encoding or bits(*self.flags)]
        if self.auth_id is not None:
            parts.append(octets(self.auth_id))
        if self.rules:
            parts.append(sequence(*(rule.to_der() for rule in self.rules)))
        return sequence(*parts)


@dataclass(frozen=True, slots=True)
class PinObject:
    """An AODF PIN object (PKCS#15 ``PinAttributes``)."""

    common: CommonObject
    auth_id: bytes
    reference: int
    flags: tuple[PinFlag, ...]
    min_length: int
    stored_length: int
    max_length: int
    pin_type: int = 1  # ascii-numeric
    pad_char: int | None = None

    def to_der(self) -> bytes:
        attributes = [
            bits(*self.flags),
            integer(self.pin_type, ENUMERATED),
            integer(self.min_length),
            integer(self.stored_length),
            integer(self.max_length),
            integer(self.reference, 0x80),
        ]
        if self.pad_char is not None:
            attributes.append(octets(bytes((self.pad_char,))))
        return sequence(
            self.common.to_der(),
            sequence(octets(self.auth_id)),
            constructed(0xA1, sequence(*attributes)),
        )


@dataclass(frozen=True, slots=True)
class PrivateRsaKey:
    """A PrKDF RSA key: identifier, usages, access flags, key reference, modulus size.

    ``key_path`` is empty for keys held as security objects of the application DF.
    """

    common: CommonObject
    id: bytes
    usage: tuple[KeyUsage, ...]
    access: tuple[KeyAccess, ...]
    reference: int
    modulus_bits: int
    key_path: bytes = b""

    def to_der(self) -> bytes:
        key = sequence(
            octets(self.id),
            bits(*self.usage),
            Tlv(BOOLEAN, b"\xff").to_bytes(),
            bits(*self.access),
            integer(self.reference),
        )
        rsa = sequence(path(self.key_path), integer(self.modulus_bits))
        return sequence(self.common.to_der(), key, constructed(0xA1, rsa))


@dataclass(frozen=True, slots=True)
class CertificateObject:
    """A CDF X.509 certificate object: identifier and the path of its file."""

    common: CommonObject
    id: bytes
    file: bytes

    def to_der(self) -> bytes:
        return sequence(
            self.common.to_der(),
            sequence(octets(self.id)),
            constructed(0xA1, sequence(path(self.file))),
        )


@dataclass(frozen=True, slots=True)
class DataObject:
    """A DODF opaque data object: label, application name, path of its file."""

    common: CommonObject
    application: str | None
    file: bytes

    def to_der(self) -> bytes:
        attributes = utf8(self.application) if self.application else b""
        return sequence(
            self.common.to_der(),
            sequence(attributes),
            constructed(0xA1, path(self.file)),
        )


@dataclass(frozen=True, slots=True)
class AlgorithmInfo:
    """TokenInfo supportedAlgorithms entry (reference, PKCS#11 mechanism, card algRef)."""

    reference: int
    mechanism: int
    operations: tuple[AlgorithmOperation, ...]
    algorithm_oid: str
    card_reference: int

    def to_der(self) -> bytes:
        return sequence(
            integer(self.reference),
            integer(self.mechanism),
            Tlv(NULL, b"").to_bytes(),
            bits(*self.operations),
            oid(self.algorithm_oid),
            integer(self.card_reference),
        )


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """EF TokenInfo (CIAInfo)."""

    label: str
    manufacturer: str
    flags: tuple[TokenFlag, ...]
    last_update: dt.datetime
    algorithms: tuple[AlgorithmInfo, ...] = ()
    serial: bytes | None = None
    version: int = 0

    def to_der(self) -> bytes:
        parts = [integer(self.version)]
        if self.serial is not None:
            parts.append(octets(self.serial))
        parts += [
            utf8(self.manufacturer),
            Tlv(0x80, self.label.encode()).to_bytes(),
            bits(*self.flags),
        ]
        if self.algorithms:
            parts.append(constructed(0xA2, *(a.to_der() for a in self.algorithms)))
        when = self.last_update.astimezone(dt.UTC).strftime("%Y%m%d%H%M%SZ").encode()
        parts.append(constructed(0xA5, Tlv(GENERALIZED_TIME, when).to_bytes()))
        return sequence(*parts)


@unique
class Directory(IntEnum):
    """ODF choices: the context tag of each kind of object directory."""

    PRIVATE_KEYS = 0xA0
    PUBLIC_KEYS = 0xA1
    CERTIFICATES = 0xA4
    DATA_OBJECTS = 0xA7
    AUTH_OBJECTS = 0xA8


def odf(entries: Iterable[tuple[Directory, bytes]]) -> bytes:
    """The ODF: for each directory its kind and the path of its file."""
    return b"".join(constructed(kind, path(where)) for kind, where in entries)


@dataclass(frozen=True, slots=True)
class Application:
    """An EF.DIR record (ISO 7816-4 application template ``61``)."""

    aid: bytes
    label: str
    path: bytes
    ddo: bytes = b""  # discretionary data (tag 73) content

    def to_bytes(self) -> bytes:
        parts = [Tlv(0x4F, self.aid), Tlv.of(0x50, self.label), Tlv(0x51, self.path)]
        if self.ddo:
            parts.append(Tlv(0x73, self.ddo))
        return Tlv.of(0x61, parts).to_bytes()


# --- Decoding (what cardbridge reads from a card) ---------------------------------------


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
    extra: Sequence[Tlv] = field(default=(), repr=False)


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
