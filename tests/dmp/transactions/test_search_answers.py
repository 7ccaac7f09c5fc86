"""TD0.5 in process: the call sent, the centre 15 refusal, and each part of the ANS
sample answer when it is missing, repeated or unreadable (the sample and its variants)."""

from __future__ import annotations

from datetime import date

import pytest

from cardbridge.dmp.patients import IdentityCriteria, Sex
from cardbridge.dmp.results import PatientCandidate
from cardbridge.dmp.transactions.search import read_candidates, search_patients, search_request
from cardbridge.dmp.transport import Service, SoapAnswer, SoapCall
from cardbridge.errors import DmpAnswerError, DmpRefusedError
from tests.dmp.transactions.helpers import (
    GENERATED,
    HL7,
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

CRITERIA = IdentityCriteria(last_name="Enchaine", first_name="Irene", sex=Sex.FEMALE)
SP = b'<family qualifier="SP">ENCHAINE</family>'
BR = b'<family qualifier="BR">DECHAINE</family>'
OPPOSITION_VALUE = b'<value value="false" xsi:type="BL"/>'


def _read(answer: bytes) -> PatientCandidate:
    (candidate,) = read_candidates(parse(answer))
    return candidate


def _unreadable(answer: bytes, what: str) -> None:
    assert_answer_unreadable(read_candidates, answer, "TD0.5", what)


def test_td05_sends_the_search_to_patients_pdq_with_the_vihf() -> None:
    transport = Answering(TD05_ANSWER)
    found = search_patients(transport, b"<vihf/>", CRITERIA, SAMPLE_SENDER)
    (call,) = transport.calls
    # docs/dmp-client.md, the services table.
    assert (call.service, call.action, call.transaction) == (
        Service.PATIENTS_PDQ,
        "urn:hl7-org:v3:PRPA_IN201305UV02",
        "TD0.5",
    )
    assert transport.vihfs == [b"<vihf/>"]
    assert call.payload.tag == f"{{{HL7}}}PRPA_IN201305UV02"
    assert call.payload.findtext(
        f".//{{{HL7}}}livingSubjectName/{{{HL7}}}value/{{{HL7}}}family"
    ) == ("ENCHAINE")
    assert [candidate.ins for candidate in found] == ["157069329642881"]


def test_the_request_has_the_hl7v3_header_and_the_pdq_control_act() -> None:
    built = search_request(CRITERIA, SAMPLE_SENDER, date(2026, 12, 6))
    # The header as in the TD0.2 sample (docs/dmp-client.md: one shell for TD0.2 and TD0.5),
    # but the interaction; the control act as in the TD0.5 answer, with the request's code.
    expected_header = elements(parse(TD02_REQUEST), GENERATED)[1:12]
    header = elements(built, GENERATED)[1:12]
    assert header[:2] + header[3:] == expected_header[:2] + expected_header[3:]
    assert header[2][2] == {"root": "2.16.840.1.113883.1.6", "extension": "PRPA_IN201305UV02"}
    control = built.find(f"{{{HL7}}}controlActProcess")
    assert control is not None
    assert dict(control.attrib) == {"classCode": "CACT", "moodCode": "EVN"}
    assert control[0].tag == f"{{{HL7}}}code"
    assert dict(control[0].attrib) == {
        "code": "PRPA_TE201305UV02",
        "codeSystem": "2.16.840.1.113883.1.6",
    }
    by_parameter = control.find(f"{{{HL7}}}queryByParameter")
    assert by_parameter is not None
    assert by_parameter[0].get("root") == f"{SAMPLE_SENDER.oid_root}.2"
    assert dict(by_parameter[1].attrib) == {"code": "new"}


class _Refusing:
    def __init__(self, refusal: DmpRefusedError) -> None:
        self.refusal = refusal

    def call(self, call: SoapCall, vihf: bytes) -> SoapAnswer:
        raise self.refusal


def test_a_refusal_by_the_rights_service_says_to_search_in_centre_15_mode() -> None:
    refusal = DmpRefusedError("DMPAccessDeniedByRightsService", "Acces refuse", transaction="TD0.5")
    with pytest.raises(DmpRefusedError) as refused:
        search_patients(_Refusing(refusal), b"<vihf/>", CRITERIA, SAMPLE_SENDER)
    error = refused.value
    assert (error.dmp_code, error.dmp_text, error.transaction) == (
        "DMPAccessDeniedByRightsService",
        "Acces refuse",
        "TD0.5",
    )
    assert error.__cause__ is refusal
    assert "(DMPAccessDeniedByRightsService: Acces refuse)" in error.message
    assert "centre 15 (régulation) mode" in error.message
    assert "find the patient by the Vitale card or the INS" in error.message


def test_a_rights_refusal_without_text_names_its_code() -> None:
    refusal = DmpRefusedError("DMPAccessDeniedByRightsService", transaction="TD0.5")
    with pytest.raises(DmpRefusedError) as refused:
        search_patients(_Refusing(refusal), b"<vihf/>", CRITERIA, SAMPLE_SENDER)
    assert "(DMPAccessDeniedByRightsService)" in refused.value.message
    assert "centre 15" in refused.value.message


def test_another_refusal_goes_through_unchanged() -> None:
    refusal = DmpRefusedError("DMPPatientNotFound", "inconnu", transaction="TD0.5")
    with pytest.raises(DmpRefusedError) as refused:
        search_patients(_Refusing(refusal), b"<vihf/>", CRITERIA, SAMPLE_SENDER)
    assert refused.value is refusal


def _too_many(detail: bytes) -> DmpRefusedError:
    answer = variant(
        TD05_ANSWER, b'<queryResponseCode code="OK"/>', b'<queryResponseCode code="QE"/>'
    )
    answer = variant(answer, b"</targetMessage>", b"</targetMessage>" + detail)
    with pytest.raises(DmpRefusedError) as refused:
        read_candidates(parse(answer))
    return refused.value


def test_too_many_patients_asks_for_more_criteria() -> None:
    error = _too_many(b"<acknowledgementDetail><text>Trop</text></acknowledgementDetail>")
    assert error.message == (
        "More patients match than the DMP lists (QE: Trop): add a birth date, or more of the "
        "name or first name."
    )


def test_too_many_patients_without_text_names_the_code() -> None:
    error = _too_many(b"")
    assert (error.dmp_code, error.dmp_text) == ("QE", "")
    assert error.message.startswith("More patients match than the DMP lists (QE): ")


def test_a_query_error_keeps_the_dmps_code_and_text() -> None:
    answer = variant(
        TD05_ANSWER, b'<queryResponseCode code="OK"/>', b'<queryResponseCode code="AE"/>'
    )
    answer = variant(
        answer,
        b"</targetMessage>",
        b"</targetMessage><acknowledgementDetail><text>Nom trop court</text>"
        b"</acknowledgementDetail>",
    )
    with pytest.raises(DmpRefusedError) as refused:
        read_candidates(parse(answer))
    assert (refused.value.dmp_code, refused.value.dmp_text) == ("AE", "Nom trop court")
    assert refused.value.transaction == "TD0.5"


def test_the_transaction_is_named_when_the_answer_is_another() -> None:
    _unreadable(TD02_ANSWER, "PRPA_IN201306UV02 expected, got PRPA_IN201308UV02")


def test_the_transaction_is_named_without_acknowledgement_type() -> None:
    _unreadable(variant(TD05_ANSWER, b'<typeCode code="AA"/>', b""), "no acknowledgement type code")


def test_the_transaction_is_named_without_query_response_code() -> None:
    _unreadable(
        variant(TD05_ANSWER, b'<queryResponseCode code="OK"/>', b""), "no queryResponseCode"
    )


def test_without_used_name_the_unqualified_family_name_is_the_last_name() -> None:
    candidate = _read(variant(TD05_ANSWER, SP, b"<family>ENCHAINE</family>"))
    assert (candidate.last_name, candidate.birth_name) == ("ENCHAINE", "DECHAINE")


def test_the_birth_name_alone_is_the_last_name() -> None:
    candidate = _read(variant(TD05_ANSWER, SP, b""))
    assert (candidate.last_name, candidate.birth_name) == ("DECHAINE", "DECHAINE")


def test_names_are_read_on_one_line() -> None:
    answer = variant(TD05_ANSWER, SP, b'<family qualifier="SP"> EN\n   CHAINE </family>')
    answer = variant(answer, b"<given>IRENE</given>", b"<given>  IRENE\n  MARIE </given>")
    candidate = _read(answer)
    assert (candidate.last_name, candidate.first_name) == ("EN CHAINE", "IRENE MARIE")


def test_the_used_name_wins_over_the_unqualified_one() -> None:
    candidate = _read(variant(TD05_ANSWER, BR, b"<family>AUTRE</family>"))
    assert (candidate.last_name, candidate.birth_name) == ("ENCHAINE", None)


def test_missing_optional_parts_are_none() -> None:
    answer = TD05_ANSWER
    for part in (
        b"<given>IRENE</given>",
        b'<administrativeGenderCode code="F"/>',
        b'<birthTime value="19570628"/>',
        b"<addr><city>SECLIN</city><postalCode>59113</postalCode></addr>",
        b'<value value="100" xsi:type="INT"/>',
        OPPOSITION_VALUE,
    ):
        answer = variant(answer, part, b"")
    candidate = _read(answer)
    assert candidate == PatientCandidate(
        ins="157069329642881",
        ins_oid="1.2.250.1.213.1.4.10",
        last_name="ENCHAINE",
        birth_name="DECHAINE",
    )


def test_an_empty_given_name_and_city_are_none() -> None:
    answer = variant(TD05_ANSWER, b"<given>IRENE</given>", b"<given>  </given>")
    answer = variant(answer, b"<city>SECLIN</city>", b"<city/>")
    candidate = _read(answer)
    assert (candidate.first_name, candidate.city, candidate.postal_code) == (None, None, "59113")


def test_an_observation_without_code_or_of_another_code_is_left_out() -> None:
    for code in (
        b"",
        b'<code code="OPPOSITION_BRIS_DE_GLACE" codeSystem="1.2.250.1.213.4.1.2.3"/>',
    ):
        answer = variant(
            TD05_ANSWER,
            b'<code code="OPPOSITION_ACCES_URGENCE" codeSystem="1.2.250.1.213.4.1.2.3"\n'
            b'                    displayName="opposition au mode Urgence"/>',
            code,
        )
        assert _read(answer).emergency_access_opposed is None


def test_an_opposition_is_read() -> None:
    answer = variant(TD05_ANSWER, OPPOSITION_VALUE, b'<value value="true" xsi:type="BL"/>')
    assert _read(answer).emergency_access_opposed is True


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        (
            b'<id extension="157069329642881" root="1.2.250.1.213.1.4.10"/>',
            b'<id extension="15706932964288" root="1.2.250.1.213.1.4.10"/>',
            "an INS '15706932964288'",
        ),
        (SP + b"\n                " + BR, b"", "a patient without a family name"),
        (
            SP + b"\n                " + BR,
            b'<family qualifier="SP"> </family>',
            "a patient without a family name",
        ),
        (
            b'<value value="100" xsi:type="INT"/>',
            b'<value value="cent" xsi:type="INT"/>',
            "a match percentage that is not a number",
        ),
        (
            b'<value value="100" xsi:type="INT"/>',
            b'<value xsi:type="INT"/>',
            "a match percentage that is not a number",
        ),
        (b'<birthTime value="19570628"/>', b'<birthTime value="1957"/>', "a date '1957'"),
        (OPPOSITION_VALUE, b'<value value="non"/>', "a boolean 'non'"),
    ],
    ids=["INS", "no family", "blank family", "percent", "no percent", "birth", "opposition"],
)
def test_an_unreadable_part_is_named_with_the_transaction(
    old: bytes, new: bytes, what: str
) -> None:
    _unreadable(variant(TD05_ANSWER, old, new), what)


