"""IAS-ECC formats used by the CPS: security environments, PSO HASH data, PIN status objects.

Provenance (docs/domain.md §1 and OpenSC's ``iasecc`` driver, which reads these cards):
- [spec] MSE SET ``00 22 41 B6`` (signature) / ``41 A4`` (authentication) with data
  ``80 01 <algorithm>`` ``84 <len> <key reference>``; the algorithm identifiers below.
- [spec] PSO HASH ``00 2A 90 A0`` data: ``90 <digest>`` (final hash), or
  ``90 <intermediate state || 8-byte count of bits hashed>`` (``90 00`` when nothing was
  hashed yet) followed by ``80 <remaining bytes>``, the card performing the last step.
- [spec] PIN status: GET DATA ``00 CB 3F FF`` with ``4D 08 70 06 BF 81 <ref> 02 A0 80``
  answered by ``BF 81 <ref> { A0 { 9A max tries, 9B tries left, 9D usage } }``.
- [field] READ BINARY returns at most ``E7`` (231) bytes at a time (OpenSC reads the
  rest when it gets exactly that many; the Cryptolib reads ``E7`` chunks).
- [ours] the value of ``9D`` (the emulator reports ``FF``: no usage limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, unique

from cardbridge import split_sha256
from cardbridge.errors import CardDataError
from cardbridge.pcsc.tlv import Tlv, TlvError, parse_all, parse_dict, parse_one, require

READ_BINARY_MAX = 0xE7
"""Most bytes an IAS-ECC card returns to one short READ BINARY."""

GET_DATA_P1P2 = 0x3FFF
"""P1-P2 of GET DATA (odd INS ``CB``) addressing the current DF's security objects."""

PSO_HASH_P1P2 = 0x90A0
PSO_CDS_P1P2 = 0x9E9A
MSE_SET_P1 = 0x41
MSE_RESTORE_P1 = 0xF3


@unique
class Crt(IntEnum):
    """Control reference templates of MSE SET (its P2)."""

    AUTHENTICATION = 0xA4
    DIGITAL_SIGNATURE = 0xB6
    HASH = 0xAA
    """The hash template: OpenSC sets it before the signature template (``80 01 <hash>``)."""


@unique
class Algorithm(IntEnum):
    """IAS-ECC algorithm references (tag ``80`` of MSE SET)."""

    RSA_PKCS1 = 0x02
    """PKCS#1 v1.5 padding of the data given (a DigestInfo): INTERNAL AUTHENTICATE."""
    RSA_PKCS1_SHA1 = 0x12
    RSA_PKCS1_SHA256 = 0x42
    SHA1 = 0x10
    SHA256 = 0x40


ALGORITHM_DIGEST_SIZE = {Algorithm.RSA_PKCS1_SHA1: 20, Algorithm.RSA_PKCS1_SHA256: 32}

TAG_ALGORITHM = 0x80
TAG_PRIVATE_KEY = 0x84
TAG_HASH = 0x90
TAG_HASH_REMAINDER = 0x80

TAG_HEADER_LIST = 0x4D
TAG_SDO_TEMPLATE = 0x70
SDO_CLASS_PIN = 0x81  # IAS-ECC class 01 (PIN) with bit 8 set, as in the SDO tag
SDO_CLASS_PRIVATE_KEY = 0x90  # class 10 (RSA private key), bit 8 set
TAG_PIN_DATA = 0x7F41  # a PIN's public data: 80 maximum length, 81 minimum length
TAG_PRIVATE_KEY_DATA = 0x7F48
TAG_DOCP_SIZE = 0x80
TAG_ACLS = 0xA1
TAG_ACLS_CONTACT = 0x8C
TAG_DOCP = 0xA0
TAG_TRIES_MAX = 0x9A
TAG_TRIES_LEFT = 0x9B
TAG_USAGE = 0x9D
USAGE_UNLIMITED = 0xFF
COUNTER_SIZE = 8


def pin_sdo_tag(reference: int) -> int:
    """The tag of a PIN security data object (``BF 81 <ref>``)."""
    return 0xBF8100 | reference


def mse_set_data(algorithm: Algorithm, key_reference: int) -> bytes:
    """Data of MSE SET for one key and algorithm."""
    return (
        Tlv(TAG_ALGORITHM, bytes((algorithm,))).to_bytes()
        + Tlv(TAG_PRIVATE_KEY, bytes((key_reference,))).to_bytes()
    )


@dataclass(frozen=True, slots=True)
class SecurityEnvironment:
    """What MSE SET selected: an algorithm and a private key (none for the hash template)."""

    algorithm: int
    key_reference: int | None

    @classmethod
    def from_bytes(cls, data: bytes, *, key: bool = True) -> SecurityEnvironment:
        objects = parse_dict(data)
        algorithm = require(objects, TAG_ALGORITHM, "algorithm reference").value
        if len(algorithm) != 1:
            raise CardDataError("an algorithm reference is one byte")
        if not key:
            return cls(algorithm[0], None)
        reference = require(objects, TAG_PRIVATE_KEY, "private key reference").value
        if len(reference) != 1:
            raise CardDataError("a key reference is one byte")
        return cls(algorithm[0], reference[0])


