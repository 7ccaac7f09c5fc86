"""Domain rules that emulator profiles must follow (DOMAIN.md §1–3), one small function each.

Each check raises :class:`ValueError` with a message for the user (pydantic then names
the field). They are interim: the domain modules (``cardbridge.domain.nir``,
``.codes`` and ``.identifiers``) become the one place for these facts, and these
functions then delegate to them.
"""

from __future__ import annotations

import re

# G15 professions (DOMAIN.md §1) and the two that need a speciality in the VIHF.
PROFESSIONS = {
    "10": "Médecin",
    "21": "Pharmacien",
    "26": "Chirurgien-dentiste",
    "28": "Sage-femme",
    "40": "Infirmier",
    "50": "Masseur-kinésithérapeute",
    "69": "Orthoptiste",
    "70": "Orthophoniste",
    "80": "Pédicure-podologue",
}
PROFESSIONS_REQUIRING_SPECIALTY = frozenset({"10", "21"})
CARD_TYPES = frozenset(range(5))  # 0 CPS, 1 CPF, 2 CPE, 3 CPA, 4 CSA
QUALITIES = frozenset({0, 1, 2, 3, 4, 5, 6, 8, 9})

_SPECIALTY = re.compile(r"S[A-Z]\d{2}")
_SECTOR = re.compile(r"SA\d{2}")
_NIR_BODY = re.compile(r"[1278]\d{4}(?:\d{2}|2[AB])\d{6}")
_ADELI = re.compile(r"\d{2}[0-9AB]\d{6}")
_STRUCTURE_ID = re.compile(r"[0-6][0-9A-Z]{1,21}")


def nir_key(body: str) -> int:
    """The 2-digit key of a 13-character NIR (``2A``/``2B`` count as 19/18)."""
    return 97 - int(body.replace("2A", "19").replace("2B", "18")) % 97


def normalize_nir(text: str) -> str:
    """The 15-character NIR: the key is computed from 13 characters, checked on 15."""
    text = text.replace(" ", "").upper()
    body, key = text[:13], text[13:]
    if len(text) not in (13, 15) or not _NIR_BODY.fullmatch(body):
        raise ValueError("a NIR has 13 characters (sex, year, month, department, commune, order)")
    expected = f"{nir_key(body):02d}"
    if key and key != expected:
        raise ValueError(f"wrong NIR key {key} (the key of {body} is {expected})")
    return body + expected


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def check_national_id(text: str) -> str:
    """idNat_PS of a practitioner: ``8`` + RPPS (11 digits, Luhn) or ``0`` + ADELI (9)."""
    if len(text) == 12 and text.startswith("8") and text.isdigit():
        if not luhn_valid(text[1:]):
            raise ValueError(f"the RPPS number {text[1:]} fails its check digit")
        return text
    if len(text) == 10 and text.startswith("0") and _ADELI.fullmatch(text[1:]):
        return text
    raise ValueError("expected 8 + RPPS (11 digits) or 0 + ADELI (9 characters)")


def check_structure_id(text: str) -> str:
    """Struct_IdNat: a type prefix (0 ADELI, 1 FINESS, 2 SIREN, 3 SIRET, 4 RPPS…) and the id."""
    if not _STRUCTURE_ID.fullmatch(text):
        raise ValueError("expected a structure id: a type digit then its identifier")
    return text


def check_profession(code: str) -> str:
    if code not in PROFESSIONS:
        raise ValueError(f"unknown profession code {code!r} (G15)")
    return code


def check_specialty(code: str) -> str:
    if not _SPECIALTY.fullmatch(code):
        raise ValueError(f"unknown speciality code {code!r} (R01, like SM26)")
    return code


def check_sector(code: str) -> str:
    if not _SECTOR.fullmatch(code):
        raise ValueError(f"unknown sector of activity {code!r} (like SA07)")
    return code


def check_quality(quality: int) -> int:
    if quality not in QUALITIES:
        raise ValueError(f"unknown qualité {quality} (0-6, 8 or 9)")
    return quality


def check_card_type(card_type: int) -> int:
    if card_type not in CARD_TYPES:
        raise ValueError("card_type is 0 CPS, 1 CPF, 2 CPE, 3 CPA or 4 CSA")
    return card_type
