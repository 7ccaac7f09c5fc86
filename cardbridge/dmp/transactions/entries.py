"""Reading an XDS DocumentEntry (an ebRIM ``ExtrinsicObject`` of a TD3.1 answer) into a
:class:`~cardbridge.dmp.results.DocumentEntry` (docs/dmp-client.md, "Documents").

The document's identity for TD3.2 and TD3.3 is its **uniqueId** (the ExternalIdentifier),
never the ``@id`` entryUUID: the DMP refuses an entryUUID where a uniqueId is due.
"""

from __future__ import annotations

from types import MappingProxyType

from lxml import etree

from cardbridge.dmp import catalogue
from cardbridge.dmp.results import CodeRef, DocumentEntry, DocumentStatus, Visibility
from cardbridge.dmp.transactions import names
from cardbridge.dmp.transactions.answers import (
    classifications,
    external_id,
    localized_value,
    read_time,
    slot_value,
    slot_values,
)
from cardbridge.errors import DmpAnswerError

STATUSES = MappingProxyType(
    {
        names.APPROVED: DocumentStatus.APPROVED,
        names.DEPRECATED: DocumentStatus.DEPRECATED,
        names.ARCHIVED: DocumentStatus.ARCHIVED,
        names.DELETED: DocumentStatus.DELETED,
    }
)
WIRE_STATUSES = MappingProxyType({status: wire for wire, status in STATUSES.items()})
# The class of documents the patient deposited (TRE_A03 "expression du patient").
PATIENT_DOCUMENT_CLASS = "90"
_TYPE_LABELS = MappingProxyType(
    {(t.code, t.system): t.label for t in catalogue.DOCUMENT_TYPES if t.code}
)


def _code(entry: etree._Element, scheme: str) -> CodeRef | None:
    found = classifications(entry, scheme)
    if not found:
        return None
    classification = found[0]
    code = classification.get("nodeRepresentation", "")
    system = slot_value(classification, "codingScheme") or ""
    label = localized_value(classification, "Name")
    if label is None and scheme == "typeCode":
        label = _TYPE_LABELS.get((code, system))
    if label is None and scheme == "classCode" and system == catalogue.CLASS_OID:
        label = catalogue.CLASSES.get(code)
    return CodeRef(code=code, system=system, label=label)


def _visibility(entry: etree._Element) -> Visibility:
    codes = {
        c.get("nodeRepresentation", "")
        for c in classifications(entry, "confidentialityCode")
        if slot_value(c, "codingScheme") == catalogue.VISIBILITY_OID
    }
    return Visibility(
        masked_from_professionals=names.MASKED_FROM_PROFESSIONALS in codes,
        invisible_to_patient=names.INVISIBLE_TO_PATIENT in codes,
        invisible_to_guardians=names.INVISIBLE_TO_GUARDIANS in codes,
    )


def person_name(xcn: str) -> str:
    """A readable name from an XCN (``id^FAMILY^Given^…``): "Given FAMILY", or the id."""
    parts = xcn.split("^")
    family = parts[1] if len(parts) > 1 else ""
    given = parts[2] if len(parts) > 2 else ""
    return " ".join(p for p in (given, family) if p) or parts[0]


def organisation_name(xon: str) -> str:
    """A readable structure from an XON (``NAME^^^^^&OID&ISO^IDNST^^^id``): its name, or id."""
    parts = xon.split("^")
    return parts[0] or (parts[9] if len(parts) > 9 else "")


def _authors(entry: etree._Element) -> tuple[list[str], str | None]:
    people: list[str] = []
    structure: str | None = None
    for author in classifications(entry, "author"):
        people += [person_name(p) for p in slot_values(author, "authorPerson") if p]
        institutions = [organisation_name(i) for i in slot_values(author, "authorInstitution")]
        structure = structure or next((i for i in institutions if i), None)
    return people, structure


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise DmpAnswerError(f"The DMP sent a document size that is not a number ({value[:20]!r}).")
    return int(value)


def read_entry(entry: etree._Element) -> DocumentEntry:
    """One ``ExtrinsicObject`` as a :class:`DocumentEntry`; :class:`DmpAnswerError` when a
    field the client relies on is missing or unreadable."""
    entry_uuid = entry.get("id")
    unique_id = external_id(entry, "documentUniqueId")
    if not entry_uuid or not unique_id:
        raise DmpAnswerError("The DMP listed a document without its identifiers.")
    status = STATUSES.get(entry.get("status", ""))
    if status is None:
        raise DmpAnswerError("The DMP listed a document with an unknown status.")
    class_code = _code(entry, "classCode")
    version = entry.find(f"{{{names.RIM}}}VersionInfo")
    authors, structure = _authors(entry)
    return DocumentEntry(
        unique_id=unique_id,
        entry_uuid=entry_uuid,
        status=status,
        title=localized_value(entry, "Name"),
        comment=localized_value(entry, "Description"),
        type=_code(entry, "typeCode"),
        class_code=class_code,
        format=_code(entry, "formatCode"),
        practice_setting=_code(entry, "practiceSettingCode"),
        healthcare_facility=_code(entry, "healthcareFacilityTypeCode"),
        media_type=entry.get("mimeType", ""),
        created=read_time(slot_value(entry, "creationTime")),
        service_start=read_time(slot_value(entry, "serviceStartTime")),
        service_stop=read_time(slot_value(entry, "serviceStopTime")),
        size=_int(slot_value(entry, "size")),
        sha1=slot_value(entry, "hash"),
        author_names=authors,
        author_structure=structure,
        visibility=_visibility(entry),
        version=None if version is None else version.get("versionName"),
        patient_document=class_code is not None and class_code.code == PATIENT_DOCUMENT_CLASS,
    )


def document_entries(response: etree._Element) -> list[etree._Element]:
    """The ``ExtrinsicObject``s of an ``AdhocQueryResponse``."""
    if response.tag != f"{{{names.QUERY}}}AdhocQueryResponse":
        raise DmpAnswerError("The DMP's TD3.1 answer is not an AdhocQueryResponse.")
    return response.findall(f"{{{names.RIM}}}RegistryObjectList/{{{names.RIM}}}ExtrinsicObject")
