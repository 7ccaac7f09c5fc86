"""TD0.2's found patient: the traits the DMP states (``patientPerson`` [MSG]), which head a
deposit's CDA when the patient was chosen by a typed INS. Expected values are the ANS
sample's, written out, and the offline DMP's seed (cardbridge/sandbox/seeds/default.yaml)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.results import DmpState
from cardbridge.dmp.transactions.status import existence_test_with_traits, read_traits
from cardbridge.dmp.transport import Service, Transport
from cardbridge.errors import DmpAnswerError
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions.helpers import (
    SAMPLE_INS,
    SENDER,
    TEST_INS_OID,
    Answering,
    assert_unreadable,
    vihf,
)
from tests.dmp.transactions.samples import TD02_ANSWER, TD05_ANSWER, parse, variant
from tests.support.dmp_fixtures import LOUISE, LUC


def test_the_sample_answers_patient() -> None:
    traits = read_traits(parse(TD02_ANSWER), SAMPLE_INS)
    assert traits is not None
    # The ANS sample: LAURENCE patb-quatre, M, born 25 May 1907; no birth name stated.
    assert (traits.ins, traits.ins_oid) == ("207058575627097", TEST_INS_OID)
    assert (traits.first_name, traits.last_name, traits.birth_name) == (
        "LAURENCE",
        "patb-quatre",
        None,
    )
    assert (traits.sex, traits.birth_date) == ("M", date(1907, 5, 25))


def test_no_traits_without_a_birth_date() -> None:
    answer = variant(TD02_ANSWER, b'<birthTime value="19070525"/>', b"")
    assert read_traits(parse(answer), SAMPLE_INS) is None


def test_a_patient_other_than_the_ins_asked_is_unreadable() -> None:
    other = InsReference(value="153078987658513", oid=TEST_INS_OID)
    with pytest.raises(DmpAnswerError) as error:
        read_traits(parse(TD02_ANSWER), other)
    assert_unreadable(error, "TD0.2", "the patient found is not the INS asked")


def test_the_same_ins_value_under_another_oid_is_another_patient() -> None:
    # 1.2.250.1.213.1.4.8 is the INS-NIR OID, …4.10 the test one (docs/domain.md).
    production = InsReference(value="207058575627097", oid="1.2.250.1.213.1.4.8")
    with pytest.raises(DmpAnswerError) as error:
        read_traits(parse(TD02_ANSWER), production)
    assert_unreadable(error, "TD0.2", "the patient found is not the INS asked")


def test_another_answer_is_unreadable_and_names_td02() -> None:
    with pytest.raises(DmpAnswerError) as error:
        read_traits(parse(TD05_ANSWER), SAMPLE_INS)
    assert_unreadable(error, "TD0.2", "PRPA_IN201308UV02 expected, got PRPA_IN201306UV02")


def test_a_patient_without_family_name_is_unreadable_and_names_td02() -> None:
    answer = variant(TD02_ANSWER, b'<family qualifier="SP">patb-quatre</family>', b"")
    with pytest.raises(DmpAnswerError) as error:
        read_traits(parse(answer), SAMPLE_INS)
    assert_unreadable(error, "TD0.2", "a patient without a family name")


def test_no_traits_without_a_given_name() -> None:
    answer = variant(TD02_ANSWER, b"<given>LAURENCE</given>", b"")
    assert read_traits(parse(answer), SAMPLE_INS) is None


_PERSON = (
    b'<patientPerson classCode="PSN" determinerCode="INSTANCE">\n'
    b"              <name><prefix>M</prefix><given>LAURENCE</given>\n"
    b'                <family qualifier="SP">patb-quatre</family></name>\n'
    b'              <telecom value="mailto:alain@gmail.com"/>\n'
    b'              <telecom use="MC" value="tel:0102030405"/>\n'
    b'              <administrativeGenderCode code="M"/>\n'
    b'              <birthTime value="19070525"/>\n'
    b"            </patientPerson>"
)


def test_no_traits_without_patient_person() -> None:
    answer = variant(TD02_ANSWER, _PERSON, b"")
    assert read_traits(parse(answer), SAMPLE_INS) is None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # No patient under subject1, then no subject1, no registrationEvent, no subject.
        (b'<patient classCode="PAT">', b'<other classCode="PAT">'),
        (b'<subject1 typeCode="SBJ">', b'<other1 typeCode="SBJ">'),
        (b'<registrationEvent classCode="REG"', b'<otherEvent classCode="REG"'),
        (b'<subject contextConductionInd="false"', b'<other contextConductionInd="false"'),
    ],
)
def test_no_traits_without_the_found_patient(old: bytes, new: bytes) -> None:
    closing = b"</" + old[1:].split(b" ")[0] + b">"
    renamed = b"</" + new[1:].split(b" ")[0] + b">"
    answer = variant(variant(TD02_ANSWER, old, new), closing, renamed)
    assert read_traits(parse(answer), SAMPLE_INS) is None


def test_the_traits_come_with_the_status_in_one_call() -> None:
    transport = Answering(TD02_ANSWER)
    status, traits = existence_test_with_traits(transport, b"<vihf/>", SAMPLE_INS, SENDER)
    (call,) = transport.calls
    # docs/dmp-client.md, the services table: TD0.2 goes to `patients` with this action.
    assert (call.service, call.action, call.transaction) == (
        Service.PATIENTS,
        "urn:hl7-org:v3:PRPA_IN201307UV02",
        "TD0.2",
    )
    assert transport.vihfs == [b"<vihf/>"]
    assert status.state is DmpState.ACTIVE
    assert traits is not None
    # The ANS sample's patient, as above.
    assert (traits.ins, traits.first_name, traits.last_name, traits.sex) == (
        "207058575627097",
        "LAURENCE",
        "patb-quatre",
        "M",
    )
    assert traits.birth_date == date(1907, 5, 25)


def test_a_dmp_not_found_has_no_traits_even_with_a_patient() -> None:
    # queryResponseCode NF: no DMP for this INS [MSG TD0.2; HL7 QueryResponse NF = no data
    # found]. The patient part is left in to show it is not read.
    answer = variant(
        TD02_ANSWER, b'<queryResponseCode code="OK"/>', b'<queryResponseCode code="NF"/>'
    )
    status, traits = existence_test_with_traits(Answering(answer), b"<vihf/>", SAMPLE_INS, SENDER)
    assert (status.state, traits) == (DmpState.ABSENT, None)


def test_louises_traits_from_the_offline_dmp(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    ins = InsReference(value=LOUISE, oid=TEST_INS_OID)
    status, traits = existence_test_with_traits(
        transport_for(demo_doctor), vihf(demo_doctor, patient=LOUISE), ins, SENDER
    )
    assert status.state is DmpState.ACTIVE
    assert traits is not None
    # The seed: LE QUINIO LOUISE, F, born 1 February 2015.
    assert (traits.last_name, traits.birth_name, traits.first_name) == (
        "LE QUINIO",
        "LE QUINIO",
        "LOUISE",
    )
    assert (traits.sex, traits.birth_date) == ("F", date(2015, 2, 1))


def test_no_dmp_no_traits(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    ins = InsReference(value=LUC, oid=TEST_INS_OID)
    status, traits = existence_test_with_traits(
        transport_for(demo_doctor), vihf(demo_doctor, patient=LUC), ins, SENDER
    )
    assert (status.state, traits) == (DmpState.ABSENT, None)
