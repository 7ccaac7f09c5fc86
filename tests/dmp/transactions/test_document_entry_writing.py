"""The DocumentEntry of a deposit, written out here by hand in the ANS TD2.1 sample's
form and compared element by element: IHE ITI TF-3 §4.2.3.2 (slots, classifications and
identifiers, the scheme UUIDs of §4.2.5), XDS-SD format codes and the French extensions
(ASS_A12), and IHE DSG's codes for the signature document."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from cardbridge.dmp.patients import InsReference, Sex
from cardbridge.dmp.transactions.cda import CdaDocument, CdaPatient
from cardbridge.dmp.transactions.document_entry import (
    EntryMetadata,
    add_document_entry,
    confidentiality,
    entry_from_cda,
    signature_entry,
    xds_time,
)
from cardbridge.dmp.transactions.ebrim import Code
from tests.dmp.transactions.samples import elements, parse
from tests.dmp.transactions.test_submission import PIERRE_CX, SAMPLE_AUTHOR

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
PARIS = timezone(timedelta(hours=2))
PDF = Code("urn:ihe:iti:xds-sd:pdf:2008", "1.3.6.1.4.1.19376.1.2.3", "Document PDF")
CLASS = Code("10", "1.2.250.1.213.1.1.4.1", "Compte rendu")
TYPE = Code("11488-4", "2.16.840.1.113883.6.1", "CR de consultation")
SETTING = Code("AMBULATOIRE", "1.2.250.1.213.1.1.4.9", "Ambulatoire")
FACILITY = Code("SA07", "1.2.250.1.71.4.2.4", "Cabinet individuel")
SCHEMES = {
    "author": "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d",
    "classCode": "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a",
    "typeCode": "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983",
    "confidentialityCode": "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f",
    "eventCodeList": "urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4",
    "formatCode": "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d",
    "healthcareFacilityTypeCode": "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1",
    "practiceSettingCode": "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead",
}

ENTRY = EntryMetadata(
    entry_id="Document01",
    unique_id="2.999.3.123456789012",
    patient_cx=PIERRE_CX,
    title="CR de consultation",
    author=SAMPLE_AUTHOR,
    created=datetime(2021, 6, 4, 16, 50, 51, tzinfo=PARIS),
    service_start=date(2021, 6, 4),
    service_stop=datetime(2021, 6, 4, 17, 0, tzinfo=PARIS),
    class_code=CLASS,
    type_code=TYPE,
    format_code=PDF,
    practice_setting=SETTING,
    facility=FACILITY,
    confidentiality=confidentiality(["MASQUE_PS"]),
    comment="Suivi",
    source_patient_info=("PID-5|LE QUINIO^PIERRE^^^^^L", "PID-7|19550615", "PID-8|M"),
)


def _slot(name: str, *values: str) -> str:
    listed = "".join(f"<rim:Value>{escape(value)}</rim:Value>" for value in values)
    return f'<rim:Slot name="{name}"><rim:ValueList>{listed}</rim:ValueList></rim:Slot>'


def _name(value: str, tag: str = "Name") -> str:
    string = f'<rim:LocalizedString charset="UTF8" value="{escape(value)}" xml:lang="FR"/>'
    return f"<rim:{tag}>{string}</rim:{tag}>"


def _coded(number: int, scheme: str, code: Code) -> str:
    return (
        f'<rim:Classification classificationScheme="{SCHEMES[scheme]}"'
        f' classifiedObject="Document01" id="Document01-c{number}"'
        f' nodeRepresentation="{code.code}">{_slot("codingScheme", code.scheme)}'
        f"{_name(code.label)}</rim:Classification>"
    )


def _identifier(scheme: str, key: str, value: str, name: str) -> str:
    return (
        f'<rim:ExternalIdentifier id="Document01-{key}" identificationScheme="{scheme}"'
        f' registryObject="Document01" value="{escape(value)}">{_name(name)}'
        "</rim:ExternalIdentifier>"
    )


EXPECTED = f"""<rim:RegistryObjectList xmlns:rim="{RIM}">
<rim:ExtrinsicObject id="Document01" mimeType="text/xml"
    objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1">
{_slot("creationTime", "20210604145051")}
{_slot("languageCode", "fr-FR")}
{_slot("legalAuthenticator", SAMPLE_AUTHOR.xcn)}
{_slot("serviceStartTime", "20210604")}
{_slot("serviceStopTime", "20210604150000")}
{_slot("sourcePatientId", PIERRE_CX)}
{_slot("sourcePatientInfo", "PID-5|LE QUINIO^PIERRE^^^^^L", "PID-7|19550615", "PID-8|M")}
{_name("CR de consultation")}
{_name("Suivi", "Description")}
<rim:Classification classificationScheme="{SCHEMES["author"]}" classifiedObject="Document01"
    id="Document01-author" nodeRepresentation="">
{_slot("authorPerson", SAMPLE_AUTHOR.xcn)}{_slot("authorInstitution", SAMPLE_AUTHOR.xon)}
{_slot("authorSpecialty", SAMPLE_AUTHOR.specialty_value)}</rim:Classification>
{_coded(0, "classCode", CLASS)}
{_coded(1, "typeCode", TYPE)}
{_coded(2, "confidentialityCode", Code("N", "2.16.840.1.113883.5.25", "Normal"))}
{_coded(3, "confidentialityCode", Code("MASQUE_PS", "1.2.250.1.213.1.1.4.13", "MASQUE_PS"))}
{_coded(4, "formatCode", PDF)}
{_coded(5, "healthcareFacilityTypeCode", FACILITY)}
{_coded(6, "practiceSettingCode", SETTING)}
{
    _identifier(
        "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427",
        "documentPatientId",
        PIERRE_CX,
        "XDSDocumentEntry.patientId",
    )
}
{
    _identifier(
        "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab",
        "documentUniqueId",
        "2.999.3.123456789012",
        "XDSDocumentEntry.uniqueId",
    )
}
</rim:ExtrinsicObject></rim:RegistryObjectList>"""


def _written(entry: EntryMetadata) -> etree._Element:
    objects = etree.Element(f"{{{RIM}}}RegistryObjectList", nsmap={"rim": RIM})
    made = add_document_entry(objects, entry)
    assert made is objects[0]
    return objects


def test_the_document_entry_element_by_element() -> None:
    assert elements(_written(ENTRY)) == elements(parse(EXPECTED.encode()))


def test_without_stop_time_comment_nor_patient_info_those_are_left_out() -> None:
    entry = replace(ENTRY, service_stop=None, comment=None, source_patient_info=())
    names = [node.get("name") or etree.QName(node).localname for node in _written(entry)[0]]
    assert "serviceStopTime" not in names
    assert "sourcePatientInfo" not in names
    assert "Description" not in names
    assert names[:5] == [
        "creationTime",
        "languageCode",
        "legalAuthenticator",
        "serviceStartTime",
        "sourcePatientId",
    ]


def test_the_signature_documents_entry_is_ihe_dsgs() -> None:
    now = datetime(2021, 6, 4, 14, 50, 52, tzinfo=UTC)
    signature = signature_entry(ENTRY, "Signature01", "2.999.4.1", now)
    assert signature == EntryMetadata(
        entry_id="Signature01",
        unique_id="2.999.4.1",
        patient_cx=PIERRE_CX,
        title="Source",
        author=SAMPLE_AUTHOR,
        created=now,
        service_start=now,
        service_stop=now,
        class_code=Code("urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1", "URN", "Digital Signature"),
        type_code=Code("E1762", "ASTM", "Full Document"),
        format_code=Code("http://www.w3.org/2000/09/xmldsig#", "URN", "Default Signature Style"),
        practice_setting=SETTING,
        facility=FACILITY,
        confidentiality=(
            Code("N", "2.16.840.1.113883.5.25", "Normal"),
            Code("MASQUE_PS", "1.2.250.1.213.1.1.4.13", "MASQUE_PS"),
            Code("INVISIBLE_PATIENT", "1.2.250.1.213.1.1.4.13", "INVISIBLE_PATIENT"),
        ),
        language="art",
        event_codes=(Code("1.2.840.10065.1.12.1.14", "1.2.840.10065.1.12", "Source"),),
    )


def test_an_event_code_goes_between_confidentiality_and_format() -> None:
    now = datetime(2021, 6, 4, 14, 50, 52, tzinfo=UTC)
    written = _written(signature_entry(ENTRY, "Signature01", "2.999.4.1", now))[0]
    schemes = [c.get("classificationScheme") for c in written.iterfind(f"{{{RIM}}}Classification")]
    assert schemes[1:] == [
        SCHEMES["classCode"],
        SCHEMES["typeCode"],
        SCHEMES["confidentialityCode"],
        SCHEMES["confidentialityCode"],
        SCHEMES["confidentialityCode"],
        SCHEMES["eventCodeList"],
        SCHEMES["formatCode"],
        SCHEMES["healthcareFacilityTypeCode"],
        SCHEMES["practiceSettingCode"],
    ]


def test_every_visibility_code_of_the_dmp() -> None:
    codes = confidentiality(["MASQUE_PS", "INVISIBLE_PATIENT", "INVISIBLE_REPRESENTANTS_LEGAUX"])
    assert [(c.code, c.scheme) for c in codes] == [
        ("N", "2.16.840.1.113883.5.25"),
        ("MASQUE_PS", "1.2.250.1.213.1.1.4.13"),
        ("INVISIBLE_PATIENT", "1.2.250.1.213.1.1.4.13"),
        ("INVISIBLE_REPRESENTANTS_LEGAUX", "1.2.250.1.213.1.1.4.13"),
    ]


def test_another_visibility_is_refused() -> None:
    with pytest.raises(ValueError, match="'SECRET' is not a visibility code of the DMP"):
        confidentiality(["SECRET"])


def test_an_xds_time_keeps_a_date_and_puts_a_time_in_utc() -> None:
    assert xds_time(date(2021, 6, 4)) == "20210604"
    assert xds_time(datetime(2021, 6, 4, 1, 0, tzinfo=PARIS)) == "20210603230000"


def _cda(used_family_name: str | None, media_type: str = "application/pdf") -> CdaDocument:
    patient = CdaPatient(
        ins=InsReference(value="155067200010159", oid="1.2.250.1.213.1.4.10"),
        birth_family_name="LE QUINIO",
        given_names=("PIERRE", "JEAN"),
        sex=Sex.MALE,
        birth_date=date(1955, 6, 15),
        used_family_name=used_family_name,
    )
    return CdaDocument(
        unique_id="2.999.3.123456789012",
        set_id="2.999.3.223456789012",
        version=1,
        type=TYPE,
        title="CR de consultation",
        created=ENTRY.created,
        service_start=date(2021, 6, 4),
        service_stop=None,
        patient=patient,
        author=SAMPLE_AUTHOR,
        practice_setting=SETTING,
        facility=FACILITY,
        media_type=media_type,
        content=b"%PDF-1.4",
    )


def test_the_entry_of_a_cda_repeats_its_header() -> None:
    entry = entry_from_cda(
        _cda(None), entry_id="Document01", class_code=CLASS, visibilities=[], comment="Suivi"
    )
    assert entry == EntryMetadata(
        entry_id="Document01",
        unique_id="2.999.3.123456789012",
        patient_cx=PIERRE_CX,
        title="CR de consultation",
        author=SAMPLE_AUTHOR,
        created=ENTRY.created,
        service_start=date(2021, 6, 4),
        service_stop=None,
        class_code=CLASS,
        type_code=TYPE,
        format_code=PDF,
        practice_setting=SETTING,
        facility=FACILITY,
        confidentiality=(Code("N", "2.16.840.1.113883.5.25", "Normal"),),
        comment="Suivi",
        # HL7 v2.5 PID-5 (XPN, name type L), PID-7 (birth date), PID-8 (sex).
        source_patient_info=("PID-5|LE QUINIO^PIERRE^^^^^L", "PID-7|19550615", "PID-8|M"),
    )


def test_the_entry_of_a_cda_keeps_its_service_stop() -> None:
    document = replace(_cda(None), service_stop=ENTRY.service_stop)
    entry = entry_from_cda(document, entry_id="D", class_code=CLASS, visibilities=[], comment=None)
    assert entry.service_stop == datetime(2021, 6, 4, 17, 0, tzinfo=PARIS)


def test_the_used_name_goes_in_pid_5_escaped() -> None:
    entry = entry_from_cda(
        _cda("MARTIN^DURAND"),
        entry_id="Document01",
        class_code=CLASS,
        visibilities=["INVISIBLE_PATIENT"],
        comment=None,
    )
    assert entry.source_patient_info[0] == "PID-5|MARTIN\\S\\DURAND^PIERRE^^^^^L"
    assert [code.code for code in entry.confidentiality] == ["N", "INVISIBLE_PATIENT"]


@pytest.mark.parametrize(
    ("media_type", "format_code"),
    [
        ("application/pdf", "urn:ihe:iti:xds-sd:pdf:2008"),
        ("text/plain", "urn:ihe:iti:xds-sd:text:2008"),
        ("text/rtf", "urn:ihe:iti-fr:xds-sd:rtf:2010"),
        ("image/jpeg", "urn:ihe:iti-fr:xds-sd:jpeg:2010"),
        ("image/tiff", "urn:ihe:iti-fr:xds-sd:tiff:2010"),
    ],
)
def test_the_format_code_of_each_media_type(media_type: str, format_code: str) -> None:
    entry = entry_from_cda(
        _cda(None, media_type), entry_id="D", class_code=CLASS, visibilities=[], comment=None
    )
    assert (entry.format_code.code, entry.format_code.scheme) == (
        format_code,
        "1.3.6.1.4.1.19376.1.2.3",
    )
