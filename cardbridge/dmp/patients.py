"""Patient selection for DMP access: by INS matricule, or by identity criteria.

The DMP web access offers three ways to find a patient: a beneficiary of the Vitale
card in a reader (see :mod:`cardbridge.dmp.access`), an INS matricule, or identity
criteria (docs/domain.md §4). Each ends in a :class:`PatientReference`: the INS with its
OID when known, the identity traits otherwise. Every refusal names its field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator, model_validator

from cardbridge.cards.models import VitaleCard
from cardbridge.dmp.fields import field_error
from cardbridge.domain.nir import (
    INS_CX,
    INS_OIDS,
    ins_cx,
    ins_cx_prefix,
    ins_kind,
    parse_ins,
    parse_nir,
)
from cardbridge.errors import InvalidInputError
from cardbridge.messages import inputs as say

# Letters (French accents included), spaces, hyphens, apostrophes; as civil registers write.
_NAME = re.compile(r"[^\W\d_]+(?:[ '\-’][^\W\d_]+)*")
# [0-9], not \d: Python's \d matches the digits of every script.
_DEPARTMENT = re.compile(r"0[1-9]|[1-8][0-9]|9[0-5]|2[AB]|97[1-6]|99")
_DAY = re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4}")
_YEAR = re.compile(r"[0-9]{4}")
MAX_AGE = 130
# Given in the OpenAPI document; checked by the validators, whose messages say more.
_DAY_SCHEMA: dict[str, JsonValue] = {"pattern": f"^{_DAY.pattern}$"}


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


class InsReference(BaseModel):
    """An INS: 15-character matricule and the OID of its registry."""

    model_config = ConfigDict(frozen=True)

    # The demo Vitale card's insured, with the OID of test data.
    value: str = Field(min_length=15, max_length=15, examples=["155067200010159"])
    oid: str = Field(examples=["1.2.250.1.213.1.4.10"])

    @property
    def cx(self) -> str:
        """HL7 CX form used in the VIHF and XDS metadata."""
        return ins_cx(self.value, self.oid)


def _check_name(value: str) -> str:
    value = " ".join(value.split())
    if not _NAME.fullmatch(value):
        raise ValueError(say.NAME_LETTERS)
    return value.upper()


def _parse_day(value: str) -> date:
    wrong = ValueError(say.DAY_EXPECTED)
    if not _DAY.fullmatch(value):  # strptime alone takes 1/6/1955
        raise wrong
    try:
        day = datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise wrong from None
    if day > date.today():
        raise ValueError(say.BIRTH_IN_FUTURE)
    return day


class IdentityCriteria(BaseModel):
    """Search criteria of the DMP web access: names, first name and sex are mandatory."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    last_name: str = Field(
        min_length=1, max_length=100, description="Usage or birth name.", examples=["LE QUINIO"]
    )
    first_name: str = Field(min_length=1, max_length=100, examples=["Louise"])
    sex: Sex
    birth_date: str | None = Field(
        None, description="JJ/MM/AAAA", examples=["28/02/2015"], json_schema_extra=_DAY_SCHEMA
    )
    birth_year: str | None = Field(
        None, description="AAAA", examples=["2015"], json_schema_extra={"pattern": "^[0-9]{4}$"}
    )
    birth_date_from: str | None = Field(
        None, description="JJ/MM/AAAA, with birth_date_to", json_schema_extra=_DAY_SCHEMA
    )
    birth_date_to: str | None = Field(
        None, description="JJ/MM/AAAA, with birth_date_from", json_schema_extra=_DAY_SCHEMA
    )
    age: int | None = Field(None, ge=0, le=MAX_AGE)
    age_min: int | None = Field(None, ge=0, le=MAX_AGE)
    age_max: int | None = Field(None, ge=0, le=MAX_AGE)
    birth_department: str | None = Field(None, description="01–95, 2A, 2B, 971–976, 99 abroad")

    _names = field_validator("last_name", "first_name")(_check_name)

    @field_validator("birth_date", "birth_date_from", "birth_date_to")
    @classmethod
    def _day(cls, value: str | None) -> str | None:
        if value is not None:
            _parse_day(value)
        return value

    @field_validator("birth_year")
    @classmethod
    def _year(cls, value: str | None) -> str | None:
        if value is not None and (
            not _YEAR.fullmatch(value) or not 1880 <= int(value) <= date.today().year
        ):
            raise ValueError(say.YEAR_EXPECTED)
        return value

    @field_validator("birth_department")
    @classmethod
    def _department(cls, value: str | None) -> str | None:
        if value is not None and not _DEPARTMENT.fullmatch(value.upper()):
            raise ValueError(say.DEPARTMENT_EXPECTED)
        return value.upper() if value else value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        birth_ways = [
            name
            for name, given in (
                ("birth_date", self.birth_date is not None),
                ("birth_year", self.birth_year is not None),
                (
                    "birth_date_from" if self.birth_date_from is not None else "birth_date_to",
                    self.birth_date_from is not None or self.birth_date_to is not None,
                ),
            )
            if given
        ]
        if len(birth_ways) > 1:
            raise field_error(
                self,
                birth_ways[1],
                f"give a birth date, a birth year or a range of dates, not several "
                f"({' and '.join(birth_ways)})",
            )
        if (self.birth_date_from is None) != (self.birth_date_to is None):
            missing = "birth_date_to" if self.birth_date_to is None else "birth_date_from"
            raise field_error(
                self, missing, "a range of birth dates needs birth_date_from and birth_date_to"
            )
        if (
            self.birth_date_from
            and self.birth_date_to
            and (_parse_day(self.birth_date_from) > _parse_day(self.birth_date_to))
        ):
            raise field_error(self, "birth_date_to", "birth_date_to is before birth_date_from")
        if self.age is not None and (self.age_min is not None or self.age_max is not None):
            range_field = "age_min" if self.age_min is not None else "age_max"
            raise field_error(self, range_field, "give an age or an age range, not both")
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise field_error(self, "age_max", "age_max is less than age_min")
        return self


