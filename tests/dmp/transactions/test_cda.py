"""The CDA header and the XDS metadata a deposit sends, checked against the values the
seed (Pierre, the demo doctor) and the ANS TD2.1 sample / CI-SIS rules give, written
out here rather than computed by the builders."""

from __future__ import annotations

import pytest
from lxml import etree

from cardbridge.dmp.transactions.deposit import DepositRequest
from cardbridge.dmp.transport import SoapCall
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions import media
from tests.dmp.transactions.conftest import DEMO_AUTHOR, PIERRE_TRAITS, Depositor, Recording, form

HL7 = {"h": "urn:hl7-org:v3"}
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
NS = {"rim": RIM, "xdsb": "urn:ihe:iti:xds-b:2007", "xop": "http://www.w3.org/2004/08/xop/include"}
PIERRE_CX = "155067200010159^^^&1.2.250.1.213.1.4.10&ISO^NH"
DOCTOR_XCN = "899700735741^LE QUINIO^PIERRE^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"
CABINET_XON = "CABINET DR LE QUINIO^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^499700735741008"


@pytest.fixture
def sent(depositor: Depositor, demo_doctor: Identity) -> tuple[SoapCall, bytes, str]:
    """The call of a PDF deposit, the CDA the DMP stores, the document's uniqueId."""
    recording = Recording(depositor.transport_for(demo_doctor))
    request = DepositRequest(form(), media.pdf(), PIERRE_TRAITS, DEMO_AUTHOR)
    receipt = depositor.deposit(demo_doctor, request, recording)
    return (
        recording.calls[0],
        depositor.stored_cda(demo_doctor, receipt.unique_id),
        receipt.unique_id,
    )


def _attr(root: etree._Element, path: str, name: str) -> str | None:
    found = root.find(path, HL7)
    assert found is not None, path
    return found.get(name)


def test_the_cda_header(sent: tuple[SoapCall, bytes, str]) -> None:
    _, stored, unique_id = sent
    cda = etree.fromstring(stored)
    assert cda.tag == "{urn:hl7-org:v3}ClinicalDocument"
    assert _attr(cda, "h:realmCode", "code") == "FR"
    assert _attr(cda, "h:typeId", "root") == "2.16.840.1.113883.1.3"
    assert _attr(cda, "h:typeId", "extension") == "POCD_HD000040"
    assert [t.get("root") for t in cda.findall("h:templateId", HL7)] == [
        "2.16.840.1.113883.2.8.2.1",
        "1.2.250.1.213.1.1.1.1",
        "1.3.6.1.4.1.19376.1.2.20",
    ]
    assert _attr(cda, "h:id", "root") == unique_id
    assert _attr(cda, "h:code", "code") == "11488-4"
    assert _attr(cda, "h:code", "codeSystem") == "2.16.840.1.113883.6.1"
    assert cda.findtext("h:title", namespaces=HL7) == "Compte rendu de consultation"
    # The document date, 2 December 2026, at noon in Paris (winter time).
    assert _attr(cda, "h:effectiveTime", "value") == "20261202120000+0100"
    assert _attr(cda, "h:confidentialityCode", "code") == "N"
    assert _attr(cda, "h:confidentialityCode", "codeSystem") == "2.16.840.1.113883.5.25"
    assert _attr(cda, "h:languageCode", "code") == "fr-FR"
    assert _attr(cda, "h:versionNumber", "value") == "1"
    assert _attr(cda, "h:setId", "root") not in {None, ""}


