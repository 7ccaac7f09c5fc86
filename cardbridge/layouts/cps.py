"""Layout of the CPS (Carte de Professionnel de Santé), CPS3 and CPS4 (IAS-ECC).

The emulator builds its cards from this module and the CPS session reads cards with
it, so that what a real card shows differently is corrected here only. Provenance, as
in docs/domain.md §1:

- [spec] ATRs (:mod:`cardbridge.pcsc.atr`); the PKCS#15 application AID and its
  SELECT behaviour (P2 ``00`` → ``6A86``, ``0C`` → ``9000``); paths starting at
  ``3F00``; EF.SN.ICC ``3F00/D003`` = ``5A`` + issuer ``80 25 00 00 01``; EF_ACTUA
  ``3F00/D010`` = ``EC { 81 start, 82 end }`` in BCD; situation files
  ``3F00/0001/D120``..``D12F``; private keys in DF ``3F00/0001``; DF ``3F00/0002``;
  the APDUs of :mod:`cardbridge.layouts.iasecc`.
- [field] EF.ATR ``3F00/2F01`` and its content, EF.DIR and the PKCS#15 lists
  (:mod:`cardbridge.layouts.cps_pkcs15`, with their own marks);
  IAS-ECC short identifiers: EF.ATR ``1D``, EF.SN.ICC ``1C`` (read from the MF); READ
  BINARY answers at most ``E7`` bytes (:data:`~cardbridge.layouts.iasecc.READ_BINARY_MAX`).
- [field] situation content ``EE { 84 name, 85 Struct_IdNat, 86 sector }``; PIN
  reference ``01`` (global, in the MF) and private key references ``81`` (signature)
  and ``82`` (authentication), as OpenSC's IAS-ECC driver and its users report them.
- [ours] — not public, defined by cardbridge, to be corrected after reading a real
  card: that the PKCS#15 application is DF ``3F00/0001`` (inferred from EF.DIR's size);
  the serial digits after the issuer in EF.SN.ICC (BCD); EF_ACTUA dates (card
  issue date, card expiry); the TLV layout of CPS_ID_CARD, CPS_NAME_PS and
  CPS_INFO_PS; where they and the two certificates sit (EFs of the PKCS#15
  application, with the FIDs and SFIs below); UTF-8 text everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum, unique

from cardbridge.errors import CardDataError
from cardbridge.layouts.encoding import (
    FilePath,
    FileRef,
    bcd_date,
    bcd_digits,
    byte_of,
    digits_of,
    first_object,
    optional_text_of,
    parse_bcd_date,
    parse_bcd_digits,
    template_of,
    text_of,
    typical_atr,
)
from cardbridge.pcsc.atr import CPS3, CPS4
from cardbridge.pcsc.tlv import Tlv, require

# --- Card and applications [spec] --------------------------------------------------

ATR_CPS3 = typical_atr(CPS3)
ATR_CPS4 = typical_atr(CPS4)
PKCS15_AID = bytes.fromhex("E828BD080F8025000001FF0010")
PKCS15_AID_CONTACTLESS = bytes.fromhex("E828BD080F8025000001FF0020")
ISSUER = bytes.fromhex("8025000001")

MF = 0x3F00
DF_KEYS = 0x0001
DF_0002 = 0x0002
EF_ATR: FilePath = (MF, 0x2F01)
EF_ATR_SFI = 0x1D
EF_SN_ICC: FilePath = (MF, 0xD003)
EF_SN_ICC_SFI = 0x1C
EF_ACTUA: FilePath = (MF, 0xD010)
FIRST_SITUATION_FID = 0xD120
MAX_SITUATIONS = 16

TAG_PAN = 0x5A
TAG_ACTUA = 0xEC
TAG_ACTUA_START = 0x81
TAG_ACTUA_END = 0x82
TAG_SITUATION = 0xEE
TAG_SITUATION_NAME = 0x84
TAG_SITUATION_STRUCTURE = 0x85
TAG_SITUATION_SECTOR = 0x86

# EF.ATR's content, EF.DIR and the PKCS#15 lists: cardbridge.layouts.cps_pkcs15.


def situation_path(index: int) -> FilePath:
    """Path of the practice situation file ``index`` (0 to 15)."""
    if not 0 <= index < MAX_SITUATIONS:
        raise ValueError(f"a CPS has at most {MAX_SITUATIONS} situations")
    return (MF, DF_KEYS, FIRST_SITUATION_FID + index)


# --- PIN and keys [field] ----------------------------------------------------------

PIN_REFERENCE = 0x01
# VERIFY with this P1 and no data resets the PIN's verified state (ISO 7816-4 §11.5.6)
# [official ISO; whether a real CPS accepts it: not seen, see docs/security.md].
VERIFY_RESET_STATUS = 0xFF
PIN_MIN_LENGTH = 4
PIN_MAX_LENGTH = 8
PUK_LENGTH = 8
PIN_BLOCK_LENGTH = 8
PIN_PAD = 0xFF


def pin_block(secret: str) -> bytes:
    """A PIN or PUK as VERIFY sends it [ours]: ASCII digits right-padded with ``FF`` to 8 bytes."""
    raw = secret.encode("ascii")
    return raw + bytes([PIN_PAD]) * (PIN_BLOCK_LENGTH - len(raw))


@unique
class KeyReference(IntEnum):
    """References of the two private keys (tag ``84`` of MSE SET)."""

    SIGNATURE = 0x81
    AUTHENTICATION = 0x82


# --- Data objects of the PKCS#15 application [ours] --------------------------------

EF_ID_CARD = FileRef(0xE001, sfi=1)
EF_NAME_PS = FileRef(0xE002, sfi=2)
EF_INFO_PS = FileRef(0xE003, sfi=3)
# Certificates: A001/A002 as real cards' file names suggest (docs/cps-card.md); which
# is which, and the SFIs, are ours.
EF_CERT_AUTHENTICATION = FileRef(0xA001, sfi=4)
EF_CERT_SIGNATURE = FileRef(0xA002, sfi=5)

TAG_ID_CARD = 0xE1
TAG_NAME_PS = 0xE2
TAG_INFO_PS = 0xE3


@dataclass(frozen=True, slots=True)
class ChipSerial:
    """EF.SN.ICC: the card's issuer identifier and serial number."""

    issuer: bytes
    serial: str

    @property
    def is_cps(self) -> bool:
        """The issuer of CPS cards (ANS), as the Cryptolib checks it."""
        return self.issuer == ISSUER

    def to_bytes(self) -> bytes:
        return Tlv(TAG_PAN, self.issuer + bcd_digits(self.serial)).to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> ChipSerial:
        value = first_object(TAG_PAN, data, "EF.SN.ICC").value
        if len(value) <= len(ISSUER):
            raise CardDataError("EF.SN.ICC is too short for an issuer and a serial number")
        issuer = value[: len(ISSUER)]
        return cls(issuer, parse_bcd_digits(value[len(ISSUER) :], "card serial number"))


