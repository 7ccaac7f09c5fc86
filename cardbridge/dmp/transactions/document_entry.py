"""The XDS DocumentEntry of a deposited document: metadata that repeat its CDA header.

Mapping (docs/dmp-client.md, "Deposit (TD2.1)"): creationTime = the CDA effectiveTime in
UTC, typeCode = the CDA code, classCode from the type, formatCode from the media type,
practiceSettingCode = the service event performer's standardIndustryClassCode,
healthcareFacilityTypeCode = the encounter's facility code, confidentialityCode ``N``
plus the DMP's visibility codes, serviceStart/StopTime = the service event's dates,
legalAuthenticator and author from the CPS, patientId and sourcePatientId = the INS,
uniqueId = the CDA id. Hash and size are left to the repository, as in the ANS sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from cardbridge.dmp.transactions import ebrim
from cardbridge.dmp.transactions.cda import CdaDocument
from cardbridge.dmp.transactions.ebrim import Code
from cardbridge.dmp.transactions.names import (
    CLASSIFICATION_SCHEMES,
    DOCUMENT_ENTRY,
    EXTERNAL_IDENTIFIERS,
)
from cardbridge.dmp.transactions.submission import Author, add_author, hl7_escape, utc_timestamp

CONFIDENTIALITY_OID = "2.16.840.1.113883.5.25"
VISIBILITY_OID = "1.2.250.1.213.1.1.4.13"
FORMAT_OID = "1.3.6.1.4.1.19376.1.2.3"
NORMAL = Code("N", CONFIDENTIALITY_OID, "Normal")
# The DMP's visibility codes (TRE_A07-like); their labels are not in our sources, so the
# code is its own label (ours).
VISIBILITY_LABELS = {
    code: code for code in ("MASQUE_PS", "INVISIBLE_PATIENT", "INVISIBLE_REPRESENTANTS_LEGAUX")
}
# formatCode of a non-structured CDA, by the media type of its nonXMLBody (ASS-A12); the
# text label is the ANS sample's, the others are ours.
FORMATS = {
    "application/pdf": Code("urn:ihe:iti:xds-sd:pdf:2008", FORMAT_OID, "Document PDF"),
    "text/plain": Code(
        "urn:ihe:iti:xds-sd:text:2008", FORMAT_OID, "Document à corps non structuré en texte brut"
    ),
    "text/rtf": Code("urn:ihe:iti-fr:xds-sd:rtf:2010", FORMAT_OID, "Document RTF"),
    "image/jpeg": Code("urn:ihe:iti-fr:xds-sd:jpeg:2010", FORMAT_OID, "Image JPEG"),
    "image/tiff": Code("urn:ihe:iti-fr:xds-sd:tiff:2010", FORMAT_OID, "Image TIFF"),
}


def confidentiality(visibilities: Sequence[str]) -> tuple[Code, ...]:
    """``N``, always, then each of the DMP's visibility codes asked for."""
    codes = [NORMAL]
    for visibility in visibilities:
        if visibility not in VISIBILITY_LABELS:
            raise ValueError(f"{visibility!r} is not a visibility code of the DMP")
        codes.append(Code(visibility, VISIBILITY_OID, VISIBILITY_LABELS[visibility]))
    return tuple(codes)


@dataclass(frozen=True, slots=True)
class EntryMetadata:
    """What one DocumentEntry states; ``entry_id`` is its symbolic id in the submission."""

    entry_id: str
    unique_id: str
    patient_cx: str
    title: str
    author: Author
    created: datetime
    service_start: date | datetime
    service_stop: date | datetime | None
    class_code: Code
    type_code: Code
    format_code: Code
    practice_setting: Code
    facility: Code
    confidentiality: tuple[Code, ...]
    comment: str | None = None
    language: str = "fr-FR"
    event_codes: tuple[Code, ...] = ()
    source_patient_info: tuple[str, ...] = ()


def entry_from_cda(
    document: CdaDocument,
    *,
    entry_id: str,
    class_code: Code,
    visibilities: Sequence[str],
    comment: str | None,
) -> EntryMetadata:
    """The DocumentEntry of a CDA document: its values are the header's."""
    patient = document.patient
    family = hl7_escape(patient.used_family_name or patient.birth_family_name)
    return EntryMetadata(
        entry_id=entry_id,
        unique_id=document.unique_id,
        patient_cx=patient.ins.cx,
        title=document.title,
        author=document.author,
        created=document.created,
        service_start=document.service_start,
        service_stop=document.service_stop,
        class_code=class_code,
        type_code=document.type,
        format_code=FORMATS[document.media_type],
        practice_setting=document.practice_setting,
        facility=document.facility,
        confidentiality=confidentiality(visibilities),
        comment=comment,
        source_patient_info=(
            f"PID-5|{family}^{hl7_escape(patient.given_names[0])}^^^^^L",
            f"PID-7|{patient.birth_date:%Y%m%d}",
            f"PID-8|{patient.sex}",
        ),
    )


