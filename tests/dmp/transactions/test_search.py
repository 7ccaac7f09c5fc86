"""TD0.5: the criteria as PDQv3 parameters, the ANS sample answer, then the offline DMP
in centre 15 mode (and its refusal in normal mode)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from lxml import etree

from cardbridge.dmp.patients import IdentityCriteria, Sex
from cardbridge.dmp.results import PatientCandidate
from cardbridge.dmp.transactions.search import read_candidates, search_patients, search_request
from cardbridge.dmp.transport import Transport
from cardbridge.errors import DmpAnswerError, DmpRefusedError
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions.helpers import CENTRE_15, SENDER, TEST_INS_OID, vihf
from tests.dmp.transactions.samples import TD05_ANSWER, parse, variant
from tests.support.dmp_fixtures import LOUISE, PIERRE, SOPHIE

HL7 = "urn:hl7-org:v3"
PIERRE_CRITERIA = IdentityCriteria(last_name="Le Quinio", first_name="Pierre", sex=Sex.MALE)


def _parameters(criteria: IdentityCriteria, today: date = date(2026, 12, 6)) -> etree._Element:
    found = search_request(criteria, SENDER, today).find(f".//{{{HL7}}}parameterList")
    assert found is not None
    return found


def _birth(criteria: IdentityCriteria) -> dict[str, str]:
    value = _parameters(criteria).find(f"{{{HL7}}}livingSubjectBirthTime/{{{HL7}}}value")
    if value is None:
        return {}
    found = dict(value.attrib)
    for end in value:
        found[etree.QName(end).localname] = end.get("value", "")
    return {str(key): str(text) for key, text in found.items()}


# --- the request ------------------------------------------------------------------------


def test_the_parameters_in_the_schemas_order() -> None:
    # PRPA_MT201306UV02.ParameterList: administrativeGender, birthPlaceAddress, birthTime,
    # …, name; each with its semanticsText (the ANS sample's LivingSubject.name).
    criteria = PIERRE_CRITERIA.model_copy(
        update={"birth_date": "15/06/1955", "birth_department": "2a"}
    )
    parameters = _parameters(IdentityCriteria.model_validate(criteria.model_dump()))
    assert [
        (etree.QName(p).localname, p.findtext(f"{{{HL7}}}semanticsText")) for p in parameters
    ] == [
        ("livingSubjectAdministrativeGender", "LivingSubject.administrativeGender"),
        ("livingSubjectBirthPlaceAddress", "LivingSubject.birthPlace.addr"),
        ("livingSubjectBirthTime", "LivingSubject.birthTime"),
        ("livingSubjectName", "LivingSubject.name"),
    ]
    name = parameters.find(f"{{{HL7}}}livingSubjectName/{{{HL7}}}value")
    assert name is not None
    assert [(etree.QName(part).localname, part.text) for part in name] == [
        ("family", "LE QUINIO"),
        ("given", "PIERRE"),
    ]
    gender = parameters.find(f"{{{HL7}}}livingSubjectAdministrativeGender/{{{HL7}}}value")
    assert gender is not None
    assert gender.get("code") == "M"
    county = parameters.findtext(
        f"{{{HL7}}}livingSubjectBirthPlaceAddress/{{{HL7}}}value/{{{HL7}}}county"
    )
    assert county == "2A"


@pytest.mark.parametrize(
    ("criteria", "birth"),
    [
        ({"birth_date": "15/06/1955"}, {"value": "19550615"}),
        ({"birth_year": "1955"}, {"low": "19550101", "high": "19551231"}),
        (
            {"birth_date_from": "01/06/1955", "birth_date_to": "30/06/1955"},
            {"low": "19550601", "high": "19550630"},
        ),
        # Aged 71 on 2026-12-06: born from 1954-12-07 to 1955-12-06.
        ({"age": 71}, {"low": "19541207", "high": "19551206"}),
        ({"age_min": 60}, {"high": "19661206"}),
        ({"age_max": 80}, {"low": "19451207"}),
        ({}, {}),
    ],
    ids=["day", "year", "range", "age", "age min", "age max", "none"],
)
def test_birth_criteria(criteria: dict[str, object], birth: dict[str, str]) -> None:
    given = IdentityCriteria(last_name="X", first_name="Y", sex=Sex.FEMALE, **criteria)  # type: ignore[arg-type]
    assert _birth(given) == birth


def test_an_age_on_the_29th_of_february() -> None:
    criteria = IdentityCriteria(last_name="X", first_name="Y", sex=Sex.FEMALE, age=1)
    parameters = _parameters(criteria, today=date(2028, 2, 29))
    value = parameters.find(f"{{{HL7}}}livingSubjectBirthTime/{{{HL7}}}value")
    assert value is not None
    assert [end.get("value") for end in value] == ["20260301", "20270228"]


# --- the ANS sample answer --------------------------------------------------------------


def test_the_sample_answer() -> None:
    # INS before the INS-C here, the acknowledgement's typeCode a child element.
    assert read_candidates(parse(TD05_ANSWER)) == [
        PatientCandidate(
            ins="157069329642881",
            ins_oid=TEST_INS_OID,
            last_name="ENCHAINE",
            birth_name="DECHAINE",
            first_name="IRENE",
            sex="F",
            birth_date=date(1957, 6, 28),
            city="SECLIN",
            postal_code="59113",
            match_percent=100,
            emergency_access_opposed=False,
        )
    ]


def test_not_found_is_no_candidate() -> None:
    answer = variant(
        TD05_ANSWER, b'<queryResponseCode code="OK"/>', b'<queryResponseCode code="NF"/>'
    )
    assert read_candidates(parse(answer)) == []


def test_too_many_is_a_refusal_with_the_dmps_text() -> None:
    answer = variant(
        TD05_ANSWER,
        b'<queryResponseCode code="OK"/>',
        b'<queryResponseCode code="QE"/>',
    )
    answer = variant(
        answer,
        b"</targetMessage>",
        b"</targetMessage><acknowledgementDetail><text>Trop de patients</text>"
        b"</acknowledgementDetail>",
    )
    with pytest.raises(DmpRefusedError) as refused:
        read_candidates(parse(answer))
    assert (refused.value.dmp_code, refused.value.dmp_text) == ("QE", "Trop de patients")
    assert refused.value.transaction == "TD0.5"
    assert "add a birth date" in str(refused.value)
    assert "Trop de patients" in str(refused.value)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'<id extension="157069329642881" root="1.2.250.1.213.1.4.10"/>', b""),
        (b'<value value="100" xsi:type="INT"/>', b'<value value="cent" xsi:type="INT"/>'),
        (b'<birthTime value="19570628"/>', b'<birthTime value="28/06/1957"/>'),
        (
            b'<family qualifier="SP">ENCHAINE</family>\n'
            b'                <family qualifier="BR">DECHAINE</family>',
            b"",
        ),
        (b'<typeCode code="AA"/>', b""),
    ],
    ids=["only the INS-C", "percentage not a number", "birth date", "no family name", "no ack"],
)
def test_malformed_answers(old: bytes, new: bytes) -> None:
    with pytest.raises(DmpAnswerError):
        read_candidates(parse(variant(TD05_ANSWER, old, new)))


# --- the offline DMP --------------------------------------------------------------------


def _search(
    transport_for: Callable[[Identity], Transport],
    who: Identity,
    criteria: IdentityCriteria,
    **mode: object,
) -> list[PatientCandidate]:
    # The VIHF of a search names no patient.
    return search_patients(transport_for(who), vihf(who, patient=None, **mode), criteria, SENDER)


def test_pierre_by_name_and_birth_date_in_centre_15(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    criteria = PIERRE_CRITERIA.model_copy(update={"birth_date": "15/06/1955"})
    (pierre,) = _search(transport_for, demo_doctor, criteria, **CENTRE_15)
    # The seed's Pierre: test INS, LE QUINIO (used and birth name), born 1955-06-15.
    assert (pierre.ins, pierre.ins_oid) == (PIERRE, TEST_INS_OID)
    assert (pierre.last_name, pierre.birth_name, pierre.first_name, pierre.sex) == (
        "LE QUINIO",
        "LE QUINIO",
        "PIERRE",
        "M",
    )
    assert pierre.birth_date == date(1955, 6, 15)


@pytest.mark.parametrize(
    ("criteria", "found"),
    [
        ({"birth_year": "1955"}, [PIERRE]),
        ({"birth_year": "1956"}, []),
        ({"birth_date_from": "01/06/1955", "birth_date_to": "30/06/1955"}, [PIERRE]),
        ({"birth_date_from": "16/06/1955", "birth_date_to": "30/06/1955"}, []),
        ({"age_min": 60, "age_max": 80}, [PIERRE]),
        ({"age_max": 50}, []),
    ],
)
def test_pierre_by_birth_year_range_or_age(
    transport_for: Callable[[Identity], Transport],
    demo_doctor: Identity,
    criteria: dict[str, object],
    found: list[str],
) -> None:
    given = PIERRE_CRITERIA.model_copy(update=criteria)
    given = IdentityCriteria.model_validate(given.model_dump())
    assert [c.ins for c in _search(transport_for, demo_doctor, given, **CENTRE_15)] == found


def test_a_birth_name_finds_the_used_name(
    transport_for: Callable[[Identity], Transport], nurse: Identity
) -> None:
    # The seed: Sophie MARTIN, born DURAND; a nurse may search in centre 15 too.
    criteria = IdentityCriteria(last_name="DURAND", first_name="SOPHIE", sex=Sex.FEMALE)
    (sophie,) = _search(transport_for, nurse, criteria, **CENTRE_15)
    assert (sophie.ins, sophie.last_name, sophie.birth_name) == (SOPHIE, "MARTIN", "DURAND")


def test_sex_and_first_name_narrow(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    louise = IdentityCriteria(last_name="LE QUINIO", first_name="LOUISE", sex=Sex.FEMALE)
    assert [c.ins for c in _search(transport_for, demo_doctor, louise, **CENTRE_15)] == [LOUISE]
    wrong_sex = louise.model_copy(update={"sex": Sex.MALE})
    assert _search(transport_for, demo_doctor, wrong_sex, **CENTRE_15) == []


def test_luc_has_no_dmp_to_find(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    luc = IdentityCriteria(last_name="MARTIN", first_name="LUC", sex=Sex.MALE)
    assert _search(transport_for, demo_doctor, luc, **CENTRE_15) == []


def test_refused_in_normal_mode_with_the_dmps_code_and_text(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    with pytest.raises(DmpRefusedError) as refused:
        _search(transport_for, demo_doctor, PIERRE_CRITERIA)
    assert refused.value.dmp_code == "DMPAccessDeniedByRightsService"
    assert "TD0.5" in refused.value.dmp_text  # the DMP's own text, kept
    assert refused.value.transaction == "TD0.5"
    message = str(refused.value)
    assert "centre 15" in message
    assert refused.value.dmp_text in message


def test_a_vihf_naming_a_patient_is_accepted_too(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    # The ANS TD0.5 sample's VIHF carries a resource-id (of a patient unrelated to the
    # search); the DMP searches all the same.
    criteria = PIERRE_CRITERIA.model_copy(update={"birth_date": "15/06/1955"})
    transport = transport_for(demo_doctor)
    found = search_patients(
        transport, vihf(demo_doctor, patient=SOPHIE, **CENTRE_15), criteria, SENDER
    )
    assert [candidate.ins for candidate in found] == [PIERRE]
