"""PKCS#15 (ISO/IEC 7816-15) structures as a card carries them: EF.DIR records, ODF,
TokenInfo and the object directories (AODF, PrKDF, CDF, DODF), encoded and decoded.

Written with :mod:`cardbridge.layouts.der`, so that a card layout can also reproduce what
real cards get wrong (:func:`~cardbridge.layouts.der.raw_flags`). The decoders are in
:mod:`cardbridge.layouts.pkcs15_read`.
See ``docs/cps-card.md`` for the CPS3 facts these encoders are used for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum, unique

from cardbridge.layouts.der import (
    BOOLEAN,
    ENUMERATED,
    GENERALIZED_TIME,
    NULL,
    bits,
    constructed,
    integer,
    octets,
    oid,
    path,
    sequence,
    utf8,
)
from cardbridge.pcsc.tlv import Tlv

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