def xds_time(moment: date | datetime) -> str:
    """An XDS DTM: a date stays ``YYYYMMDD``; a time is written in UTC to the second."""
    if isinstance(moment, datetime):
        return utc_timestamp(moment)
    return moment.strftime("%Y%m%d")


def add_document_entry(objects: etree._Element, entry: EntryMetadata) -> etree._Element:
    """Append the ``ExtrinsicObject`` of ``entry`` to ``objects`` (a RegistryObjectList)."""
    object_id = entry.entry_id
    element = ebrim.child(
        objects, "ExtrinsicObject", id=object_id, mimeType="text/xml", objectType=DOCUMENT_ENTRY
    )
    ebrim.slot(element, "creationTime", utc_timestamp(entry.created))
    ebrim.slot(element, "languageCode", entry.language)
    ebrim.slot(element, "legalAuthenticator", entry.author.xcn)
    ebrim.slot(element, "serviceStartTime", xds_time(entry.service_start))
    if entry.service_stop is not None:
        ebrim.slot(element, "serviceStopTime", xds_time(entry.service_stop))
    ebrim.slot(element, "sourcePatientId", entry.patient_cx)
    if entry.source_patient_info:
        ebrim.slot(element, "sourcePatientInfo", *entry.source_patient_info)
    ebrim.localized(element, "Name", entry.title)
    if entry.comment:
        ebrim.localized(element, "Description", entry.comment)
    schemes = CLASSIFICATION_SCHEMES
    add_author(element, schemes["author"], object_id, f"{object_id}-author", entry.author)
    coded: list[tuple[str, Code]] = [
        ("classCode", entry.class_code),
        ("typeCode", entry.type_code),
        *(("confidentialityCode", code) for code in entry.confidentiality),
        *(("eventCodeList", code) for code in entry.event_codes),
        ("formatCode", entry.format_code),
        ("healthcareFacilityTypeCode", entry.facility),
        ("practiceSettingCode", entry.practice_setting),
    ]
    for number, (scheme, code) in enumerate(coded):
        ebrim.classification(element, schemes[scheme], object_id, f"{object_id}-c{number}", code)
    for key, value, name in (
        ("documentPatientId", entry.patient_cx, "XDSDocumentEntry.patientId"),
        ("documentUniqueId", entry.unique_id, "XDSDocumentEntry.uniqueId"),
    ):
        ebrim.external_identifier(
            element,
            EXTERNAL_IDENTIFIERS[key],
            object_id,
            f"{object_id}-{key}",
            value=value,
            name=name,
        )
    return element


# The signature document's codes (IHE DSG, as in the ANS sample).
SIGNATURE_CLASS = Code("urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1", "URN", "Digital Signature")
SIGNATURE_TYPE = Code("E1762", "ASTM", "Full Document")
SIGNATURE_FORMAT = Code("http://www.w3.org/2000/09/xmldsig#", "URN", "Default Signature Style")
SIGNATURE_EVENT = Code("1.2.840.10065.1.12.1.14", "1.2.840.10065.1.12", "Source")


def signature_entry(
    signed: EntryMetadata, entry_id: str, unique_id: str, now: datetime
) -> EntryMetadata:
    """The DocumentEntry of the signature document of ``signed``'s submission: title
    "Source", language ``art``, hidden from professionals and from the patient, the same
    author, facility and practice setting as the document."""
    return EntryMetadata(
        entry_id=entry_id,
        unique_id=unique_id,
        patient_cx=signed.patient_cx,
        title="Source",
        author=signed.author,
        created=now,
        service_start=now,
        service_stop=now,
        class_code=SIGNATURE_CLASS,
        type_code=SIGNATURE_TYPE,
        format_code=SIGNATURE_FORMAT,
        practice_setting=signed.practice_setting,
        facility=signed.facility,
        confidentiality=confidentiality(["MASQUE_PS", "INVISIBLE_PATIENT"]),
        language="art",
        event_codes=(SIGNATURE_EVENT,),
    )