def test_the_patient_is_pierre_with_his_ins_first(sent: tuple[SoapCall, bytes, str]) -> None:
    role = etree.fromstring(sent[1]).find("h:recordTarget/h:patientRole", HL7)
    assert role is not None
    first_id = role.find("h:id", HL7)
    assert first_id is not None
    assert (first_id.get("root"), first_id.get("extension")) == (
        "1.2.250.1.213.1.4.10",
        "155067200010159",
    )
    assert role.findtext("h:patient/h:name/h:family[@qualifier='BR']", namespaces=HL7) == (
        "LE QUINIO"
    )
    assert role.findtext("h:patient/h:name/h:given[@qualifier='BR']", namespaces=HL7) == "PIERRE"
    assert _attr(role, "h:patient/h:administrativeGenderCode", "code") == "M"
    assert _attr(role, "h:patient/h:birthTime", "value") == "19550615"


def test_author_custodian_authenticator_event_and_encounter(
    sent: tuple[SoapCall, bytes, str],
) -> None:
    cda = etree.fromstring(sent[1])
    assert _attr(cda, "h:author/h:assignedAuthor/h:id", "root") == "1.2.250.1.71.4.2.1"
    assert _attr(cda, "h:author/h:assignedAuthor/h:id", "extension") == "899700735741"
    assert _attr(cda, "h:author/h:assignedAuthor/h:code", "code") == "SM26"
    organization = "h:author/h:assignedAuthor/h:representedOrganization"
    assert _attr(cda, f"{organization}/h:id", "extension") == "499700735741008"
    custodian = "h:custodian/h:assignedCustodian/h:representedCustodianOrganization/h:id"
    assert _attr(cda, custodian, "root") == "1.2.250.1.71.4.2.2"
    assert _attr(cda, custodian, "extension") == "499700735741008"
    assert _attr(cda, "h:legalAuthenticator/h:signatureCode", "code") == "S"
    assert _attr(cda, "h:legalAuthenticator/h:assignedEntity/h:id", "extension") == ("899700735741")
    event = "h:documentationOf/h:serviceEvent"
    assert _attr(cda, f"{event}/h:effectiveTime/h:low", "value") == "20261201"
    assert _attr(cda, f"{event}/h:effectiveTime/h:high", "value") == "20261202"
    organization = f"{event}/h:performer/h:assignedEntity/h:representedOrganization"
    setting = f"{organization}/h:standardIndustryClassCode"
    assert _attr(cda, setting, "code") == "AMBULATOIRE"
    assert _attr(cda, setting, "codeSystem") == "1.2.250.1.213.1.1.4.9"
    facility = "h:componentOf/h:encompassingEncounter/h:location/h:healthCareFacility/h:code"
    assert _attr(cda, facility, "code") == "SA07"
    assert _attr(cda, facility, "codeSystem") == "1.2.250.1.71.4.2.4"
    text = cda.find("h:component/h:nonXMLBody/h:text", HL7)
    assert text is not None
    assert (text.get("mediaType"), text.get("representation")) == ("application/pdf", "B64")


def _slot(entry: etree._Element, name: str) -> list[str]:
    return [
        str(v)
        for v in entry.xpath(
            f"rim:Slot[@name='{name}']/rim:ValueList/rim:Value/text()", namespaces=NS
        )
    ]


def _coded(entry: etree._Element, scheme: str) -> list[tuple[str, str]]:
    return [
        (c.get("nodeRepresentation", ""), _slot(c, "codingScheme")[0])
        for c in entry.iterfind(f"rim:Classification[@classificationScheme='{scheme}']", NS)
    ]


