"""TD3.3, ITI-57 Update Document Set: status changes (archive, unarchive, delete) and
visibility changes (mask or unmask for professionals, make visible to the patient).

Status: an ``UpdateAvailabilityStatus`` association from the submission set to the
document's entryUUID with ``OriginalStatus`` and ``NewStatus``; transitions Approved ↔
Archived and Approved/Archived → Deleted. Visibility: a new ``ExtrinsicObject`` whose
``lid`` is the document's logical id (its first version's entryUUID), with the new
confidentiality codes, and a ``HasMember`` whose ``PreviousVersion`` is the current
version; the current version (the latest of that logical id) becomes
Deprecated and the new one, version + 1, Approved. Every update carries a SubmissionSet
about the VIHF's patient. Each change is
checked against its row of the rights matrix (docs/dmp-sandbox.md, "Status changes").
"""

from __future__ import annotations

import json
import uuid

from lxml import etree

from cardbridge.sandbox import rim
from cardbridge.sandbox.access import Access, access_for
from cardbridge.sandbox.documents import confidentiality, may_change
from cardbridge.sandbox.faults import Fault, RegistryError, ServiceFault
from cardbridge.sandbox.rights import Actor
from cardbridge.sandbox.service import Exchange, Reply
from cardbridge.sandbox.store import Row, Store
from cardbridge.sandbox.wire import LCM
from cardbridge.sandbox.xds_codes import (
    APPROVED,
    ARCHIVED,
    DELETED,
    DEPRECATED,
    DMP_CONFIDENTIALITY,
    EXTERNAL_IDS,
    HAS_MEMBER,
    INVISIBLE_PATIENT,
    MASKED,
    SCHEMES,
    UPDATE_STATUS,
)

# (from, to) → the matrix row.
TRANSITIONS = {
    (APPROVED, ARCHIVED): "TD3.3d.archive",
    (ARCHIVED, APPROVED): "TD3.3d.archive",
    (APPROVED, DELETED): "TD3.3c.delete",
    (ARCHIVED, DELETED): "TD3.3c.delete",
}
PATIENT_DOCUMENT_CLASS = "90"


def _document(store: Store, access: Access, entry_uuid: str) -> Row:
    assert access.dmp is not None
    document = store.one(
        "SELECT * FROM document WHERE entry_uuid = ? AND ins = ?", entry_uuid, access.dmp["ins"]
    )
    if document is None:
        raise RegistryError(
            "XDSMetadataUpdateError", f"document {entry_uuid} inconnu", "targetObject"
        )
    return document


def _latest_version(store: Store, access: Access, logical_id: str) -> Row:
    # Every version shares its first version's entryUUID as lid (docs/dmp-sandbox.md).
    assert access.dmp is not None
    document = store.one(
        "SELECT * FROM document WHERE lid = ? AND ins = ? ORDER BY version DESC LIMIT 1",
        logical_id,
        access.dmp["ins"],
    )
    if document is None:
        raise RegistryError(
            "XDSMetadataUpdateError", f"document de lid {logical_id} inconnu", "lid"
        )
    return document


def _deny(right: str, document: Row) -> ServiceFault:
    return ServiceFault(
        Fault.ACCESS_DENIED, document["entry_uuid"], f"{right} refusé pour ce document"
    )


def _change_status(association: etree._Element, access: Access, store: Store) -> None:
    document = _document(store, access, association.get("targetObject", ""))
    original, new = rim.slot(association, "OriginalStatus"), rim.slot(association, "NewStatus")
    if original != document["status"]:
        raise RegistryError(
            "XDSMetadataUpdateError", "OriginalStatus différent du statut actuel", "OriginalStatus"
        )
    right = TRANSITIONS.get((original or "", new or ""))
    if right is None:
        raise RegistryError(
            "XDSMetadataUpdateError", f"transition {original} → {new} refusée", "NewStatus"
        )
    if not may_change(access, right, document):
        raise _deny(right, document)
    # A patient's own document is archived or deleted only by a treating physician.
    if (
        document["class_code"] == PATIENT_DOCUMENT_CLASS
        and access.actor is not Actor.TREATING_PHYSICIAN
    ):
        raise _deny(right, document)
    with store.transaction() as db:
        db.execute(
            "UPDATE document SET status = ? WHERE entry_uuid = ?", (new, document["entry_uuid"])
        )


