"""Documents of the seed: CDA R2 level 1 wrappers around a text or a file (PDF, text, RTF,
JPEG, TIFF), written straight to the registry (no submission, no signature document: a
choice of ours for demo data), with the author's XCN and XON from the directory.

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


def _metadata(
    db: sqlite3.Connection, author: str, structure: str, created: dt.datetime
) -> dict[str, str]:
    """The author's XCN and XON in the DMP's forms (names from the directory when it knows
    them), and the service start time (the document's date)."""
    person = db.execute(
        "SELECT last_name, first_name FROM professional WHERE national_id = ?", (author,)
    ).fetchone()
    family, given = (person[0], person[1]) if person else ("", "")
    place = db.execute("SELECT name FROM structure WHERE structure_id = ?", (structure,)).fetchone()
    return {
        "languageCode": "fr-FR",
        "authorPerson": f"{author}^{family}^{given}^^^^^^&{NATIONAL_ID_OID}&ISO^D^^^IDNPS",
        "authorInstitution": (
            f"{place[0] if place else ''}^^^^^&{STRUCTURE_ID_OID}&ISO^IDNST^^^{structure}"
        ),
        "serviceStartTime": created.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S"),
    }


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
    body: tuple[bytes, str],  # (content, media type)
) -> bytes:
    """A CDA R2 level 1 document carrying ``body``."""
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
    content, media_type = body
    _h(
        _h(_h(root, "component"), "nonXMLBody"),
        "text",
        base64.b64encode(content).decode(),
        mediaType=media_type,
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
    body: tuple[bytes, str],  # (content, media type)
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
        body=body,
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
            MEDIA_FORMATS[body[1]],
            practice,
            facility,
            title,
            created.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S"),
            author,
            structure,
            hashlib.sha1(content, usedforsecurity=False).hexdigest(),
            len(content),
            json.dumps(_metadata(db, author, structure, created)),
            content,
        ),
    )