class PatientReference(BaseModel):
    """The patient a DMP access is about: the INS when known, the traits otherwise."""

    model_config = ConfigDict(frozen=True)

    source: Literal["vitale", "ins", "criteria"]
    ins: InsReference | None = None
    last_name: str | None = None
    first_name: str | None = None
    sex: Sex | None = None
    birth_date: str | None = Field(
        None, description="As given: YYYYMMDD from a Vitale card, JJ/MM/AAAA or AAAA typed"
    )
    criteria: IdentityCriteria | None = None

    @property
    def journal_key(self) -> str:
        """How the access journal names this patient: the INS, else the traits."""
        if self.ins is not None:
            return self.ins.cx
        traits = (self.last_name, self.first_name, self.sex, self.birth_date)
        return TRAITS_PREFIX + "|".join(value or "" for value in traits)


TRAITS_PREFIX = "traits:"


@dataclass(frozen=True, slots=True)
class JournalPatient:
    """A patient as a journal filter names them: ``key``, a journal key exactly as
    recorded (INS in CX form, or traits), or ``key_prefix``, how the keys of an INS
    matricule start whatever the OID it was recorded with."""

    key: str | None = None
    key_prefix: str | None = None


def journal_patient(text: str) -> JournalPatient:
    """Read a journal filter's patient: ``295109912611193`` (15 characters, spaces allowed,
    key checked), ``295109912611193^^^&1.2.250.1.213.1.4.8&ISO^NH``, or
    ``traits:NAME|FIRST NAME|SEX|BIRTH`` as recorded."""
    text = text.strip()
    if text.startswith(TRAITS_PREFIX):
        return JournalPatient(key=text)
    if INS_CX.fullmatch(text):
        parse_nir(text.split("^", 1)[0], field="patient")  # a wrong key finds nothing: say so
        return JournalPatient(key=text)
    if re.fullmatch(r"[0-9A-Za-z ]+", text):
        matricule = parse_ins(text, field="patient").value
        return JournalPatient(key_prefix=ins_cx_prefix(matricule))
    raise InvalidInputError(say.PATIENT_REFERENCE.format(prefix=TRAITS_PREFIX), field="patient")


def patient_from_ins(matricule: str, *, test: bool = False) -> PatientReference:
    """A reference from an INS matricule typed by the user: 15 characters, key checked."""
    nir = parse_ins(matricule, field="ins")
    kind = ins_kind(nir.value, test=test)
    return PatientReference(source="ins", ins=InsReference(value=nir.value, oid=INS_OIDS[kind]))


def patient_from_criteria(criteria: IdentityCriteria) -> PatientReference:
    """A reference from identity criteria (no INS: the DMP search resolves it)."""
    return PatientReference(
        source="criteria",
        last_name=criteria.last_name,
        first_name=criteria.first_name,
        sex=criteria.sex,
        birth_date=criteria.birth_date or criteria.birth_year,
        criteria=criteria,
    )


def patient_from_beneficiary(card: VitaleCard, index: int) -> PatientReference:
    """A reference to beneficiary ``index`` of a Vitale card (INS when the card gives one)."""
    if not 0 <= index < len(card.beneficiaries):
        count = len(card.beneficiaries)
        raise InvalidInputError(
            say.BENEFICIARY_UNKNOWN.format(count=count, last=count - 1), field="beneficiary"
        )
    person = card.beneficiaries[index]
    return PatientReference(
        source="vitale",
        ins=InsReference(value=person.ins.value, oid=person.ins.oid) if person.ins else None,
        last_name=person.last_name,
        first_name=person.first_name,
        birth_date=person.birth_date_raw,
    )


class VitaleBeneficiary(BaseModel):
    """A beneficiary of the Vitale card in a reader, by its index on the card."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    beneficiary: int = Field(ge=0, le=15, examples=[0])
    reader: str | None = Field(None, max_length=256, description="Default: found by type")


class PatientSelector(BaseModel):
    """How the clinician chose the patient: exactly one of the three ways."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    vitale: VitaleBeneficiary | None = None
    ins: str | None = Field(
        None,
        max_length=32,
        description="INS matricule: NIR or NIA with its key, 15 characters (spaces "
        "allowed); the key is checked, never computed",
        examples=["1 55 06 72 000 101 59", "155067200010159"],
    )
    criteria: IdentityCriteria | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        ways = ("vitale", "ins", "criteria")
        given = [name for name in ways if getattr(self, name) is not None]
        if len(given) != 1:
            raise field_error(
                self,
                given[1] if given else ways[0],
                "choose the patient one way: a Vitale beneficiary (vitale), an INS (ins) or "
                "identity criteria (criteria)" + (f", not {' and '.join(given)}" if given else ""),
            )
        return self