def _visibility_right(old: set[str], new: set[str]) -> str:
    added, removed = new - old, old - new
    if added == {MASKED} and not removed:
        return "TD3.3a.mask"
    if removed == {MASKED} and not added:
        return "TD3.3a.unmask"
    if removed == {INVISIBLE_PATIENT} and not added:
        return "TD3.3b.show_patient"
    raise RegistryError(
        "XDSMetadataUpdateError",
        "changement de visibilité non prévu par le DMP",
        "confidentialityCode",
    )


def _check_submission(objects: etree._Element, access: Access) -> None:
    """An update is a submission: a SubmissionSet about the VIHF's patient [IHE ITI-57]."""
    package = objects.find(rim.r("RegistryPackage"))
    if package is None:
        raise RegistryError(
            "XDSRegistryMetadataError", "SubmissionSet absent", "RegistryObjectList"
        )
    patient = access.caller.claims.patient
    assert patient is not None
    if rim.external_id(package, EXTERNAL_IDS["submissionPatientId"]) != (
        f"{patient.ins}^^^&{patient.oid}&ISO^NH"
    ):
        raise RegistryError(
            "XDSPatientIdDoesNotMatch",
            "patientId du lot différent du resource-id du VIHF",
            "SubmissionSet/patientId",
        )


def _previous_version(objects: etree._Element, entry: etree._Element) -> str | None:
    for association in objects.iterfind(rim.r("Association")):
        if association.get("associationType") == HAS_MEMBER and association.get(
            "targetObject"
        ) == entry.get("id"):
            return rim.slot(association, "PreviousVersion")
    return None


def _change_visibility(
    entry: etree._Element, objects: etree._Element, access: Access, store: Store
) -> None:
    document = _latest_version(store, access, entry.get("lid", ""))
    if document["status"] != APPROVED:
        raise RegistryError(
            "XDSMetadataVersionError", "seule la version Approved se met à jour", "lid"
        )
    if _previous_version(objects, entry) != str(document["version"]):
        raise RegistryError(
            "XDSMetadataVersionError",
            f"PreviousVersion attendue : {document['version']}",
            "Association/PreviousVersion",
        )
    new = {
        code
        for code, _ in rim.coded(entry, SCHEMES["confidentialityCode"], "confidentialityCode")
        if code != "N"
    }
    if not new <= DMP_CONFIDENTIALITY:
        raise RegistryError(
            "XDSRegistryMetadataError", "confidentialityCode inconnu", "confidentialityCode"
        )
    right = _visibility_right(confidentiality(document), new)
    if not may_change(access, right, document):
        raise _deny(right, document)
    columns = list(document.keys())
    values = dict(zip(columns, document, strict=True))
    values.update(
        entry_uuid=f"urn:uuid:{uuid.uuid4()}",
        version=document["version"] + 1,
        confidentiality=json.dumps(sorted(new)),
    )
    with store.transaction() as db:
        db.execute(
            "UPDATE document SET status = ? WHERE entry_uuid = ?",
            (DEPRECATED, document["entry_uuid"]),
        )
        # The column names come from the table itself, never from the request.
        names, marks = ", ".join(columns), ", ".join("?" for _ in columns)
        db.execute(
            f"INSERT INTO document ({names}) VALUES ({marks})",  # noqa: S608
            [values[column] for column in columns],
        )


def update_document_set(exchange: Exchange, store: Store) -> Reply:
    """Answer TD3.3 (ITI-57)."""
    request = exchange.request.payload
    objects = None if request is None else request.find(f"{rim.r('RegistryObjectList')}")
    if request is None or request.tag != f"{{{LCM}}}SubmitObjectsRequest" or objects is None:
        raise ServiceFault(Fault.INVALID_REQUEST, "/Envelope/Body", "SubmitObjectsRequest attendu")
    access = access_for(exchange.caller, store, exchange.now)
    access.require_document_access("SubmitObjectsRequest")
    changes = [
        a
        for a in objects.iterfind(rim.r("Association"))
        if a.get("associationType") == UPDATE_STATUS
    ]
    entries = [e for e in objects.iterfind(rim.r("ExtrinsicObject")) if e.get("lid")]
    if not changes and not entries:
        nothing = RegistryError(
            "XDSMetadataUpdateError", "aucune mise à jour", "RegistryObjectList"
        )
        return Reply(rim.registry_response([nothing]), result=nothing.code)
    try:
        _check_submission(objects, access)
        for association in changes:
            _change_status(association, access, store)
        for entry in entries:
            _change_visibility(entry, objects, access, store)
    except RegistryError as error:
        return Reply(rim.registry_response([error]), result=error.code)
    return Reply(rim.registry_response())
