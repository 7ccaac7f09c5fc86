"""What a deposit is made from: the cards' models, the INS record, the replaced version's
CDA, the registry's answer; and what is refused before anything is sent."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from cardbridge.cards import examples
from cardbridge.cards.models import Beneficiary, Practitioner, VitaleCard
from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.results import PatientCandidate
from cardbridge.dmp.transactions.cda import CdaPatient, practice_setting
from cardbridge.dmp.transactions.deposit import (
    DepositRequest,
    ReplacedDocument,
    deposit_document,
    document_time,
)
from cardbridge.dmp.transactions.registry_response import check_registry_response
from cardbridge.dmp.transactions.submission import Author
from cardbridge.dmp.transport import SoapAnswer, SoapCall
from cardbridge.errors import DmpAnswerError, DmpRefusedError, InvalidInputError
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions import media
from tests.dmp.transactions.conftest import (
    DEMO_AUTHOR,
    NOW,
    PIERRE_TRAITS,
    Depositor,
    form,
)

RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
PARIS = ZoneInfo("Europe/Paris")


def test_the_author_of_the_demo_cps_in_its_first_situation() -> None:
    practitioner = Practitioner.model_validate(examples.PRACTITIONER)
    assert practitioner.situations is not None
    author = Author.from_card(practitioner, practitioner.situations[0])
    assert author.xcn == "899700735741^LE QUINIO^PIERRE^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"
    assert author.xon == (
        "CABINET DR LE QUINIO^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^499700735741008"
    )
    assert author.specialty_value == (
        "G15_10/SM26^Médecin - Qualifié en Médecine générale (SM)^1.2.250.1.213.1.1.4.5"
    )
    assert (author.sector_code.code, author.sector_code.label) == ("SA07", "Cabinet individuel")


def test_pierre_from_the_demo_vitale_card() -> None:
    card = VitaleCard.model_validate(examples.VITALE_CARD)
    beneficiary = card.beneficiaries[0]
    assert beneficiary.ins is not None
    ins = InsReference(value=beneficiary.ins.value, oid=beneficiary.ins.oid)
    assert CdaPatient.from_beneficiary(beneficiary, ins) == PIERRE_TRAITS


def test_a_married_woman_keeps_her_birth_name_first() -> None:
    beneficiary = Beneficiary.model_validate(
        {
            "index": 0,
            "last_name": "MARTIN",
            "birth_name": "DURAND",
            "first_name": "SOPHIE ANNE",
            "birth_date": "1987-09-23",
            "birth_date_raw": "19870923",
            "birth_rank": 1,
            "quality": {"code": "0", "label": "Assuré"},
            "nir": None,
            "ins": None,
        }
    )
    ins = InsReference(value="287096912304577", oid="1.2.250.1.213.1.4.10")
    patient = CdaPatient.from_beneficiary(beneficiary, ins)
    assert patient.birth_family_name == "DURAND"
    assert patient.used_family_name == "MARTIN"
    assert patient.given_names == ("SOPHIE", "ANNE")
    assert patient.sex == "F"


def test_a_lunar_birth_date_asks_for_the_ins_record() -> None:
    card = VitaleCard.model_validate(examples.VITALE_CARD)
    lunar = card.beneficiaries[1]
    assert lunar.birth_date is None
    with pytest.raises(ValueError, match="INS record"):
        CdaPatient.from_beneficiary(
            lunar, InsReference(value="215027512345610", oid="1.2.250.1.213.1.4.10")
        )


def test_the_patient_from_an_ins_record() -> None:
    candidate = PatientCandidate(
        ins="287096912304577",
        ins_oid="1.2.250.1.213.1.4.10",
        last_name="MARTIN",
        birth_name="DURAND",
        first_name="SOPHIE",
        sex="F",
        birth_date=date(1987, 9, 23),
    )
    patient = CdaPatient.from_candidate(candidate)
    assert (patient.birth_family_name, patient.used_family_name, patient.sex) == (
        "DURAND",
        "MARTIN",
        "F",
    )
    assert patient.ins.cx == "287096912304577^^^&1.2.250.1.213.1.4.10&ISO^NH"


def test_an_unknown_practice_setting_is_refused() -> None:
    assert practice_setting("ETABLISSEMENT").label == "Etablissement de santé"
    with pytest.raises(ValueError, match="practice setting"):
        practice_setting("CABINET")


def test_the_document_time_is_noon_that_day_or_now() -> None:
    now = datetime(2026, 12, 3, 10, 15, 30, tzinfo=PARIS)
    assert document_time(date(2026, 12, 2), now) == datetime(2026, 12, 2, 12, tzinfo=PARIS)
    assert document_time(date(2026, 12, 3), now) == now


def test_the_replaced_version_from_its_cda() -> None:
    cda = b"""<ClinicalDocument xmlns="urn:hl7-org:v3">
      <id root="1.2.250.1.999.1.1.7898.3.1622814651504"/>
      <setId root="1.2.250.1.999.1.1.7898.3.1622814651000"/>
      <versionNumber value="3"/>
    </ClinicalDocument>"""
    replaced = ReplacedDocument.from_cda(cda, "urn:uuid:0a7e8f76-51ba-4d6b-9a57-1d1bd0b2d4b0")
    assert replaced == ReplacedDocument(
        "urn:uuid:0a7e8f76-51ba-4d6b-9a57-1d1bd0b2d4b0",
        "1.2.250.1.999.1.1.7898.3.1622814651504",
        "1.2.250.1.999.1.1.7898.3.1622814651000",
        3,
    )


def test_a_cda_without_set_id_cannot_be_replaced() -> None:
    cda = b'<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1.2.3"/></ClinicalDocument>'
    with pytest.raises(ValueError, match="setId"):
        ReplacedDocument.from_cda(cda, "urn:uuid:0a7e8f76-51ba-4d6b-9a57-1d1bd0b2d4b0")


def _response(status: str, *errors: dict[str, str]) -> etree._Element:
    response = etree.Element(f"{{{RS}}}RegistryResponse", status=status)
    error_list = etree.SubElement(response, f"{{{RS}}}RegistryErrorList")
    for error in errors:
        etree.SubElement(error_list, f"{{{RS}}}RegistryError", error)
    return response


def test_a_failure_keeps_the_registrys_code_text_and_location() -> None:
    failure = _response(
        "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure",
        {
            "errorCode": "XDSDuplicateUniqueIdInRegistry",
            "codeContext": "uniqueId déjà connu",
            "location": "uniqueId",
        },
    )
    with pytest.raises(DmpRefusedError) as refused:
        check_registry_response(failure, "TD2.1")
    assert refused.value.dmp_code == "XDSDuplicateUniqueIdInRegistry"
    assert refused.value.dmp_text == "uniqueId déjà connu (uniqueId)"
    assert refused.value.transaction == "TD2.1"


def test_a_failure_without_errors_is_still_a_refusal() -> None:
    with pytest.raises(DmpRefusedError) as refused:
        check_registry_response(
            _response("urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:PartialSuccess"), "TD2.1"
        )
    assert refused.value.dmp_code == "PartialSuccess"


def test_another_answer_is_unreadable() -> None:
    with pytest.raises(DmpAnswerError):
        check_registry_response(etree.Element("{urn:hl7-org:v3}MCCI_IN000002UV01"), "TD2.1")


class _Refuses:
    """A transport that must not be reached."""

    def call(self, call: SoapCall, vihf: bytes) -> SoapAnswer:
        raise AssertionError("nothing should have been sent")


@pytest.mark.parametrize(
    "content",
    [b"", b"<html><body>x</body></html>", b"\x00\x01binary"],
    ids=["empty", "markup", "binary"],
)
def test_what_the_form_refuses_is_not_sent(content: bytes) -> None:
    request = DepositRequest(form(), content, PIERRE_TRAITS, DEMO_AUTHOR)
    with pytest.raises(InvalidInputError) as refused:
        deposit_document(
            _Refuses(), b"<vihf/>", request, lambda data: b"", b"", lps_oid_root="2.999", now=NOW
        )
    assert refused.value.field == "file"


def test_a_deposit_by_the_demo_cards_own_models(
    depositor: Depositor, demo_doctor: Identity
) -> None:
    practitioner = Practitioner.model_validate(examples.PRACTITIONER)
    assert practitioner.situations is not None
    beneficiary = VitaleCard.model_validate(examples.VITALE_CARD).beneficiaries[0]
    assert beneficiary.ins is not None
    patient = CdaPatient.from_beneficiary(
        beneficiary, InsReference(value=beneficiary.ins.value, oid=beneficiary.ins.oid)
    )
    author = Author.from_card(practitioner, practitioner.situations[0])
    receipt = depositor.deposit(demo_doctor, DepositRequest(form(), media.pdf(), patient, author))
    assert receipt.unique_id in depositor.found(demo_doctor)
