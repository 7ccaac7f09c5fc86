"""TD0.4 in process: the call sent, and each field of the ANS sample answer when it is
missing or unreadable (the sample and its variants, as bytes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cardbridge.dmp.transactions.patient_list import (
    PatientListDate,
    authorized_patients,
    read_patient_list,
)
from cardbridge.dmp.transport import Service
from cardbridge.errors import DmpAnswerError
from tests.dmp.transactions.helpers import Answering, assert_unreadable, paris_time
from tests.dmp.transactions.samples import TD04_ANSWER, TD04_REQUEST, elements, parse, variant

SINCE = datetime(2010, 10, 10, 20, 20, 10, tzinfo=UTC)  # the sample request's startDate
PATIENTS = "urn:si-dmp-patients"


def test_td04_sends_the_samples_request_to_patients_specific_with_the_vihf() -> None:
    transport = Answering(TD04_ANSWER)
    found = authorized_patients(transport, b"<vihf/>", SINCE, PatientListDate.LAST_DOCUMENT)
    (call,) = transport.calls
    # docs/dmp-client.md, the services table.
    assert (call.service, call.action, call.transaction) == (
        Service.PATIENTS_SPECIFIC,
        "urn:si-dmp-patients:PatientSpecificEndPoint:patientList",
        "TD0.4",
    )
    assert transport.vihfs == [b"<vihf/>"]
    assert elements(call.payload) == elements(parse(TD04_REQUEST))
    assert [patient.ins for patient in found] == ["153078987658513", "207058575627097"]


def test_the_last_authorization_goes_in_the_dmps_spelling() -> None:
    transport = Answering(TD04_ANSWER)
    authorized_patients(transport, b"<vihf/>", SINCE, PatientListDate.LAST_AUTHORIZATION)
    (call,) = transport.calls
    # The WSDL's dateType values: LASTAUTORIZATION (sic) and LASTDOC.
    assert call.payload.findtext(f"{{{PATIENTS}}}dateType") == "LASTAUTORIZATION"


def test_a_naive_start_is_refused_before_calling() -> None:
    transport = Answering(TD04_ANSWER)
    with pytest.raises(ValueError, match=r"^since must be an aware datetime$"):
        authorized_patients(
            transport, b"<vihf/>", datetime(2010, 10, 10), PatientListDate.LAST_DOCUMENT
        )
    assert transport.calls == []


def test_a_birth_name_is_read_from_the_patronymical_name() -> None:
    answer = variant(
        TD04_ANSWER,
        b"<ns1:lastName>PAT-TROIS</ns1:lastName>",
        b"<ns1:lastName>PAT-TROIS</ns1:lastName><ns1:patronymicalName>NEE</ns1:patronymicalName>",
    )
    first, second = read_patient_list(parse(answer))
    assert (first.birth_name, second.birth_name) == ("NEE", None)


def test_missing_optional_fields_are_none_and_not_treating() -> None:
    answer = TD04_ANSWER
    for field in (
        b"<ns1:firstName>DOMINIQUE</ns1:firstName>",
        b"<ns1:dateOfBirth>19790328</ns1:dateOfBirth>",
        b"<ns1:MT>false</ns1:MT>",
        b"<ns1:lastAccessDate>20210601094105</ns1:lastAccessDate>",
        b"<ns1:lastUpdateDate>20210525134738</ns1:lastUpdateDate>",
        b"<ns1:lastAddDate>20210525134735</ns1:lastAddDate>",
    ):
        answer = variant(answer, field, b"")
    answer = variant(answer, b"<ns1:MT>true</ns1:MT>", b"")
    first, second = read_patient_list(parse(answer))
    assert (first.first_name, first.birth_date, first.treating_physician) == (None, None, False)
    assert (first.last_access, first.last_update, first.last_deposit) == (None, None, None)
    assert second.treating_physician is False


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        (b"<ns1:lastName>PAT-TROIS</ns1:lastName>", b"", "a patient without a last name"),
        (
            b"<ns1:nationalId>153078987658513</ns1:nationalId>",
            b"<ns1:nationalId>15307898765851</ns1:nationalId>",
            "an INS '15307898765851'",
        ),
        (
            b"<ns1:dateOfBirth>19790328</ns1:dateOfBirth>",
            b"<ns1:dateOfBirth>1979</ns1:dateOfBirth>",
            "a date '1979'",
        ),
        (b"<ns1:MT>false</ns1:MT>", b"<ns1:MT>non</ns1:MT>", "a boolean 'non'"),
        (
            b"<ns1:lastAccessDate>20210601094105</ns1:lastAccessDate>",
            b"<ns1:lastAccessDate>hier</ns1:lastAccessDate>",
            "a time 'hier'",
        ),
        (
            b"<ns1:lastUpdateDate>20210525134738</ns1:lastUpdateDate>",
            b"<ns1:lastUpdateDate>avant</ns1:lastUpdateDate>",
            "a time 'avant'",
        ),
        (
            b"<ns1:lastAddDate>20210525134735</ns1:lastAddDate>",
            b"<ns1:lastAddDate>jadis</ns1:lastAddDate>",
            "a time 'jadis'",
        ),
        (b"<ns1:status>DMPOk</ns1:status>", b"", "no status"),
    ],
    ids=["no last name", "short INS", "birth year", "MT", "access", "update", "deposit", "status"],
)
def test_an_unreadable_field_is_named_with_the_transaction(
    old: bytes, new: bytes, what: str
) -> None:
    with pytest.raises(DmpAnswerError) as error:
        read_patient_list(parse(variant(TD04_ANSWER, old, new)))
    assert_unreadable(error, "TD0.4", what)


def test_a_patient_without_ins_type_is_unreadable() -> None:
    answer = variant(
        TD04_ANSWER,
        b"<ns1:nationalIdType>1.2.250.1.213.1.4.10</ns1:nationalIdType>\n"
        b"      </ns1:patientIdentifier>\n      <ns1:lastName>PAT-TROIS",
        b"</ns1:patientIdentifier>\n      <ns1:lastName>PAT-TROIS",
    )
    with pytest.raises(DmpAnswerError) as error:
        read_patient_list(parse(answer))
    assert_unreadable(error, "TD0.4", "no INS among the identifiers '1.2.250.1.213.1.4.2, '")


def test_the_start_is_sent_in_utc_on_a_paris_workstation() -> None:
    # 22:20:10 in Paris in October (summer time, UTC+2) is the sample's 20:20:10 UTC.
    since = datetime(2010, 10, 10, 22, 20, 10, tzinfo=timezone(timedelta(hours=2)))
    transport = Answering(TD04_ANSWER)
    with paris_time():
        authorized_patients(transport, b"<vihf/>", since, PatientListDate.LAST_DOCUMENT)
    (call,) = transport.calls
    assert call.payload.findtext(f"{{{PATIENTS}}}startDate") == "20101010202010"


def test_an_ins_type_without_national_id_is_an_unreadable_ins() -> None:
    answer = variant(TD04_ANSWER, b"<ns1:nationalId>153078987658513</ns1:nationalId>", b"")
    with pytest.raises(DmpAnswerError) as error:
        read_patient_list(parse(answer))
    assert_unreadable(error, "TD0.4", "an INS ''")
