"""Documents of the seed: CDA R2 level 1 wrappers around a text, written straight to the
registry (no submission, no signature document: a choice of ours for demo data).

Each gets a stable entryUUID and uniqueId derived from the patient and its title and date,
so that seeding again adds nothing twice.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import sqlite3
import uuid

from lxml import etree

from cardbridge.domain.identifiers import NATIONAL_ID_OID, STRUCTURE_ID_OID
from cardbridge.sandbox.xds_codes import (
    APPROVED,
    LOINC,
    MEDIA_FORMATS,
    PRACTICE_SYSTEM,
    TYPE_TO_CLASS,
)

HL7 = "urn:hl7-org:v3"
_SEED_NAMESPACE = uuid.UUID("6f1d3c1e-5b1a-4c7e-9a53-2f0f2b8e1d11")  # ours, fixed


def _h(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{HL7}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def seed_cda(
    *,
    unique_id: str,
    patient: tuple[str, str, str, str],  # (INS, OID, family, given)
    type_code: str,
    title: str,
    created: dt.datetime,
    author: str,
    structure: str,
    practice: str,
    facility: str,
    text: str,
) -> bytes:
    """A CDA R2 level 1 document carrying ``text`` (text/plain)."""
    ins, oid, family, given = patient
    moment = created.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S+0000")
    root = etree.Element(f"{{{HL7}}}ClinicalDocument", nsmap={"hl7": HL7})
    _h(root, "realmCode", code="FR")
    _h(root, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
    for template in (
        "2.16.840.1.113883.2.8.2.1",
        "1.2.250.1.213.1.1.1.1",
        "1.3.6.1.4.1.19376.1.2.20",
    ):
        _h(root, "templateId", root=template)
    _h(root, "id", root=unique_id)
    _h(root, "code", code=type_code, codeSystem=LOINC, displayName=title)
    _h(root, "title", title)
    _h(root, "effectiveTime", value=moment)
    _h(root, "confidentialityCode", code="N", codeSystem="2.16.840.1.113883.5.25")
    _h(root, "languageCode", code="fr-FR")
    _h(root, "setId", root=unique_id + ".0")
    _h(root, "versionNumber", value="1")
    role = _h(_h(root, "recordTarget"), "patientRole")
    _h(role, "id", root=oid, extension=ins)
    name = _h(_h(role, "patient"), "name")
    _h(name, "given", given, qualifier="BR")
    _h(name, "family", family, qualifier="BR")
    author_element = _h(root, "author")
    _h(author_element, "time", value=moment)
    _h(_h(author_element, "assignedAuthor"), "id", root=NATIONAL_ID_OID, extension=author)
    custodian = _h(
        _h(_h(root, "custodian"), "assignedCustodian"), "representedCustodianOrganization"
    )
    _h(custodian, "id", root=STRUCTURE_ID_OID, extension=structure)
    legal = _h(root, "legalAuthenticator")
    _h(legal, "time", value=moment)
    _h(legal, "signatureCode", code="S")
    _h(_h(legal, "assignedEntity"), "id", root=NATIONAL_ID_OID, extension=author)
    event = _h(_h(root, "documentationOf"), "serviceEvent")
    _h(_h(event, "effectiveTime"), "low", value=moment)
    organization = _h(
        _h(_h(event, "performer", typeCode="PRF"), "assignedEntity"), "representedOrganization"
    )
    _h(organization, "standardIndustryClassCode", code=practice, codeSystem=PRACTICE_SYSTEM)
    location = _h(_h(_h(root, "componentOf"), "encompassingEncounter"), "location")
    _h(_h(location, "healthCareFacility"), "code", code=facility, codeSystem="1.2.250.1.71.4.2.4")
    body = _h(_h(root, "component"), "nonXMLBody")
    _h(
        body,
        "text",
        base64.b64encode(text.encode()).decode(),
        mediaType="text/plain",
        representation="B64",
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def insert_seed_document(
    db: sqlite3.Connection,
    dmp: tuple[str, str, str, str],
    *,
    title: str,
    type_code: str,
    created: dt.datetime,
    author: str,
    structure: str,
    practice: str,
    facility: str,
    text: str,
    confidentiality: list[str],
    status: str = APPROVED,
) -> None:
    """Insert one seeded document unless it is there already."""
    key = uuid.uuid5(_SEED_NAMESPACE, f"{dmp[0]}|{title}|{created.isoformat()}")
    entry_uuid, unique_id = f"urn:uuid:{key}", f"2.25.{key.int}"
    content = seed_cda(
        unique_id=unique_id,
        patient=dmp,
        type_code=type_code,
        title=title,
        created=created,
        author=author,
        structure=structure,
        practice=practice,
        facility=facility,
        text=text,
    )
    db.execute(
        "INSERT OR IGNORE INTO document VALUES "
        "(?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'text/xml', ?, ?, NULL, ?, ?)",
        (
            entry_uuid,
            unique_id,
            entry_uuid,
            dmp[0],
            status,
            json.dumps(sorted(confidentiality)),
            TYPE_TO_CLASS[(type_code, LOINC)],
            f"{type_code}^{LOINC}",
            MEDIA_FORMATS["text/plain"],
            practice,
            facility,
            title,
            created.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S"),
            author,
            structure,
            hashlib.sha1(content, usedforsecurity=False).hexdigest(),
            len(content),
            json.dumps({"languageCode": "fr-FR"}),
            content,
        ),
    )