@dataclass(frozen=True, slots=True)
class DataUpdate:
    """EF_ACTUA: the period of the card's data (ours: issue date and expiry)."""

    start: dt.date
    end: dt.date

    def to_bytes(self) -> bytes:
        return Tlv.of(
            TAG_ACTUA,
            [Tlv(TAG_ACTUA_START, bcd_date(self.start)), Tlv(TAG_ACTUA_END, bcd_date(self.end))],
        ).to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> DataUpdate:
        objects = template_of(TAG_ACTUA, data, "EF_ACTUA")
        return cls(
            parse_bcd_date(require(objects, TAG_ACTUA_START, "start date").value, "EF_ACTUA start"),
            parse_bcd_date(require(objects, TAG_ACTUA_END, "end date").value, "EF_ACTUA end"),
        )


@dataclass(frozen=True, slots=True)
class CardIdentity:
    """CPS_ID_CARD: ``E1 { 80 card type, 81 serial, 82 expiry (BCD), 83 test flag }``."""

    card_type: int
    serial: str
    expires: dt.date
    test: bool

    def to_bytes(self) -> bytes:
        return Tlv.of(
            TAG_ID_CARD,
            [
                Tlv(0x80, bytes((self.card_type,))),
                Tlv.of(0x81, self.serial),
                Tlv(0x82, bcd_date(self.expires)),
                Tlv(0x83, b"\x01" if self.test else b"\x00"),
            ],
        ).to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> CardIdentity:
        objects = template_of(TAG_ID_CARD, data, "CPS_ID_CARD")
        test = byte_of(objects, 0x83, "test card flag")
        if test > 1:
            raise CardDataError(f"test card flag must be 00 or 01, found {test:02X}")
        return cls(
            card_type=byte_of(objects, 0x80, "card type"),
            serial=text_of(objects, 0x81, "card serial number"),
            expires=parse_bcd_date(require(objects, 0x82, "expiry").value, "card expiry"),
            test=bool(test),
        )


