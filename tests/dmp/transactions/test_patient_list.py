"""TD0.4: the ANS sample answer, then the DMPs the seed's professionals are authorized on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from cardbridge.dmp.results import AuthorizedPatient
from cardbridge.dmp.transactions.patient_list import (
    PatientListDate,
    authorized_patients,
    patient_list_request,
    read_patient_list,
)
from cardbridge.dmp.transport import Transport
from cardbridge.errors import DmpAnswerError, DmpRefusedError
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions.helpers import TEST_INS_OID, vihf
from tests.dmp.transactions.samples import TD04_ANSWER, TD04_REQUEST, parse, shape, variant
from tests.support.dmp_fixtures import PIERRE

# --- the ANS sample ---------------------------------------------------------------------


def test_the_request_has_the_samples_shape() -> None:
    since = datetime(2010, 10, 10, 20, 20, 10, tzinfo=UTC)
    assert shape(patient_list_request(since, PatientListDate.LAST_DOCUMENT)) == shape(
        parse(TD04_REQUEST)
    )


def test_the_start_date_is_sent_in_utc() -> None:
    paris = datetime.fromisoformat("2010-10-10T22:20:10+02:00")
    assert shape(patient_list_request(paris, PatientListDate.LAST_DOCUMENT)) == shape(
        parse(TD04_REQUEST)
    )


def test_the_sample_answer_gives_each_dmp_with_its_ins() -> None:
    # The INS-C (1.2.250.1.213.1.4.2) comes first in the sample: the INS is the one kept.
    assert read_patient_list(parse(TD04_ANSWER)) == [
        AuthorizedPatient(
            ins="153078987658513",
            ins_oid=TEST_INS_OID,
            last_name="PAT-TROIS",
            first_name="DOMINIQUE",
            birth_date=date(1979, 3, 28),
            treating_physician=False,
            last_access=datetime(2021, 6, 1, 9, 41, 5, tzinfo=UTC),
            last_update=datetime(2021, 5, 25, 13, 47, 38, tzinfo=UTC),
            last_deposit=datetime(2021, 5, 25, 13, 47, 35, tzinfo=UTC),
        ),
        AuthorizedPatient(
            ins="207058575627097",
            ins_oid=TEST_INS_OID,
            last_name="patb-quatre",
            first_name="LAURENCE",
            birth_date=date(1907, 5, 25),
            treating_physician=True,
            last_access=datetime(2021, 5, 21, 10, 16, 31, tzinfo=UTC),
            last_update=datetime(2021, 5, 6, 12, 45, 3, tzinfo=UTC),
            last_deposit=datetime(2021, 5, 21, 10, 16, 31, tzinfo=UTC),
        ),
    ]


def test_a_status_other_than_dmpok_is_refused() -> None:
    answer = variant(
        TD04_ANSWER,
        b"<ns1:status>DMPOk</ns1:status>",
        b"<ns1:status>DMPKo</ns1:status><ns1:context>Erreur technique</ns1:context>",
    )
    with pytest.raises(DmpRefusedError) as refused:
        read_patient_list(parse(answer))
    assert (refused.value.dmp_code, refused.value.dmp_text) == ("DMPKo", "Erreur technique")
    assert refused.value.transaction == "TD0.4"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"<ns1:MT>true</ns1:MT>", b"<ns1:MT>oui</ns1:MT>"),
        (
            b"<ns1:dateOfBirth>19790328</ns1:dateOfBirth>",
            b"<ns1:dateOfBirth>1979</ns1:dateOfBirth>",
        ),
        (b"<ns1:nationalId>153078987658513</ns1:nationalId>", b""),
        (b"<ns1:lastName>PAT-TROIS</ns1:lastName>", b""),
        (b"<ns1:status>DMPOk</ns1:status>", b""),
    ],
    ids=["MT not a boolean", "birth year only", "no INS value", "no last name", "no status"],
)
def test_malformed_answers(old: bytes, new: bytes) -> None:
    with pytest.raises(DmpAnswerError):
        read_patient_list(parse(variant(TD04_ANSWER, old, new)))


# --- the offline DMP --------------------------------------------------------------------


def _list(
    transport_for: Callable[[Identity], Transport],
    who: Identity,
    since: str,
    date_type: PatientListDate = PatientListDate.LAST_AUTHORIZATION,
) -> list[AuthorizedPatient]:
    # The VIHF of a list names no patient.
    return authorized_patients(
        transport_for(who), vihf(who, patient=None), datetime.fromisoformat(since), date_type
    )


def test_the_demo_doctors_patients(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    # The seed: demo-cps is authorized (and treating) on Pierre's DMP only; Pierre's last
    # document is the nurse's care plan, created 2026-11-28T11:00:00Z.
    (pierre,) = _list(transport_for, demo_doctor, "2000-01-01T00:00:00+00:00")
    assert (pierre.ins, pierre.ins_oid) == (PIERRE, TEST_INS_OID)
    assert (pierre.last_name, pierre.birth_name, pierre.first_name) == (
        "LE QUINIO",
        "LE QUINIO",
        "PIERRE",
    )
    assert pierre.birth_date == date(1955, 6, 15)
    assert pierre.treating_physician
    assert pierre.last_deposit == datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
    assert pierre.last_access is not None


def test_only_authorizations_newer_than_the_start(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    assert _list(transport_for, demo_doctor, "2099-12-31T00:00:00+00:00") == []


def test_by_last_document(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    last_document = PatientListDate.LAST_DOCUMENT
    found = _list(transport_for, demo_doctor, "2026-11-28T10:00:00+00:00", last_document)
    assert [patient.ins for patient in found] == [PIERRE]
    assert _list(transport_for, demo_doctor, "2026-11-28T12:00:00+00:00", last_document) == []


def test_a_nurse_without_authorizations_has_none(
    transport_for: Callable[[Identity], Transport], nurse: Identity
) -> None:
    assert _list(transport_for, nurse, "2000-01-01T00:00:00+00:00") == []


def test_since_must_be_aware(
    transport_for: Callable[[Identity], Transport], nurse: Identity
) -> None:
    with pytest.raises(ValueError, match="aware"):
        _list(transport_for, nurse, "2000-01-01T00:00:00")
