"""Patient selection: INS matricules and identity criteria, each refusal naming its field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from cardbridge.dmp.patients import (
    IdentityCriteria,
    JournalPatient,
    PatientSelector,
    journal_patient,
    patient_from_criteria,
    patient_from_ins,
)
from cardbridge.errors import InvalidInputError

BASE: dict[str, Any] = {"last_name": "Le Quinio", "first_name": "Léa-Marie", "sex": "F"}


def test_ins_with_key() -> None:
    patient = patient_from_ins("2 95 10 99 126 111 93")
    assert patient.ins is not None
    assert patient.ins.cx == "295109912611193^^^&1.2.250.1.213.1.4.8&ISO^NH"
    assert patient.journal_key == patient.ins.cx


def test_nia_and_test_oids() -> None:
    nia = patient_from_ins("755067200010150")  # key 50 = 97 - (7550672000101 mod 97)
    assert nia.ins is not None
    assert nia.ins.oid == "1.2.250.1.213.1.4.9"
    test = patient_from_ins("295109912611193", test=True)
    assert test.ins is not None
    assert test.ins.oid == "1.2.250.1.213.1.4.10"


def test_bad_ins_names_the_field() -> None:
    with pytest.raises(InvalidInputError, match=r"^ins: the key does not match") as caught:
        patient_from_ins("295109912611194")
    assert caught.value.field == "ins"


@pytest.mark.parametrize("typed", ["2951099126111", "2 95 10 99 126 111", "29510991261119"])
def test_a_typed_ins_without_its_key_is_refused(typed: str) -> None:
    """13 characters used to be completed with their computed key: a typo in them gave
    another valid INS, another patient's record. The key is now required."""
    with pytest.raises(InvalidInputError) as caught:
        patient_from_ins(typed)
    assert caught.value.field == "ins"
    assert "an INS has 15 characters" in caught.value.message
    assert "Type the key too" in caught.value.message


def test_a_typo_in_a_typed_ins_is_caught_by_its_key() -> None:
    # 2 95 10 99 126 111 93 (docs/domain.md's example) with two digits swapped: the
    # 13 characters are another valid NIR, but the key no longer matches them.
    with pytest.raises(InvalidInputError, match="key does not match") as caught:
        patient_from_ins("2 95 10 99 162 111 93")
    assert caught.value.field == "ins"


def test_criteria_normalised() -> None:
    criteria = IdentityCriteria(**BASE, birth_date="01/02/2015", birth_department="2a")
    patient = patient_from_criteria(criteria)
    assert (patient.last_name, patient.first_name) == ("LE QUINIO", "LÉA-MARIE")
    assert criteria.birth_department == "2A"
    assert patient.journal_key == "traits:LE QUINIO|LÉA-MARIE|F|01/02/2015"


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"last_name": "Dupont3"}, "last_name", "letters"),
        ({"first_name": ""}, "first_name", "at least 1"),
        ({"sex": "X"}, "sex", "'M' or 'F'"),
        ({"birth_date": "31/02/2015"}, "birth_date", "real date"),
        ({"birth_date": "2015-02-01"}, "birth_date", "JJ/MM/AAAA"),
        ({"birth_date": "1/2/2015"}, "birth_date", "JJ/MM/AAAA"),
        ({"birth_date_from": "01/2/2015"}, "birth_date_from", "JJ/MM/AAAA"),
        ({"birth_date": "01/01/2999"}, "birth_date", "future"),
        ({"birth_year": "15"}, "birth_year", "AAAA"),
        ({"birth_year": "١٩٨٠"}, "birth_year", "AAAA"),  # digits of another script
        ({"birth_department": "٧٥"}, "birth_department", "department"),
        ({"birth_department": "96"}, "birth_department", "department"),
        ({"age": 200}, "age", "less than or equal"),
        ({"unknown": 1}, "unknown", "Extra inputs"),
    ],
)
def test_criteria_refusals_name_the_field(extra: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        IdentityCriteria(**{**BASE, **extra})
    errors = caught.value.errors()
    assert errors[0]["loc"] == (field,)
    assert message in errors[0]["msg"]


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"birth_date": "01/02/2015", "birth_year": "2015"}, "birth_year", "not several"),
        (
            {"birth_year": "2015", "birth_date_to": "01/02/2016", "birth_date_from": "01/02/2015"},
            "birth_date_from",
            "not several (birth_year and birth_date_from)",
        ),
        (
            {"birth_date": "01/02/2015", "birth_date_to": "01/02/2016"},
            "birth_date_to",
            "not several",
        ),
        ({"birth_date_from": "01/02/2015"}, "birth_date_to", "needs birth_date_from and"),
        ({"birth_date_to": "01/02/2015"}, "birth_date_from", "needs birth_date_from and"),
        (
            {"birth_date_from": "01/02/2016", "birth_date_to": "01/02/2015"},
            "birth_date_to",
            "before birth_date_from",
        ),
        ({"age": 30, "age_min": 20}, "age_min", "not both"),
        ({"age": 30, "age_max": 40}, "age_max", "not both"),
        ({"age_min": 40, "age_max": 20}, "age_max", "less than age_min"),
    ],
)
def test_inconsistent_criteria_name_the_field_to_correct(
    extra: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        IdentityCriteria(**{**BASE, **extra})
    (error,) = caught.value.errors()
    assert error["loc"] == (field,)
    assert message in error["msg"]


@pytest.mark.parametrize(
    ("ways", "field"),
    [
        ({"ins": "295109912611193", "vitale": {"beneficiary": 0}}, "ins"),
        ({"ins": "295109912611193", "criteria": BASE}, "criteria"),
        ({}, "vitale"),
    ],
)
def test_patient_chosen_one_way_only(ways: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PatientSelector(**ways)
    (error,) = caught.value.errors()
    assert error["loc"] == (field,)
    assert "choose the patient one way" in error["msg"]


def test_mandatory_fields() -> None:
    with pytest.raises(ValidationError) as caught:
        IdentityCriteria(last_name="X")  # type: ignore[call-arg]
    assert {e["loc"][0] for e in caught.value.errors()} == {"first_name", "sex"}


CX = "295109912611193^^^&1.2.250.1.213.1.4.8&ISO^NH"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("295109912611193", JournalPatient(key_prefix="295109912611193^^^&")),
        ("2 95 10 99 126 111 93", JournalPatient(key_prefix="295109912611193^^^&")),
        ("253072b07300470", JournalPatient(key_prefix="253072B07300470^^^&")),
        (CX, JournalPatient(key=CX)),
        ("traits:MARTIN|LÉA|F|1980", JournalPatient(key="traits:MARTIN|LÉA|F|1980")),
    ],
)
def test_journal_patient(text: str, expected: JournalPatient) -> None:
    assert journal_patient(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("295109912611194", "key does not match"),
        (CX.replace("193^", "194^"), "key does not match"),
        ("29510991", "15 characters"),
        ("2951099126111", "Type the key too"),
        ("MARTIN Léa", "expected an INS"),
        ("295109912611193^^^&1.2.250.1.213.1.4.8", "expected an INS"),
    ],
)
def test_journal_patient_refusals_name_the_parameter(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message) as caught:
        journal_patient(text)
    assert caught.value.field == "patient"