def test_the_document_entry_repeats_the_header(sent: tuple[SoapCall, bytes, str]) -> None:
    call, _, unique_id = sent
    entry = call.payload.find(".//rim:ExtrinsicObject[@id='Document01']", NS)
    assert entry is not None
    assert entry.get("mimeType") == "text/xml"
    assert entry.get("objectType") == "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
    # 2 December 2026 12:00 in Paris is 11:00 UTC.
    assert _slot(entry, "creationTime") == ["20261202110000"]
    assert _slot(entry, "languageCode") == ["fr-FR"]
    assert _slot(entry, "legalAuthenticator") == [DOCTOR_XCN]
    assert _slot(entry, "serviceStartTime") == ["20261201"]
    assert _slot(entry, "serviceStopTime") == ["20261202"]
    assert _slot(entry, "sourcePatientId") == [PIERRE_CX]
    assert _slot(entry, "hash") == []  # computed by the repository (ANS sample)
    author = entry.find(
        "rim:Classification[@classificationScheme='urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d']",
        NS,
    )
    assert author is not None
    assert _slot(author, "authorPerson") == [DOCTOR_XCN]
    assert _slot(author, "authorInstitution") == [CABINET_XON]
    assert _coded(entry, "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a") == [
        ("10", "1.2.250.1.213.1.1.4.1")
    ]
    assert _coded(entry, "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983") == [
        ("11488-4", "2.16.840.1.113883.6.1")
    ]
    assert _coded(entry, "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f") == [
        ("N", "2.16.840.1.113883.5.25")
    ]
    assert _coded(entry, "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d") == [
        ("urn:ihe:iti:xds-sd:pdf:2008", "1.3.6.1.4.1.19376.1.2.3")
    ]
    assert _coded(entry, "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1") == [
        ("SA07", "1.2.250.1.71.4.2.4")
    ]
    assert _coded(entry, "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead") == [
        ("AMBULATOIRE", "1.2.250.1.213.1.1.4.9")
    ]
    identifiers = {
        e.get("identificationScheme"): e.get("value")
        for e in entry.iterfind("rim:ExternalIdentifier", NS)
    }
    assert identifiers == {
        "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427": PIERRE_CX,
        "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab": unique_id,
    }


def test_the_signature_entry_is_the_dsg_one_hidden_from_everyone(
    sent: tuple[SoapCall, bytes, str],
) -> None:
    entry = sent[0].payload.find(".//rim:ExtrinsicObject[@id='Signature01']", NS)
    assert entry is not None
    assert _slot(entry, "languageCode") == ["art"]
    assert entry.find("rim:Name/rim:LocalizedString", NS).get("value") == "Source"  # type: ignore[union-attr]
    assert _coded(entry, "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a") == [
        ("urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1", "URN")
    ]
    assert _coded(entry, "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983") == [("E1762", "ASTM")]
    assert _coded(entry, "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d") == [
        ("http://www.w3.org/2000/09/xmldsig#", "URN")
    ]
    assert _coded(entry, "urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4") == [
        ("1.2.840.10065.1.12.1.14", "1.2.840.10065.1.12")
    ]
    assert set(_coded(entry, "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f")) == {
        ("N", "2.16.840.1.113883.5.25"),
        ("MASQUE_PS", "1.2.250.1.213.1.1.4.13"),
        ("INVISIBLE_PATIENT", "1.2.250.1.213.1.1.4.13"),
    }


def test_associations_and_mtom_parts(sent: tuple[SoapCall, bytes, str]) -> None:
    call = sent[0]
    assert call.action == "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
    assert call.service.value == "repository"
    assert call.payload.tag == "{urn:ihe:iti:xds-b:2007}ProvideAndRegisterDocumentSetRequest"
    associations = {
        (
            a.get("associationType", "").rsplit(":", 1)[-1],
            a.get("sourceObject"),
            a.get("targetObject"),
        )
        for a in call.payload.iterfind(".//rim:Association", NS)
    }
    assert associations == {
        ("HasMember", "SubmissionSet01", "Document01"),
        ("HasMember", "SubmissionSet01", "Signature01"),
        ("signs", "Signature01", "SubmissionSet01"),
    }
    hrefs = {
        d.get("id"): d.find("xop:Include", NS).get("href")  # type: ignore[union-attr]
        for d in call.payload.iterfind("xdsb:Document", NS)
    }
    assert set(hrefs) == {"Document01", "Signature01"}
    assert {h.removeprefix("cid:") for h in hrefs.values() if h} == set(call.attachments)
    assert call.attachments[hrefs["Document01"].removeprefix("cid:")] == sent[1]  # type: ignore[union-attr]
