"""Hypothesis strategies for valid emulator profiles (as dicts, the YAML schema)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from cardbridge.domain import terminologies
from cardbridge.domain.identifiers import luhn_is_valid
from cardbridge.domain.nir import nir_key

# Every letter of French names, accents and ligatures included.
FRENCH_LETTERS = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒabcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿæœ"
)


@st.composite
def names(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.text(FRENCH_LETTERS, min_size=1, max_size=10), min_size=1, max_size=3))
    separators = draw(
        st.lists(st.sampled_from([" ", "-", "'"]), min_size=len(words) - 1, max_size=len(words) - 1)
    )
    name = words[0]
    for separator, word in zip(separators, words[1:], strict=True):
        name += separator + word
    return name


@st.composite
def rpps(draw: st.DrawFn) -> str:
    stem = draw(st.text("0123456789", min_size=10, max_size=10))
    return next(stem + d for d in "0123456789" if luhn_is_valid(stem + d))


digits = lambda n: st.text("0123456789", min_size=n, max_size=n)  # noqa: E731


@st.composite
def national_ids(draw: st.DrawFn) -> str:
    """A personal idNat_PS: 8 + RPPS or 0 + ADELI."""
    if draw(st.booleans()):
        return "8" + draw(rpps())
    return "0" + draw(st.sampled_from(["75", "13", "2A", "2B", "69"])) + draw(digits(7))


@st.composite
def structure_bound_ids(draw: st.DrawFn) -> str:
    """The idNat_PS of structure staff (CPE, CPA cards): prefix 1, 3, 4, 5 or 6."""
    return draw(st.sampled_from("13456")) + draw(
        st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=16)
    )


@st.composite
def structure_ids(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["rpps", "siret", "siren", "finess"]))
    if kind == "rpps":
        return "4" + draw(rpps()) + draw(digits(3))
    if kind == "siret":
        return "3" + draw(digits(14))
    if kind == "siren":
        return "2" + draw(digits(9))
    return "1" + draw(digits(9))


situation_names = st.text(FRENCH_LETTERS + " -'0123456789", min_size=1, max_size=40).filter(
    lambda s: s.strip() != ""
)


@st.composite
def cps_profiles(draw: st.DrawFn) -> dict[str, Any]:
    profession = draw(st.sampled_from(sorted(terminologies.PROFESSIONS)))
    specialties = sorted(
        c for c, p in terminologies.SPECIALTY_PROFESSIONS.items() if p == profession
    )
    required = profession in terminologies.PROFESSIONS_REQUIRING_SPECIALTY
    specialty = (
        draw(st.sampled_from(specialties))
        if specialties and (required or draw(st.booleans()))
        else None
    )
    situations = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "structure_id": structure_ids(),
                    "name": situation_names,
                    "sector": st.sampled_from(sorted(terminologies.SECTORS)),
                }
            ),
            min_size=1,
            max_size=16,
        )
    )
    # 0 CPS, 1 CPF: personal ids; 2 CPE, 3 CPA: structure staff, whose certificates name
    # ``<structure>/<id>`` (the emulator takes the first situation's structure).
    card_type = draw(st.sampled_from([0, 1, 2, 3]))
    holder: dict[str, Any] = {
        "national_id": draw(structure_bound_ids() if card_type in (2, 3) else national_ids()),
        "civility": draw(st.sampled_from(["M", "MME", "DR", "PR"])),
        "last_name": draw(names()),
        "first_name": draw(names()),
        "profession": profession,
    }
    if specialty:
        holder["specialty"] = specialty
    return {
        "kind": "cps",
        "generation": draw(st.sampled_from(["cps3", "cps4"])),
        "test": draw(st.booleans()),
        "serial": draw(digits(10)),
        "card_type": card_type,
        "pin": draw(digits(4)),
        "puk": draw(digits(8)),
        "expires": str(draw(st.dates(dt.date(2027, 1, 1), dt.date(2040, 12, 31)))),
        "holder": holder,
        "situations": situations,
    }


@st.composite
def nirs(draw: st.DrawFn) -> str:
    """NIRs with their key: sex 1/2, or 7/8 for temporary numbers; months 01-12, or the
    20-42 and 50+ of unknown months; Corsican departments."""
    month = draw(st.one_of(st.integers(1, 12), st.integers(20, 42), st.integers(50, 99)))
    body = (
        draw(st.sampled_from("1278"))
        + draw(digits(2))
        + f"{month:02d}"
        + draw(st.sampled_from(["75", "13", "2A", "2B", "69", "01"]))
        + draw(digits(6))
    )
    return body + nir_key(body)


@st.composite
def birth_dates(draw: st.DrawFn) -> str:
    """Real dates and lunar ones (day or month beyond the calendar)."""
    year = draw(st.integers(1900, 2025))
    if draw(st.booleans()):
        return f"{year}{draw(st.integers(1, 12)):02d}{draw(st.integers(1, 28)):02d}"
    return f"{year}{draw(st.integers(0, 99)):02d}{draw(st.integers(0, 99)):02d}"


@st.composite
def vitale_profiles(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 6))
    beneficiaries = []
    for index in range(count):
        person: dict[str, Any] = {
            "last_name": draw(names()),
            "birth_name": draw(names()),
            "first_name": draw(names()),
            "birth_date": draw(birth_dates()),
            "birth_rank": draw(st.integers(1, 3)),
            "quality": 0
            if index == 0
            else draw(st.sampled_from(sorted(set(terminologies.QUALITIES) - {0}))),
        }
        if index and draw(st.booleans()):
            person["certified_nir"] = draw(nirs())
        beneficiaries.append(person)
    return {
        "kind": "vitale",
        "test": draw(st.booleans()),
        "serial": draw(digits(10)),
        "insured": {
            "nir": draw(nirs()),
            "regime": draw(st.sampled_from(["01", "02", "03", "10"])),
            "caisse": draw(digits(3)),
            "centre": draw(digits(4)),
        },
        "beneficiaries": beneficiaries,
    }
