"""National identifiers of health professionals and structures.

Rules from docs/domain.md §1 "Identifiers and codes" [spec]:

- idNat_PS (practitioner national id): ``8`` + RPPS (11 digits, Luhn key), ``0`` + ADELI
  (9 characters); prefixes ``1``/``3``/``4``/``5``/``6`` are ids bound to a structure.
- Struct_IdNat (structure national id): ``0`` + ADELI of a practice, ``1`` + FINESS,
  ``2`` + SIREN, ``3`` + SIRET, ``4`` + RPPS + rang (3 digits).

Every function is pure and total: it answers ``None``/``False`` for a value that does not
follow the rules, and the caller raises the error that fits its context.
"""

from __future__ import annotations

import re
from enum import StrEnum

NATIONAL_ID_OID = "1.2.250.1.71.4.2.1"
"""OID of idNat_PS, the national id of a health professional."""

STRUCTURE_ID_OID = "1.2.250.1.71.4.2.2"
"""OID of Struct_IdNat, the national id of a health structure."""

_DIGITS = re.compile(r"[0-9]+")
# ADELI and FINESS numbers start with a department code, which is "2A"/"2B" for Corsica.
_DEPARTMENT_CODED = re.compile(r"(?:[0-9]{2}|2[AB])[0-9]{7}")


class PractitionerIdType(StrEnum):
    """What the idNat_PS of a professional is built from (its first character)."""

    RPPS = "RPPS"
    ADELI = "ADELI"
    STRUCTURE_BOUND = "STRUCTURE_BOUND"  # staff ids bound to a structure (prefixes 1, 3-6)


class StructureIdType(StrEnum):
    """What a Struct_IdNat is built from (its first character)."""

    ADELI = "ADELI"  # 0: a practice known by the ADELI number of its professional
    FINESS = "FINESS"  # 1
    SIREN = "SIREN"  # 2
    SIRET = "SIRET"  # 3
    RPPS = "RPPS"  # 4: RPPS of the professional + 3-digit rang of the practice


def luhn_is_valid(digits: str) -> bool:
    """Whether ``digits`` (ASCII digits only, the last being the key) pass the Luhn check."""
    if not _DIGITS.fullmatch(digits):
        return False
    total = 0
    # Every second digit from the right, the key excluded, counts double (minus 9 above 9).
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def is_valid_rpps(rpps: str) -> bool:
    """Whether ``rpps`` is an RPPS number: 11 digits whose last is a Luhn key."""
    return len(rpps) == 11 and luhn_is_valid(rpps)


def is_valid_adeli(adeli: str) -> bool:
    """Whether ``adeli`` has the shape of an ADELI number (9 characters, department first)."""
    return _DEPARTMENT_CODED.fullmatch(adeli) is not None


def practitioner_id_type(national_id: str) -> PractitionerIdType | None:
    """The type of an idNat_PS, or ``None`` when it is not one.

    ``8`` must be followed by a valid RPPS and ``0`` by an ADELI number; the
    structure-bound prefixes are only checked for a non-empty rest, their layout not
    being needed here.
    """
    prefix, rest = national_id[:1], national_id[1:]
    if prefix == "8":
        return PractitionerIdType.RPPS if is_valid_rpps(rest) else None
    if prefix == "0":
        return PractitionerIdType.ADELI if is_valid_adeli(rest) else None
    if prefix in ("1", "3", "4", "5", "6") and rest:
        return PractitionerIdType.STRUCTURE_BOUND
    return None


def structure_id_type(structure_id: str) -> StructureIdType | None:
    """The type of a Struct_IdNat, or ``None`` when it is not one.

    Lengths and check keys are verified where docs/domain.md gives them: RPPS keys are Luhn;
    SIREN/SIRET keys are not checked (some SIRETs, La Poste's, do not follow Luhn).
    """
    prefix, rest = structure_id[:1], structure_id[1:]
    if prefix == "0" and is_valid_adeli(rest):
        return StructureIdType.ADELI
    if prefix == "1" and len(rest) == 9 and rest.isascii() and rest.isalnum():
        return StructureIdType.FINESS
    if prefix == "2" and len(rest) == 9 and _DIGITS.fullmatch(rest):
        return StructureIdType.SIREN
    if prefix == "3" and len(rest) == 14 and _DIGITS.fullmatch(rest):
        return StructureIdType.SIRET
    if (
        prefix == "4"
        and len(rest) == 14
        and is_valid_rpps(rest[:11])
        and _DIGITS.fullmatch(rest[11:])
    ):
        return StructureIdType.RPPS
    return None


def is_structure_bound_card(card_type: int) -> bool:
    """Whether a CPS card type is that of structure staff: 2 CPE/CDE or 3 CPA.

    The certificates of such cards name ``<Struct_IdNat>/<internal id>`` in CN instead of
    a personal idNat_PS (docs/domain.md §1 "Certificates").
    """
    return card_type in (2, 3)