@dataclass(frozen=True, slots=True)
class HolderName:
    """CPS_NAME_PS: ``E2 { 80 idNat_PS, 81 civility, 82 last name, 83 first name }``."""

    national_id: str
    civility: str
    last_name: str
    first_name: str

    def to_bytes(self) -> bytes:
        fields = (self.national_id, self.civility, self.last_name, self.first_name)
        return Tlv.of(
            TAG_NAME_PS, [Tlv.of(0x80 + i, text) for i, text in enumerate(fields)]
        ).to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> HolderName:
        objects = template_of(TAG_NAME_PS, data, "CPS_NAME_PS")
        return cls(
            national_id=text_of(objects, 0x80, "national id (idNat_PS)"),
            civility=text_of(objects, 0x81, "civility"),
            last_name=text_of(objects, 0x82, "last name"),
            first_name=text_of(objects, 0x83, "first name"),
        )


@dataclass(frozen=True, slots=True)
class ProfessionalInfo:
    """CPS_INFO_PS: ``E3 { 80 profession (G15), 81 speciality (R01) }``.

    The speciality comes last so that, as the Cryptolib shows it, the object ends with
    its 4 characters; it is absent for professions without one.
    """

    profession: str
    specialty: str | None

    def to_bytes(self) -> bytes:
        objects = [Tlv.of(0x80, self.profession)]
        if self.specialty:
            objects.append(Tlv.of(0x81, self.specialty))
        return Tlv.of(TAG_INFO_PS, objects).to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> ProfessionalInfo:
        objects = template_of(TAG_INFO_PS, data, "CPS_INFO_PS")
        return cls(
            profession=digits_of(objects, 0x80, "profession code (G15)", 2),
            specialty=optional_text_of(objects, 0x81),
        )


@dataclass(frozen=True, slots=True)
class SituationFile:
    """A practice situation file: ``EE { 84 name, 85 Struct_IdNat, 86 sector }``."""

    structure_id: str  # Struct_IdNat, the structure's national identifier
    name: str
    sector: str

    def to_bytes(self) -> bytes:
        return Tlv.of(
            TAG_SITUATION,
            [
                Tlv.of(TAG_SITUATION_NAME, self.name),
                Tlv.of(TAG_SITUATION_STRUCTURE, self.structure_id),
                Tlv.of(TAG_SITUATION_SECTOR, self.sector),
            ],
        ).to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> SituationFile:
        objects = template_of(TAG_SITUATION, data, "practice situation")
        return cls(
            structure_id=text_of(objects, TAG_SITUATION_STRUCTURE, "structure id"),
            name=text_of(objects, TAG_SITUATION_NAME, "structure name"),
            sector=text_of(objects, TAG_SITUATION_SECTOR, "sector of activity"),
        )