def test_a_patient_without_person_is_unreadable() -> None:
    answer = parse(TD05_ANSWER)
    person = answer.find(f".//{{{HL7}}}patientPerson")
    assert person is not None
    person.getparent().remove(person)  # type: ignore[union-attr]
    with pytest.raises(DmpAnswerError) as error:
        read_candidates(answer)
    assert_unreadable(error, "TD0.5", "a patient without patientPerson")


def test_a_birth_range_parameter_has_its_semantics_text() -> None:
    criteria = CRITERIA.model_copy(update={"birth_year": "1957"})
    built = search_request(IdentityCriteria.model_validate(criteria.model_dump()), SAMPLE_SENDER)
    birth = built.find(f".//{{{HL7}}}livingSubjectBirthTime")
    assert birth is not None
    assert birth.findtext(f"{{{HL7}}}semanticsText") == "LivingSubject.birthTime"


def test_an_empty_used_name_falls_back_to_the_birth_name() -> None:
    candidate = _read(variant(TD05_ANSWER, SP, b'<family qualifier="SP"/>'))
    assert candidate.last_name == "DECHAINE"


def test_an_ins_root_without_extension_is_an_unreadable_ins() -> None:
    answer = variant(
        TD05_ANSWER,
        b'<id extension="157069329642881" root="1.2.250.1.213.1.4.10"/>',
        b'<id root="1.2.250.1.213.1.4.10"/>',
    )
    _unreadable(answer, "an INS ''")


def test_identifiers_without_root_are_no_ins() -> None:
    answer = variant(
        TD05_ANSWER,
        b'<id extension="157069329642881" root="1.2.250.1.213.1.4.10"/>',
        b'<id extension="157069329642881"/>',
    )
    _unreadable(answer, "no INS among the identifiers ', 1.2.250.1.213.1.4.2'")
