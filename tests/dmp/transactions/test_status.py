"""TD0.2: the ANS sample answer and its variants, then the offline DMP's seed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.results import Authorization, DmpState, DmpStatus
from cardbridge.dmp.transactions.status import existence_test, read_status
from cardbridge.dmp.transport import Transport
from cardbridge.errors import DmpAnswerError, DmpRefusedError
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions.helpers import SENDER, TEST_INS_OID, vihf
from tests.dmp.transactions.samples import TD02_ANSWER, parse, variant
from tests.support.dmp_fixtures import LUC, PIERRE, SOPHIE

# --- the ANS sample and variants --------------------------------------------------------


def test_the_sample_answer() -> None:
    assert read_status(parse(TD02_ANSWER)) == DmpStatus(
        state=DmpState.ACTIVE,
        authorization=Authorization.VALID,
        treating_physician=True,
        web_access_open=True,
        attached_to_mon_espace_sante=False,
    )


def test_an_expired_authorization_and_not_treating() -> None:
    answer = variant(TD02_ANSWER, b'code="VALIDE"', b'code="EXPIRE"')
    answer = variant(
        answer,
        b'<value value="true" xsi:type="BL"/>\n  </attentionLine>',
        b'<value value="false" xsi:type="BL"/>\n  </attentionLine>',
    )
    status = read_status(parse(answer))
    assert (status.authorization, status.treating_physician) == (Authorization.EXPIRED, False)


@pytest.mark.parametrize("value", ["INTERDIT", "NON_EXISTE"])
def test_the_other_authorizations(value: str) -> None:
    answer = variant(TD02_ANSWER, b'code="VALIDE"', f'code="{value}"'.encode())
    assert read_status(parse(answer)).authorization == Authorization(value)


def test_a_closed_dmp_with_its_date_and_reason() -> None:
    # TD1.4's closing reason code (ANS sample), the date where the DMP puts it.
    answer = variant(
        TD02_ANSWER, b'<statusCode code="active"/>', b'<statusCode code="terminated"/>'
    )
    answer = variant(
        answer,
        b'<statusCode code="completed"/>',
        b'<statusCode code="completed"/><effectiveTime value="20210415083000"/>',
    )
    answer = variant(
        answer,
        b"<queryAck>",
        b'<reasonOf><detectedIssueEvent><code code="FERMETURE_DEMANDE_PATIENT" '
        b'codeSystem="1.2.250.1.213.4.1.2.4"/></detectedIssueEvent></reasonOf><queryAck>',
    )
    status = read_status(parse(answer))
    assert status.state is DmpState.CLOSED
    assert status.closed_on == datetime(2021, 4, 15, 8, 30, tzinfo=UTC)
    assert status.closing_reason == "FERMETURE_DEMANDE_PATIENT"


def test_a_closing_date_as_an_intervals_end() -> None:
    answer = variant(
        TD02_ANSWER, b'<statusCode code="active"/>', b'<statusCode code="terminated"/>'
    )
    answer = variant(
        answer,
        b'<statusCode code="completed"/>',
        b'<statusCode code="completed"/><effectiveTime><high value="20210415"/></effectiveTime>',
    )
    assert read_status(parse(answer)).closed_on == datetime(2021, 4, 15, tzinfo=UTC)


def test_emergency_oppositions_when_stated() -> None:
    # The codes of TD1.3a's answer (ANS sample), in a TD0.2 answer.
    answer = variant(
        TD02_ANSWER,
        b'<code code="RATTACHEMENT_ENS"',
        b'<code code="OPPOSITION_ACCES_URGENCE"',
    )
    answer = variant(
        answer,
        b"\n          </patient>",
        b"""<subjectOf typeCode="SBJ">
        <administrativeObservation classCode="OBS" moodCode="EVN">
        <code code="OPPOSITION_BRIS_DE_GLACE" codeSystem="1.2.250.1.213.4.1.2.3"/>
        <value value="true" xsi:type="BL"/></administrativeObservation></subjectOf></patient>""",
    )
    status = read_status(parse(answer))
    assert (status.emergency_access_opposed, status.break_glass_opposed) == (False, True)
    assert status.attached_to_mon_espace_sante is None


def test_no_dmp() -> None:
    answer = parse(
        variant(TD02_ANSWER, b'<queryResponseCode code="OK"/>', b'<queryResponseCode code="NF"/>')
    )
    assert read_status(answer) == DmpStatus(state=DmpState.ABSENT)


def test_a_query_error_is_a_refusal() -> None:
    answer = variant(
        TD02_ANSWER, b'<queryResponseCode code="OK"/>', b'<queryResponseCode code="AE"/>'
    )
    with pytest.raises(DmpRefusedError) as refused:
        read_status(parse(answer))
    assert (refused.value.dmp_code, refused.value.transaction) == ("AE", "TD0.2")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'code="VALIDE"', b'code="PEUT_ETRE"'),
        (b'<keyWordText code="AUTORISATION"', b'<keyWordText code="AUTRE"'),
        (
            b'<value value="true" xsi:type="BL"/>\n  </attentionLine>',
            b'<value value="oui" xsi:type="BL"/>\n  </attentionLine>',
        ),
        (b'<statusCode code="active"/>', b'<statusCode code="nullified"/>'),
        (b'<queryResponseCode code="OK"/>', b"<queryResponseCode/>"),
        (b"<PRPA_IN201308UV02 ", b"<PRPA_IN201306UV02 "),
        (b"<registrationEvent ", b"<registrationEvenement "),
        (
            b'<statusCode code="completed"/>',
            b'<statusCode code="completed"/><effectiveTime value="hier"/>',
        ),
    ],
    ids=[
        "unknown authorization",
        "no authorization line",
        "treating not a boolean",
        "unknown patient status",
        "no query response code",
        "another message",
        "no registration event",
        "closing date not a date",
    ],
)
def test_malformed_answers(old: bytes, new: bytes) -> None:
    answer = variant(TD02_ANSWER, old, new)
    if new.startswith(b"<PRPA_IN201306"):
        answer = answer.replace(b"</PRPA_IN201308UV02>", b"</PRPA_IN201306UV02>")
    if new.startswith(b"<registrationEvenement"):
        answer = answer.replace(b"</registrationEvent>", b"</registrationEvenement>")
    if b"hier" in new:
        answer = variant(answer, b'<statusCode code="active"/>', b'<statusCode code="terminated"/>')
    with pytest.raises(DmpAnswerError):
        read_status(parse(answer))


# --- the offline DMP --------------------------------------------------------------------


def _status(transport_for: Callable[[Identity], Transport], who: Identity, ins: str) -> DmpStatus:
    return existence_test(
        transport_for(who),
        vihf(who, patient=ins),
        InsReference(value=ins, oid=TEST_INS_OID),
        SENDER,
    )


def test_pierres_dmp_with_his_treating_physician(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    # The seed: demo-cps (899700735741) authorized on Pierre's DMP, treating: true.
    status = _status(transport_for, demo_doctor, PIERRE)
    assert (status.state, status.authorization, status.treating_physician) == (
        DmpState.ACTIVE,
        Authorization.VALID,
        True,
    )


def test_another_doctor_has_no_authorization(
    transport_for: Callable[[Identity], Transport], other_doctor: Identity
) -> None:
    status = _status(transport_for, other_doctor, PIERRE)
    assert (status.state, status.authorization, status.treating_physician) == (
        DmpState.ACTIVE,
        Authorization.NONE,
        False,
    )


def test_sophies_dmp_is_closed(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    # The seed: status closed, closed_at 2025-11-30T10:00:00Z.
    status = _status(transport_for, demo_doctor, SOPHIE)
    assert status.state is DmpState.CLOSED
    assert status.closed_on == datetime(2025, 11, 30, 10, 0, tzinfo=UTC)


def test_luc_has_no_dmp(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    assert _status(transport_for, demo_doctor, LUC) == DmpStatus(state=DmpState.ABSENT)


def test_a_vihf_about_another_patient_is_refused_with_the_dmps_code(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    with pytest.raises(DmpRefusedError) as refused:
        existence_test(
            transport_for(demo_doctor),
            vihf(demo_doctor, patient=LUC),
            InsReference(value=PIERRE, oid=TEST_INS_OID),
            SENDER,
        )
    assert refused.value.dmp_code == "DMPPatientIdDoesNotMatch"
    assert "resource-id du VIHF" in refused.value.dmp_text
    assert refused.value.transaction == "TD0.2"