def pin_status_query(reference: int) -> bytes:
    """Data of the GET DATA that reads the status of PIN ``reference``."""
    wanted = Tlv(pin_sdo_tag(reference), bytes((TAG_DOCP, 0x80)))
    return Tlv.of(TAG_HEADER_LIST, [Tlv.of(TAG_SDO_TEMPLATE, [wanted])]).to_bytes()


def sdo_answer(sdo_tag: int, objects: list[Tlv]) -> bytes:
    """A GET DATA answer as IAS-ECC cards give it: ``70 { BF xx ref { objects } }``."""
    return Tlv.of(TAG_SDO_TEMPLATE, [Tlv.of(sdo_tag, objects)]).to_bytes()


def acls_object(contact: bytes) -> Tlv:
    """``A1 { 8C <access mode> <conditions> }``: what a security object allows, and when."""
    return Tlv.of(TAG_ACLS, [Tlv(TAG_ACLS_CONTACT, contact)])


def parse_status_query(data: bytes) -> tuple[int, bytes]:
    """``(SDO tag, requested tags)`` of a GET DATA header list (the card side)."""
    outer = Tlv(TAG_HEADER_LIST, _unpack(TAG_HEADER_LIST, data))
    template = _unpack(TAG_SDO_TEMPLATE, outer.value)
    sdo, end = parse_one(template)
    if end != len(template) or sdo.tag >> 16 != 0xBF:
        raise TlvError("expected one security data object reference")
    return sdo.tag, sdo.value


def _unpack(tag: int, data: bytes) -> bytes:
    tlv, end = parse_one(data)
    if tlv.tag != tag or end != len(data):
        raise TlvError(f"expected one object with tag {tag:X}")
    return tlv.value


@dataclass(frozen=True, slots=True)
class PinSecurityObject:
    """Tries of a PIN as its security data object tells them."""

    reference: int
    max_tries: int
    tries_left: int
    usage: int = USAGE_UNLIMITED

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0

    def to_bytes(self) -> bytes:
        docp = Tlv.of(
            TAG_DOCP,
            [
                Tlv(TAG_TRIES_MAX, bytes((self.max_tries,))),
                Tlv(TAG_TRIES_LEFT, bytes((self.tries_left,))),
                Tlv(TAG_USAGE, bytes((self.usage,))),
            ],
        )
        return Tlv.of(pin_sdo_tag(self.reference), [docp]).to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> PinSecurityObject:
        sdo = parse_one(data)[0]
        if sdo.tag == TAG_SDO_TEMPLATE:  # IAS-ECC allows the answer wrapped in the SDO template
            sdo = parse_one(sdo.value)[0]
        if sdo.tag >> 8 != 0xBF81:
            raise TlvError(f"expected a PIN object (BF81xx), found {sdo.tag:X}")
        docp = parse_dict(require(parse_dict(sdo.value), TAG_DOCP, "PIN control parameters").value)
        counters = [
            require(docp, tag, what).value
            for tag, what in ((TAG_TRIES_MAX, "maximum tries"), (TAG_TRIES_LEFT, "tries left"))
        ]
        if any(len(value) != 1 for value in counters):
            raise CardDataError("PIN try counters are one byte each")
        usage = docp.get(TAG_USAGE)
        return cls(
            sdo.tag & 0xFF,
            counters[0][0],
            counters[1][0],
            usage.value[0] if usage is not None and len(usage.value) == 1 else USAGE_UNLIMITED,
        )


def final_hash_data(digest: bytes) -> bytes:
    """PSO HASH data when the host computed the whole hash."""
    return Tlv(TAG_HASH, digest).to_bytes()


def partial_hash_data(message: bytes) -> bytes:
    """PSO HASH data leaving the last SHA-256 step (the last partial block) to the card."""
    state, bits, remaining = split_sha256.split(message)
    hashed = state + bits.to_bytes(COUNTER_SIZE, "big") if bits else b""
    return Tlv(TAG_HASH, hashed).to_bytes() + Tlv(TAG_HASH_REMAINDER, remaining).to_bytes()


def digest_from_hash_data(data: bytes, digest_size: int) -> bytes:
    """The digest that PSO HASH ``data`` designates (the card side).

    A final hash must have ``digest_size`` bytes; the two-part form is SHA-256 only.
    Raises :class:`CardDataError` on anything else.
    """
    objects = parse_all(data)
    tags = [tlv.tag for tlv in objects]
    if tags == [TAG_HASH]:
        if len(objects[0].value) != digest_size:
            raise CardDataError(f"a final hash of {digest_size} bytes was expected")
        return objects[0].value
    if tags != [TAG_HASH, TAG_HASH_REMAINDER] or digest_size != split_sha256.DIGEST_SIZE:
        raise CardDataError("PSO HASH data is 90 (digest), or 90 (state) 80 (rest) for SHA-256")
    hashed, remaining = objects[0].value, objects[1].value
    if not hashed:
        return split_sha256.finish(split_sha256.INITIAL_STATE, 0, remaining)
    if len(hashed) != split_sha256.STATE_SIZE + COUNTER_SIZE:
        raise CardDataError("an intermediate SHA-256 state has 32 bytes and an 8-byte counter")
    bits = int.from_bytes(hashed[split_sha256.STATE_SIZE :], "big")
    try:
        return split_sha256.finish(hashed[: split_sha256.STATE_SIZE], bits, remaining)
    except ValueError as error:
        raise CardDataError(f"intermediate hash refused: {error}") from None
