"""Layout of the Vitale 2 card (patient health-insurance card).

The emulator builds its cards from this module and the Vitale session reads cards
with it. Provenance, as in docs/domain.md §2:

- [spec] ATRs (:mod:`cardbridge.pcsc.atr`).
- [field] (cardpeek and others, on real cards) the AIDs "VITALE" and "MF_VITALE" (the
  DF name of the MF); the bearers' identity file in the MF, read by SFI 2, one
  ``65 { 80 last name, 81 first name, 82 birth date YYYYMMDD, 90 nationality }``
  template per bearer; in the VITALE application, the file read by SFI 2 with one
  ``65 { 93 NIR }`` template per bearer in the same order, the NIR being the insured's
  (ouvrant droit) 13 characters and 2-digit key; files zero-padded.
- [ours] — where the card keeps the insurance data is not public: the file with
  SFI 3 of the VITALE application holds ``E1 { 80 serial, 81 régime, 82 caisse,
  83 centre, 84 test flag }`` then one ``E2 { 80 birth name, 81 birth rank,
  82 qualité, 83 certified NIR }`` per bearer, in the same order. Also ours: the FIDs
  of these files, the nationality written by the emulator, UTF-8 text, and padding
  files to whole 64-byte blocks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cardbridge.errors import CardDataError
from cardbridge.layouts.encoding import (
    FileRef,
    byte_of,
    digits_of,
    optional_text_of,
    text_of,
    typical_atr,
    zero_padded,
)
from cardbridge.pcsc.atr import VITALE2
from cardbridge.pcsc.tlv import Tlv, iter_tlv, parse_dict

ATR_VITALE2 = typical_atr(VITALE2)
AID_VITALE = bytes.fromhex("D250000002564954414C45")
AID_MF_VITALE = bytes.fromhex("D2500000024D465F564954414C45")

MF = 0x3F00
EF_IDENTITY = FileRef(0x2F04, sfi=2)  # in the MF; FID ours, SFI [field]
EF_NIR = FileRef(0x2002, sfi=2)  # in VITALE; FID ours, SFI [field]
EF_INSURANCE = FileRef(0x2003, sfi=3)  # in VITALE; ours
FILE_BLOCK = 64
MAX_BEARERS = 6

TAG_BEARER = 0x65
TAG_LAST_NAME = 0x80
TAG_FIRST_NAME = 0x81
TAG_BIRTH_DATE = 0x82
TAG_NATIONALITY = 0x90
TAG_NIR = 0x93
TAG_INSURED = 0xE1
TAG_RIGHTS = 0xE2

NIR_LENGTH = 15


def pad_file(content: bytes) -> bytes:
    """File content as the card stores it: zero-padded (whole blocks: ours)."""
    return zero_padded(content, FILE_BLOCK)


def _templates(tag: int, data: bytes, what: str) -> list[dict[int, Tlv]]:
    """Each ``tag`` template of a padded file, as a dict of its children."""
    found = []
    for tlv in iter_tlv(data, padding=True):
        if tlv.tag != tag:
            raise CardDataError(f"{what}: expected tag {tag:X}, found {tlv.tag:X}")
        found.append(parse_dict(tlv.value))
    return found


@dataclass(frozen=True, slots=True)
class Bearer:
    """One bearer of the identity file. ``birth_date`` is as on the card (may be lunar)."""

    last_name: str
    first_name: str
    birth_date: str
    nationality: str | None = None

    def to_tlv(self) -> Tlv:
        objects = [
            Tlv.of(TAG_LAST_NAME, self.last_name),
            Tlv.of(TAG_FIRST_NAME, self.first_name),
            Tlv.of(TAG_BIRTH_DATE, self.birth_date),
        ]
        if self.nationality:
            objects.append(Tlv.of(TAG_NATIONALITY, self.nationality))
        return Tlv.of(TAG_BEARER, objects)

    @classmethod
    def from_objects(cls, objects: dict[int, Tlv]) -> Bearer:
        return cls(
            last_name=text_of(objects, TAG_LAST_NAME, "last name"),
            first_name=text_of(objects, TAG_FIRST_NAME, "first name"),
            birth_date=digits_of(objects, TAG_BIRTH_DATE, "birth date", 8),
            nationality=optional_text_of(objects, TAG_NATIONALITY),
        )


def encode_identity_file(bearers: Iterable[Bearer]) -> bytes:
    """Content of the MF identity file (before padding)."""
    return b"".join(bearer.to_tlv().to_bytes() for bearer in bearers)


def decode_identity_file(data: bytes) -> list[Bearer]:
    """Bearers of the MF identity file, in card order."""
    return [Bearer.from_objects(o) for o in _templates(TAG_BEARER, data, "identity file")]


def encode_nir_file(nirs: Iterable[str]) -> bytes:
    """Content of the VITALE NIR file: one ``65 { 93 NIR }`` per bearer."""
    return b"".join(Tlv.of(TAG_BEARER, [Tlv.of(TAG_NIR, nir)]).to_bytes() for nir in nirs)


def decode_nir_file(data: bytes) -> list[str]:
    """The 15-character NIRs (13 + key) of the NIR file, in card order."""
    nirs = []
    for objects in _templates(TAG_BEARER, data, "NIR file"):
        nir = text_of(objects, TAG_NIR, "NIR")
        if len(nir) != NIR_LENGTH or not nir.isascii() or not nir.isalnum():
            raise CardDataError(f"a NIR has {NIR_LENGTH} characters and its key")
        nirs.append(nir)
    return nirs


@dataclass(frozen=True, slots=True)
class BeneficiaryRights:
    """Insurance data of one bearer (ours): birth name, rank, qualité, certified NIR."""

    birth_name: str
    birth_rank: int
    quality: int
    certified_nir: str | None = None

    def to_tlv(self) -> Tlv:
        objects = [
            Tlv.of(0x80, self.birth_name),
            Tlv(0x81, bytes((self.birth_rank,))),
            Tlv(0x82, bytes((self.quality,))),
        ]
        if self.certified_nir:
            objects.append(Tlv.of(0x83, self.certified_nir))
        return Tlv.of(TAG_RIGHTS, objects)

    @classmethod
    def from_objects(cls, objects: dict[int, Tlv]) -> BeneficiaryRights:
        certified = optional_text_of(objects, 0x83)
        if certified is not None and len(certified) != NIR_LENGTH:
            raise CardDataError(f"a certified NIR has {NIR_LENGTH} characters")
        return cls(
            birth_name=text_of(objects, 0x80, "birth name"),
            birth_rank=byte_of(objects, 0x81, "birth rank"),
            quality=byte_of(objects, 0x82, "qualité"),
            certified_nir=certified,
        )


@dataclass(frozen=True, slots=True)
class InsuranceData:
    """The insurance file (ours): card serial, insured's scheme, one entry per bearer."""

    serial: str
    test: bool
    regime: str
    caisse: str
    centre: str
    beneficiaries: tuple[BeneficiaryRights, ...]

    def to_bytes(self) -> bytes:
        insured = Tlv.of(
            TAG_INSURED,
            [
                Tlv.of(0x80, self.serial),
                Tlv.of(0x81, self.regime),
                Tlv.of(0x82, self.caisse),
                Tlv.of(0x83, self.centre),
                Tlv(0x84, b"\x01" if self.test else b"\x00"),
            ],
        )
        rights = (b.to_tlv().to_bytes() for b in self.beneficiaries)
        return insured.to_bytes() + b"".join(rights)

    @classmethod
    def from_bytes(cls, data: bytes) -> InsuranceData:
        objects = list(iter_tlv(data, padding=True))
        if not objects or objects[0].tag != TAG_INSURED:
            raise CardDataError(f"insurance file: expected tag {TAG_INSURED:X} first")
        insured = parse_dict(objects[0].value)
        test = byte_of(insured, 0x84, "test card flag")
        if test > 1:
            raise CardDataError(f"test card flag must be 00 or 01, found {test:02X}")
        rights = []
        for tlv in objects[1:]:
            if tlv.tag != TAG_RIGHTS:
                raise CardDataError(f"insurance file: expected tag {TAG_RIGHTS:X}")
            rights.append(BeneficiaryRights.from_objects(parse_dict(tlv.value)))
        return cls(
            serial=text_of(insured, 0x80, "card serial number"),
            test=bool(test),
            regime=digits_of(insured, 0x81, "régime", 2),
            caisse=digits_of(insured, 0x82, "caisse", 3),
            centre=digits_of(insured, 0x83, "centre", 4),
            beneficiaries=tuple(rights),
        )
