"""TD0.2 in process: the call sent, and how each part of the ANS sample answer is read
when it is missing, empty or unknown (the sample and its variants, as bytes)."""

from __future__ import annotations

import pytest

from cardbridge.dmp.results import Authorization, DmpState, DmpStatus
from cardbridge.dmp.transactions.status import existence_test, read_status
from cardbridge.dmp.transport import Service
from cardbridge.errors import DmpAnswerError, DmpRefusedError
from tests.dmp.transactions.helpers import (
    GENERATED,
    HL7,
    SAMPLE_INS,
    SAMPLE_SENDER,
    Answering,
    assert_answer_unreadable,
    assert_unreadable,
)
from tests.dmp.transactions.samples import (
    TD02_ANSWER,
    TD02_REQUEST,
    TD05_ANSWER,
    elements,
    parse,
    variant,
)

TREATING_LINE = b'<value value="true" xsi:type="BL"/>\n  </attentionLine>'
ACTIVE = b'<statusCode code="active"/>'
COMPLETED = b'<statusCode code="completed"/>'


def _read(answer: bytes) -> DmpStatus:
    return read_status(parse(answer))


def _unreadable(answer: bytes, what: str) -> None:
    assert_answer_unreadable(read_status, answer, "TD0.2", what)


def test_td02_sends_the_samples_request_to_patients_with_the_vihf() -> None:
    transport = Answering(TD02_ANSWER)
    status = existence_test(transport, b"<vihf/>", SAMPLE_INS, SAMPLE_SENDER)
    (call,) = transport.calls
    # docs/dmp-client.md, the services table: TD0.2 goes to `patients` with this action.
    assert (call.service, call.action, call.transaction) == (
        Service.PATIENTS,
        "urn:hl7-org:v3:PRPA_IN201307UV02",
        "TD0.2",
    )
    assert transport.vihfs == [b"<vihf/>"]
    assert elements(call.payload, GENERATED) == elements(parse(TD02_REQUEST), GENERATED)
    assert status.authorization is Authorization.VALID


def test_without_treating_physician_line_the_caller_is_not_one() -> None:
    answer = variant(
        TD02_ANSWER,
        b'<keyWordText code="STATUT_MT" codeSystem="1.2.250.1.213.4.1.2.6.3"/>\n'
        b'    <value value="true" xsi:type="BL"/>',
        b'<keyWordText code="AUTRE" codeSystem="1.2.250.1.213.4.1.2.6.3"/>',
    )
    assert _read(answer).treating_physician is False


def test_a_treating_physician_line_without_value_is_not_one() -> None:
    answer = variant(TD02_ANSWER, TREATING_LINE, b"</attentionLine>")
    assert _read(answer).treating_physician is False


def test_without_authorization_line_the_answer_is_unreadable() -> None:
    answer = variant(TD02_ANSWER, b'<keyWordText code="AUTORISATION"', b'<keyWordText code="X"')
    _unreadable(answer, "no AUTORISATION attention line")


def test_an_authorization_line_without_value_is_unreadable() -> None:
    answer = variant(
        TD02_ANSWER,
        b'<value code="VALIDE" codeSystem="1.2.250.1.213.4.1.2.6.2" xsi:type="CV"/>',
        b"",
    )
    _unreadable(answer, "no AUTORISATION attention line")


@pytest.mark.parametrize(
    ("value", "told"),
    [(b'code="PEUT_ETRE"', "'PEUT_ETRE'"), (b"", "None")],
    ids=["unknown", "none"],
)
def test_an_unknown_authorization_is_named(value: bytes, told: str) -> None:
    answer = variant(TD02_ANSWER, b'code="VALIDE"', value)
    _unreadable(answer, f"unknown authorization {told}")


def test_a_query_error_keeps_the_details_text() -> None:
    answer = variant(
        TD02_ANSWER, b'<queryResponseCode code="OK"/>', b'<queryResponseCode code="QE"/>'
    )
    answer = variant(
        answer,
        b"<targetMessage>",
        b"<acknowledgementDetail><text>Requ\xc3\xaate invalide</text></acknowledgementDetail>"
        b"<targetMessage>",
    )
    with pytest.raises(DmpRefusedError) as refused:
        _read(answer)
    assert (refused.value.dmp_code, refused.value.dmp_text) == ("QE", "Requête invalide")


