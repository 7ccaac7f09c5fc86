"""The CDA R2 level 1 wrapper's builder (``cda.build_cda``), in process: the whole document
is compared with one written out here by hand from the HL7 CDA R2 schema's element order
and the CI-SIS "Structuration minimale" header rules (docs/dmp-client.md, "Deposit
(TD2.1)"); its manifest digest with hashlib over the canonical form of what it wrote."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from lxml import etree

from cardbridge.cards import examples
from cardbridge.cards.models import VitaleCard
from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.results import PatientCandidate
from cardbridge.dmp.transactions.cda import (
    CdaDocument,
    CdaPatient,
    ParentDocument,
    build_cda,
    hl7_time,
    practice_setting,
)
from cardbridge.dmp.transactions.ebrim import Code
from cardbridge.dmp.transactions.submission import Author

PARIS = timezone(timedelta(hours=1))
CONTENT = b"%PDF-1.4\n% a short document\n"
AUTHOR = Author(
    national_id="899700735741",
    last_name="LE QUINIO",
    first_name="PIERRE",
    profession=Code("10", "1.2.250.1.71.1.2.7", "Médecin"),
    specialty=Code("SM26", "1.2.250.1.71.4.2.5", "Qualifié en médecine générale"),
    structure_id="499700735741008",
    structure_name="CABINET DR LE QUINIO",
    sector="SA07",
)
PATIENT = CdaPatient(
    ins=InsReference(value="155067200010159", oid="1.2.250.1.213.1.4.10"),
    birth_family_name="LE QUINIO",
    given_names=("PIERRE", "JEAN"),
    sex="M",
    birth_date=date(1955, 6, 20),
    used_family_name="MARTIN",
    birth_place="29019",
)
DOCUMENT = CdaDocument(
    unique_id="1.2.250.1.999.1.1.7",
    set_id="1.2.250.1.999.1.1.8",
    version=2,
    type=Code("11488-4", "2.16.840.1.113883.6.1", "Compte rendu de consultation"),
    title="Compte rendu <urgent> & suivi",
    created=datetime(2026, 12, 2, 12, 0, 0, tzinfo=PARIS),
    service_start=date(2026, 12, 1),
    service_stop=datetime(2026, 12, 2, 9, 30, 5, tzinfo=PARIS),
    patient=PATIENT,
    author=AUTHOR,
    practice_setting=Code("AMBULATOIRE", "1.2.250.1.213.1.1.4.9", "Ambulatoire"),
    facility=Code("SA07", "1.2.250.1.71.4.2.4", "Cabinet individuel"),
    media_type="application/pdf",
    content=CONTENT,
    parent=ParentDocument("1.2.250.1.999.1.1.5", "1.2.250.1.999.1.1.8", 1),
)
# base64 (RFC 4648) of CONTENT, no line breaks.
BODY = "JVBERi0xLjQKJSBhIHNob3J0IGRvY3VtZW50Cg=="
# Written by hand: the CDA R2 order of the header's elements, the CI-SIS rules' values.
PERSON = (
    "<assignedPerson><name><family>LE QUINIO</family><given>PIERRE</given></name></assignedPerson>"
)
PS_ID = '<id root="1.2.250.1.71.4.2.1" extension="899700735741"/>'
STRUCTURE = (
    '<id root="1.2.250.1.71.4.2.2" extension="499700735741008"/><name>CABINET DR LE QUINIO</name>'
)
EXPECTED = f"""
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <realmCode code="FR"/>
 <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
 <templateId root="2.16.840.1.113883.2.8.2.1"/>
 <templateId root="1.2.250.1.213.1.1.1.1"/>
 <templateId root="1.3.6.1.4.1.19376.1.2.20"/>
 <id root="1.2.250.1.999.1.1.7"/>
 <code code="11488-4" codeSystem="2.16.840.1.113883.6.1"
       displayName="Compte rendu de consultation"/>
 <title>Compte rendu &lt;urgent&gt; &amp; suivi</title>
 <effectiveTime value="20261202120000+0100"/>
 <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25" displayName="Normal"/>
 <languageCode code="fr-FR"/>
 <setId root="1.2.250.1.999.1.1.8"/>
 <versionNumber value="2"/>
 <recordTarget><patientRole>
  <id root="1.2.250.1.213.1.4.10" extension="155067200010159"/>
  <patient>
   <name><family qualifier="BR">LE QUINIO</family><family qualifier="SP">MARTIN</family>
    <given>PIERRE JEAN</given><given qualifier="BR">PIERRE</given></name>
   <administrativeGenderCode code="M" codeSystem="2.16.840.1.113883.5.1"/>
   <birthTime value="19550620"/>
   <birthplace><place><addr><county>29019</county></addr></place></birthplace>
  </patient>
 </patientRole></recordTarget>
 <author>
  <time value="20261202120000+0100"/>
  <assignedAuthor>{PS_ID}
   <code code="SM26" codeSystem="1.2.250.1.71.4.2.5" displayName="Qualifié en médecine générale"/>
   {PERSON}<representedOrganization>{STRUCTURE}</representedOrganization>
  </assignedAuthor>
 </author>
 <custodian><assignedCustodian>
  <representedCustodianOrganization>{STRUCTURE}</representedCustodianOrganization>
 </assignedCustodian></custodian>
 <legalAuthenticator>
  <time value="20261202120000+0100"/><signatureCode code="S"/>
  <assignedEntity>{PS_ID}{PERSON}<representedOrganization>{STRUCTURE}</representedOrganization>
  </assignedEntity>
 </legalAuthenticator>
 <documentationOf><serviceEvent>
  <effectiveTime><low value="20261201"/><high value="20261202093005+0100"/></effectiveTime>
  <performer typeCode="PRF"><assignedEntity>{PS_ID}<representedOrganization>{STRUCTURE}
   <standardIndustryClassCode code="AMBULATOIRE" codeSystem="1.2.250.1.213.1.1.4.9"
                              displayName="Ambulatoire"/>
  </representedOrganization></assignedEntity></performer>
 </serviceEvent></documentationOf>
 <relatedDocument typeCode="RPLC"><parentDocument><id root="1.2.250.1.999.1.1.5"/>
 </parentDocument></relatedDocument>
 <componentOf><encompassingEncounter>
  <effectiveTime><low value="20261201"/><high value="20261202093005+0100"/></effectiveTime>
  <location><healthCareFacility>
   <code code="SA07" codeSystem="1.2.250.1.71.4.2.4" displayName="Cabinet individuel"/>
  </healthCareFacility></location>
 </encompassingEncounter></componentOf>
 <component><nonXMLBody>
  <text mediaType="application/pdf" representation="B64">{BODY}</text>
 </nonXMLBody></component>
