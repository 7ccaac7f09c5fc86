"""The ``response/output/status`` answers of the habilitations and patientsSpecific
services (TD0.3, TD0.4, TD1.6), read from the ANS samples' bytes and variants of them."""

from __future__ import annotations

import pytest

from cardbridge.dmp.transactions.names import HABILITATIONS, PATIENTS
from cardbridge.dmp.transactions.output import child_text, read_output
from cardbridge.errors import DmpAnswerError, DmpRefusedError
from tests.dmp.transactions.helpers import assert_unreadable
from tests.dmp.transactions.samples import TD03_ANSWER, TD04_ANSWER, parse, variant

LIST = "patientListResponse"


def _read(answer: bytes, response: str = LIST) -> None:
    read_output(parse(answer), PATIENTS, response, "TD0.4")


def test_the_output_of_a_dmpok_answer() -> None:
    output = read_output(parse(TD04_ANSWER), PATIENTS, LIST, "TD0.4")
    assert output.tag == f"{{{PATIENTS}}}output"
    assert len(output) == 3  # two patientlistData and the status


def test_another_response_is_named() -> None:
    with pytest.raises(DmpAnswerError) as error:
        _read(TD03_ANSWER)
    assert_unreadable(error, "TD0.4", "patientListResponse expected, got setAuthorizationResponse")


def test_the_same_response_in_another_namespace_is_not_read() -> None:
    with pytest.raises(DmpAnswerError):
        read_output(parse(TD04_ANSWER), HABILITATIONS, LIST, "TD0.4")


def test_an_answer_without_output_says_so() -> None:
    answer = variant(TD04_ANSWER, b"<ns1:output>", b"<ns1:outputs>")
    answer = variant(answer, b"</ns1:output>", b"</ns1:outputs>")
    with pytest.raises(DmpAnswerError) as error:
        _read(answer)
    assert_unreadable(error, "TD0.4", "no output")


@pytest.mark.parametrize("status", [b"", b"<ns1:status> </ns1:status>"], ids=["absent", "blank"])
def test_an_answer_without_status_says_so(status: bytes) -> None:
    with pytest.raises(DmpAnswerError) as error:
        _read(variant(TD04_ANSWER, b"<ns1:status>DMPOk</ns1:status>", status))
    assert_unreadable(error, "TD0.4", "no status")


def test_a_refusal_keeps_the_status_and_the_context_on_one_line() -> None:
    answer = variant(
        TD04_ANSWER,
        b"<ns1:status>DMPOk</ns1:status>",
        b"<ns1:status> DMPAccessDenied </ns1:status>"
        b"<ns1:context>Acc\xc3\xa8s\n   refus\xc3\xa9</ns1:context>",
    )
    with pytest.raises(DmpRefusedError) as refused:
        _read(answer)
    assert (refused.value.dmp_code, refused.value.dmp_text) == ("DMPAccessDenied", "Accès refusé")
    assert refused.value.transaction == "TD0.4"


def test_a_refusal_without_context_has_no_text() -> None:
    answer = variant(
        TD04_ANSWER, b"<ns1:status>DMPOk</ns1:status>", b"<ns1:status>DMPKo</ns1:status>"
    )
    with pytest.raises(DmpRefusedError) as refused:
        _read(answer)
    assert (refused.value.dmp_code, refused.value.dmp_text) == ("DMPKo", "")


@pytest.mark.parametrize(
    ("child", "expected"),
    [
        (b"<ns1:lastName> PAT-TROIS </ns1:lastName>", "PAT-TROIS"),
        (b"<ns1:lastName>  </ns1:lastName>", None),
        (b"<ns1:lastName/>", None),
        (b"", None),
    ],
    ids=["padded", "blank", "empty", "absent"],
)
def test_a_childs_text_is_stripped_and_none_when_empty(child: bytes, expected: str | None) -> None:
    answer = variant(TD04_ANSWER, b"<ns1:lastName>PAT-TROIS</ns1:lastName>", child)
    data = parse(answer).find(f"{{{PATIENTS}}}output/{{{PATIENTS}}}patientlistData")
    assert data is not None
    assert child_text(data, PATIENTS, "lastName") == expected
