"""NIR (French social security number) and INS (Identifiant National de Santé).

A NIR is 13 characters and a 2-digit key: sex (1/2, 7/8 for temporary numbers),
year (2), month (2; 20–42 and 50+ occur for unknown months), department (2, ``2A``/
``2B`` for Corsica), commune (3), order (3). The key is ``97 − (n mod 97)`` with ``2A``
read as ``19`` and ``2B`` as ``18`` (docs/domain.md §3).

The INS matricule is the patient's own NIR (or NIA); its OID says which
(:data:`INS_OIDS`). Test and demo cards use the test OID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from cardbridge.errors import InvalidInputError
from cardbridge.messages import inputs as say

_BODY = re.compile(r"[1278]\d{4}(?:\d{2}|2A|2B)\d{6}")


class InsKind(StrEnum):
    """Which registry an INS matricule comes from, or whether it is a test value."""

    NIR = "nir"
    NIA = "nia"
    TEST = "test"
    DEMO = "demo"


INS_OIDS: dict[InsKind, str] = {
    InsKind.NIR: "1.2.250.1.213.1.4.8",
    InsKind.NIA: "1.2.250.1.213.1.4.9",
    InsKind.TEST: "1.2.250.1.213.1.4.10",
    InsKind.DEMO: "1.2.250.1.213.1.4.11",
}


# Corsican departments are read as numbers for the key computation.
_CORSICA = {"2A": "19", "2B": "18"}


def nir_key(body: str) -> str:
    """The 2-digit key of a 13-character NIR body (Corsica handled)."""
    body = body.upper()
    digits = body[:5] + _CORSICA.get(body[5:7], body[5:7]) + body[7:]
    if len(digits) != 13 or not digits.isdigit():
        raise ValueError("a NIR body is 13 characters")
    return f"{97 - int(digits) % 97:02d}"


@dataclass(frozen=True, slots=True)
class Nir:
    """A NIR with a verified key."""

    body: str
    key: str

    @property
    def value(self) -> str:
        """The 15 characters, as written in an INS matricule."""
        return self.body + self.key

    @property
    def sex(self) -> int:
        """1 male, 2 female (temporary 7/8 map to 1/2)."""
        return {"1": 1, "2": 2, "7": 1, "8": 2}[self.body[0]]

    @property
    def temporary(self) -> bool:
        """Temporary numbers (7/8) are not a definitive identity."""
        return self.body[0] in "78"


def parse_nir(text: str, *, field: str = "nir") -> Nir:
    """Parse 13 characters (key computed) or 15 (key checked); spaces are ignored.

    Raises :class:`InvalidInputError` naming ``field`` and saying what is wrong.
    """
    compact = re.sub(r"\s", "", text).upper()
    if len(compact) not in (13, 15):
        raise InvalidInputError(say.NIR_LENGTH.format(length=len(compact)), field=field)
    body = compact[:13]
    if not _BODY.fullmatch(body):
        raise InvalidInputError(say.NIR_SHAPE, field=field)
    key = nir_key(body)
    if len(compact) == 15 and compact[13:] != key:
        raise InvalidInputError(say.NIR_KEY, field=field)
    return Nir(body, key)


INS_LENGTH = 15


def parse_ins(text: str, *, field: str = "ins") -> Nir:
    """Parse an INS matricule typed by a user: 15 characters, the key included and checked
    (spaces ignored). The key is never computed for a typed INS: from 13 characters a typo
    gives another valid number, which would open another patient's record."""
    compact = re.sub(r"\s", "", text)
    if len(compact) != INS_LENGTH:
        raise InvalidInputError(
            say.INS_LENGTH.format(length=INS_LENGTH, got=len(compact)), field=field
        )
    nir = parse_nir(compact[:13], field=field)
    if compact[13:] != nir.key:
        raise InvalidInputError(say.INS_KEY, field=field)
    return nir


def ins_kind(matricule: str, *, test: bool) -> InsKind:
    """The registry of an INS matricule: NIA for temporary numbers (7/8), else NIR; the test
    OID for test data (test Vitale cards, the emulator)."""
    if test:
        return InsKind.TEST
    return InsKind.NIA if matricule[0] in "78" else InsKind.NIR


def ins_cx(matricule: str, oid: str) -> str:
    """An INS in HL7 CX form, as the DMP expects it: ``<matricule>^^^&<oid>&ISO^NH``."""
    return f"{ins_cx_prefix(matricule)}{oid}&ISO^NH"


def ins_cx_prefix(matricule: str) -> str:
    """How the CX form of ``matricule`` starts, whatever the OID that follows."""
    return f"{matricule}^^^&"


# The CX form that :func:`ins_cx` writes, with any matricule and OID.
INS_CX = re.compile(r"[0-9AB]{15}\^\^\^&[0-9.]+&ISO\^NH")