def test_the_transaction_is_named_when_the_answer_is_another() -> None:
    _unreadable(TD05_ANSWER, "PRPA_IN201308UV02 expected, got PRPA_IN201306UV02")


def test_the_transaction_is_named_without_acknowledgement() -> None:
    answer = variant(TD02_ANSWER, b'<acknowledgement typeCode="AA">', b"<acknowledgement>")
    _unreadable(answer, "no acknowledgement type code")


def test_the_transaction_is_named_without_query_response_code() -> None:
    answer = variant(TD02_ANSWER, b'<queryResponseCode code="OK"/>', b"")
    _unreadable(answer, "no queryResponseCode")


@pytest.mark.parametrize(
    "path",
    ["controlActProcess/subject/registrationEvent/subject1", "controlActProcess/subject"],
    ids=["no patient", "no registration event"],
)
def test_a_found_dmp_without_its_patient_is_unreadable(path: str) -> None:
    answer = parse(TD02_ANSWER)
    element = answer.find("/".join(f"{{{HL7}}}{step}" for step in path.split("/")))
    assert element is not None
    element.getparent().remove(element)  # type: ignore[union-attr]
    with pytest.raises(DmpAnswerError) as error:
        read_status(answer)
    assert_unreadable(error, "TD0.2", "a found DMP without its patient")


@pytest.mark.parametrize("status", [b"", b"<statusCode/>", b'<statusCode code="nullified"/>'])
def test_a_patient_neither_active_nor_terminated_is_unreadable(status: bytes) -> None:
    answer = variant(TD02_ANSWER, ACTIVE, status)
    _unreadable(answer, "the patient's statusCode is not active nor terminated")


def _closed(effective_time: bytes) -> bytes:
    answer = variant(TD02_ANSWER, ACTIVE, b'<statusCode code="terminated"/>')
    return variant(answer, COMPLETED, COMPLETED + effective_time)


def test_a_closed_dmp_without_date_nor_reason() -> None:
    status = _read(_closed(b""))
    assert (status.state, status.closed_on, status.closing_reason) == (DmpState.CLOSED, None, None)


def test_a_closing_interval_without_end_has_no_date() -> None:
    status = _read(_closed(b'<effectiveTime><low value="20100101"/></effectiveTime>'))
    assert status.closed_on is None


def test_an_unreadable_closing_date_names_the_transaction() -> None:
    _unreadable(_closed(b'<effectiveTime value="hier"/>'), "a time 'hier'")


def _observation(code: bytes, value: bytes) -> bytes:
    return variant(
        TD02_ANSWER,
        b"\n          </patient>",
        b'<subjectOf typeCode="SBJ"><administrativeObservation classCode="OBS" moodCode="EVN">'
        + code
        + value
        + b"</administrativeObservation></subjectOf></patient>",
    )


OPPOSED = b'<code code="OPPOSITION_BRIS_DE_GLACE" codeSystem="1.2.250.1.213.4.1.2.3"/>'
TRUE = b'<value value="true" xsi:type="BL"/>'


@pytest.mark.parametrize(
    ("code", "value"),
    [(b"", TRUE), (b"<code/>", TRUE), (OPPOSED, b""), (b'<code code="AUTRE_CHOSE"/>', TRUE)],
    ids=["no code", "empty code", "no value", "unknown code"],
)
def test_an_incomplete_or_unknown_observation_is_left_out(code: bytes, value: bytes) -> None:
    status = _read(_observation(code, value))
    assert status.break_glass_opposed is None
    assert status.web_access_open is True


def test_an_observation_that_is_not_a_boolean_names_the_transaction() -> None:
    _unreadable(_observation(OPPOSED, b'<value value="oui"/>'), "a boolean 'oui'")


def test_a_treating_physician_value_that_is_not_a_boolean_names_the_transaction() -> None:
    answer = variant(TD02_ANSWER, TREATING_LINE, b'<value value="oui"/></attentionLine>')
    _unreadable(answer, "a boolean 'oui'")