</ClinicalDocument>
"""


def _canonical(data: bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.tostring(etree.fromstring(data, parser), method="c14n")


def test_the_whole_cda_is_the_one_written_out() -> None:
    built = build_cda(DOCUMENT)
    assert base64.b64decode(BODY, validate=True) == CONTENT
    assert _canonical(built.data) == _canonical(EXPECTED.encode())


def test_the_cda_is_utf8_with_its_declaration_and_hl7_as_default_namespace() -> None:
    data = build_cda(DOCUMENT).data
    assert data.startswith(
        b"<?xml version='1.0' encoding='UTF-8'?>\n"
        b'<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    )
    assert "Qualifié".encode() in data


def test_the_digest_is_sha256_of_the_exclusive_canonical_form() -> None:
    built = build_cda(DOCUMENT)
    canonical = etree.tostring(etree.fromstring(built.data), method="c14n", exclusive=True)
    # Exclusive c14n drops the unused xsi declaration (Exclusive XML Canonicalization 1.0).
    assert canonical.startswith(b'<ClinicalDocument xmlns="urn:hl7-org:v3"><realmCode')
    expected = base64.b64encode(hashlib.sha256(canonical).digest()).decode()
    assert built.canonical_digest == expected


def test_a_first_version_without_optional_traits() -> None:
    """No used name, birthplace, specialty (the profession is the author's code), service
    stop nor parent document: none of their elements is written."""
    patient = CdaPatient(PATIENT.ins, "DURAND", ("ALICE",), "F", date(1980, 1, 31))
    document = replace(
        DOCUMENT,
        patient=patient,
        author=replace(AUTHOR, specialty=None),
        service_stop=None,
        parent=None,
        media_type="text/plain",
        content="été".encode(),
    )
    root = etree.fromstring(build_cda(document).data)
    ns = {"h": "urn:hl7-org:v3"}
    name = root.find("h:recordTarget/h:patientRole/h:patient/h:name", ns)
    assert name is not None
    assert [(e.tag.split("}")[1], e.get("qualifier"), e.text) for e in name] == [
        ("family", "BR", "DURAND"),
        ("given", None, "ALICE"),
        ("given", "BR", "ALICE"),
    ]
    assert root.find(".//h:birthplace", ns) is None
    gender = root.find(".//h:administrativeGenderCode", ns)
    assert gender is not None
    assert gender.get("code") == "F"
    code = root.find("h:author/h:assignedAuthor/h:code", ns)
    assert code is not None
    assert dict(code.attrib) == {
        "code": "10",
        "codeSystem": "1.2.250.1.71.1.2.7",
        "displayName": "Médecin",
    }
    for period in root.findall(".//h:effectiveTime[h:low]", ns):
        assert [child.tag.split("}")[1] for child in period] == ["low"]
    assert root.find("h:relatedDocument", ns) is None
    text = root.find("h:component/h:nonXMLBody/h:text", ns)
    assert text is not None
    assert (text.get("mediaType"), text.text) == ("text/plain", "w6l0w6k=")


def test_hl7_times() -> None:
    assert hl7_time(date(2026, 3, 9)) == "20260309"
    assert hl7_time(datetime(2026, 7, 1, 8, 5, 9, tzinfo=timezone(timedelta(hours=2)))) == (
        "20260701080509+0200"
    )
    with pytest.raises(ValueError, match=r"^CDA times are written from timezone-aware datetimes$"):
        hl7_time(datetime(2026, 7, 1, 8, 5, 9))


def test_a_media_type_the_dmp_does_not_take_is_refused() -> None:
    document = replace(DOCUMENT, media_type="application/zip")
    with pytest.raises(ValueError, match=r"^the DMP takes no application/zip document$"):
        build_cda(document)


@pytest.mark.parametrize(
    "media_type", ["application/pdf", "text/plain", "text/rtf", "image/jpeg", "image/tiff"]
)
def test_the_five_media_types_are_taken(media_type: str) -> None:
    root = etree.fromstring(build_cda(replace(DOCUMENT, media_type=media_type)).data)
    assert root[-1][0][0].get("mediaType") == media_type


def test_practice_settings() -> None:
    assert practice_setting("HAD") == Code(
        "HAD", "1.2.250.1.213.1.1.4.9", "Hospitalisation à domicile"
    )
    message = r"^'CLINIQUE' is not a practice setting \(cadre d'exercice\) of the DMP$"
    with pytest.raises(ValueError, match=message):
        practice_setting("CLINIQUE")


def _candidate(**changes: object) -> PatientCandidate:
    fields: dict[str, object] = {
        "ins": "155067200010159",
        "ins_oid": "1.2.250.1.213.1.4.10",
        "last_name": "LE QUINIO",
        "first_name": "PIERRE JEAN",
        "sex": "M",
        "birth_date": date(1955, 6, 20),
    }
    return PatientCandidate.model_validate(fields | changes)


def test_the_traits_of_an_ins_record_without_birth_name() -> None:
    assert CdaPatient.from_candidate(_candidate()) == CdaPatient(
        ins=InsReference(value="155067200010159", oid="1.2.250.1.213.1.4.10"),
        birth_family_name="LE QUINIO",
        given_names=("PIERRE", "JEAN"),
        sex="M",
        birth_date=date(1955, 6, 20),
    )


@pytest.mark.parametrize(("sex", "written"), [("M", "M"), ("F", "F"), (None, "U"), ("U", "U")])
def test_the_sex_of_an_ins_record(sex: str | None, written: str) -> None:
    assert CdaPatient.from_candidate(_candidate(sex=sex)).sex == written


@pytest.mark.parametrize("missing", ["birth_date", "first_name"])
def test_an_ins_record_without_birth_date_or_given_names_is_refused(missing: str) -> None:
    message = r"^the INS record lacks the birth date or the given names$"
    with pytest.raises(ValueError, match=message):
        CdaPatient.from_candidate(_candidate(**{missing: None}))


def test_a_lunar_birth_date_is_refused_with_what_to_do() -> None:
    card = VitaleCard.model_validate(examples.VITALE_CARD)
    lunar = card.beneficiaries[1]
    assert lunar.birth_date is None
    message = r"^the beneficiary's birth date is lunar: use the INS record$"
    with pytest.raises(ValueError, match=message):
        CdaPatient.from_beneficiary(
            lunar, InsReference(value="215027512345610", oid="1.2.250.1.213.1.4.10")
        )


@pytest.mark.parametrize(("first_digit", "sex"), [("7", "M"), ("8", "F")])
def test_the_sex_of_a_temporary_number(first_digit: str, sex: str) -> None:
    """A NIA (temporary number) starts with 7 for a man, 8 for a woman, as a NIR with 1, 2."""
    card = VitaleCard.model_validate(examples.VITALE_CARD)
    nir13 = first_digit + "550672000101"
    key = f"{97 - int(nir13) % 97:02d}"
    ins = InsReference(value=nir13 + key, oid="1.2.250.1.213.1.4.10")
    assert CdaPatient.from_beneficiary(card.beneficiaries[0], ins).sex == sex
