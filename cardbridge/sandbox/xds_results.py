"""Writing stored documents as ebRIM ``ExtrinsicObject``s (TD3.1 answers), as the DMP's
sample answer lists them: slots, name, version, classifications, external identifiers."""

from __future__ import annotations

import json

from lxml import etree

from cardbridge.domain import terminologies
from cardbridge.sandbox.rim import add_slot, r
from cardbridge.sandbox.store import Row
from cardbridge.sandbox.xds_codes import (
    CLASS_SYSTEM,
    CONFIDENTIALITY_DMP,
    CONFIDENTIALITY_HL7,
    DOCUMENT_ENTRY,
    EXTERNAL_IDS,
    FORMAT_SYSTEM,
    PRACTICE_SYSTEM,
    REPOSITORY_UNIQUE_ID,
    SCHEMES,
)


def _classification(
    entry: etree._Element, scheme: str, code: str, system: str, number: int
) -> etree._Element:
    classification = etree.SubElement(
        entry,
        r("Classification"),
        classificationScheme=scheme,
        classifiedObject=entry.get("id", ""),
        nodeRepresentation=code,
        id=f"{entry.get('id')}-c{number}",
        objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification",
    )
    if system:
        add_slot(classification, "codingScheme", system)
    return classification


def extrinsic_object(document: Row, patient_cx: str) -> etree._Element:
    """The metadata of a stored document."""
    entry = etree.Element(
        r("ExtrinsicObject"),
        id=document["entry_uuid"],
        lid=document["lid"],
        status=document["status"],
        mimeType=document["mime_type"],
        objectType=DOCUMENT_ENTRY,
        isOpaque="false",
    )
    metadata = json.loads(document["metadata"])
    add_slot(entry, "creationTime", document["creation_time"])
    add_slot(entry, "hash", document["hash"])
    add_slot(entry, "languageCode", metadata.get("languageCode", "fr-FR"))
    add_slot(entry, "repositoryUniqueId", REPOSITORY_UNIQUE_ID)
    for times in ("serviceStartTime", "serviceStopTime"):
        if metadata.get(times):
            add_slot(entry, times, metadata[times])
    add_slot(entry, "size", str(document["size"]))
    if metadata.get("referenceIdList"):
        add_slot(entry, "urn:ihe:iti:xds:2013:referenceIdList", *metadata["referenceIdList"])
    etree.SubElement(
        etree.SubElement(entry, r("Name")), r("LocalizedString"), value=document["title"]
    )
    if metadata.get("comments"):
        etree.SubElement(
            etree.SubElement(entry, r("Description")),
            r("LocalizedString"),
            value=metadata["comments"],
        )
    etree.SubElement(entry, r("VersionInfo"), versionName=str(document["version"]))
    author = _classification(entry, SCHEMES["author"], "", "", 0)
    if metadata.get("authorPerson"):
        add_slot(author, "authorPerson", metadata["authorPerson"])
        add_slot(author, "authorInstitution", metadata["authorInstitution"])
    type_code, type_system = document["type_code"].split("^", 1)
    coded = [
        ("classCode", document["class_code"], CLASS_SYSTEM),
        ("confidentialityCode", "N", CONFIDENTIALITY_HL7),
        *(
            ("confidentialityCode", code, CONFIDENTIALITY_DMP)
            for code in json.loads(document["confidentiality"])
        ),
        ("formatCode", document["format_code"], FORMAT_SYSTEM),
        ("healthcareFacilityTypeCode", document["facility_type"], terminologies.SECTOR_OID),
        ("practiceSettingCode", document["practice_setting"], PRACTICE_SYSTEM),
        ("typeCode", type_code, type_system),
    ]
    for number, (name, code, system) in enumerate(coded, start=1):
        _classification(entry, SCHEMES[name], code, system, number)
    for name, value in (
        ("documentPatientId", patient_cx),
        ("documentUniqueId", document["unique_id"]),
    ):
        etree.SubElement(
            entry,
            r("ExternalIdentifier"),
            identificationScheme=EXTERNAL_IDS[name],
            value=value,
            registryObject=document["entry_uuid"],
            id=f"{document['entry_uuid']}-{name}",
        )
    return entry
