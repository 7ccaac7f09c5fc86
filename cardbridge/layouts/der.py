"""A small DER writer over :class:`~cardbridge.pcsc.tlv.Tlv`, for the PKCS#15 lists.

Small on purpose: a card layout must also be able to write what real cards get wrong
(:func:`raw_flags`), which a strict ASN.1 library refuses. Its output is checked against
asn1crypto in the unit tests.
"""

from __future__ import annotations

from asn1crypto.core import ObjectIdentifier

from cardbridge.pcsc.tlv import Tlv

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
