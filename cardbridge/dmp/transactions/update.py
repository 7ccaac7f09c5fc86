"""TD3.3, a document's status and visibility (IHE ITI-57 Update Document Set)
(docs/dmp-client.md, "Documents").

Both are an ``lcm:SubmitObjectsRequest`` with a new SubmissionSet (the deposit's builder,
:mod:`cardbridge.dmp.transactions.submission`):

- status (archive, unarchive, delete): an ``UpdateAvailabilityStatus`` association from
  the set to the document's **entryUUID**, with ``OriginalStatus`` and ``NewStatus`` [MSG
  TD3.3c, TD3.3d];
- visibility (mask or unmask to professionals, make visible to the patient or to the
  legal representatives): a new version of the DocumentEntry, whose ``lid`` is the
  document's logical id (its first version's entryUUID), with the new confidentiality
  codes, and a ``HasMember`` association carrying ``PreviousVersion`` [KIT, the masking
  template].

The current version (entryUUID, status, metadata) comes from TD3.1 GetDocuments first.
"""

from __future__ import annotations

import copy
from enum import StrEnum
from types import MappingProxyType

from lxml import etree

from cardbridge.dmp import catalogue
from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.results import DocumentEntry, DocumentStatus
from cardbridge.dmp.transactions import ebrim, names
from cardbridge.dmp.transactions.answers import classifications, raise_for_errors, slot_value
from cardbridge.dmp.transactions.entries import WIRE_STATUSES
from cardbridge.dmp.transactions.find import current_version
from cardbridge.dmp.transactions.references import current_reference
from cardbridge.dmp.transactions.submission import (
    SubmissionSet,
    add_member,
    add_submission_set,
    submit_objects_request,
)
from cardbridge.dmp.transport import Service, SoapCall, Transport
from cardbridge.errors import DmpAnswerError, InvalidInputError

ACTION = "urn:ihe:iti:2010:UpdateDocumentSet"
TRANSACTION = "TD3.3"
NEW_VERSION_ID = "Document01"  # symbolic id of the new version in the submission


class StatusChange(StrEnum):
    """TD3.3c and TD3.3d."""

    ARCHIVE = "archive"
    UNARCHIVE = "unarchive"
    DELETE = "delete"


# change → (the statuses it applies to, the new status) [MSG TD3.3c/d; unarchive inferred].
TRANSITIONS = MappingProxyType(
    {
        StatusChange.ARCHIVE: (frozenset({DocumentStatus.APPROVED}), DocumentStatus.ARCHIVED),
        StatusChange.UNARCHIVE: (frozenset({DocumentStatus.ARCHIVED}), DocumentStatus.APPROVED),
        StatusChange.DELETE: (
            frozenset({DocumentStatus.APPROVED, DocumentStatus.ARCHIVED}),
            DocumentStatus.DELETED,
        ),
    }
)


class VisibilityChange(StrEnum):
    """TD3.3a and TD3.3b."""

    MASK = "mask"  # masked to professionals
    UNMASK = "unmask"
    SHOW_TO_PATIENT = "show_to_patient"
    SHOW_TO_GUARDIANS = "show_to_guardians"


# change → (code added, code removed) among the DMP's confidentiality codes.
VISIBILITY_CODES = MappingProxyType(
    {
        VisibilityChange.MASK: (names.MASKED_FROM_PROFESSIONALS, None),
        VisibilityChange.UNMASK: (None, names.MASKED_FROM_PROFESSIONALS),
        VisibilityChange.SHOW_TO_PATIENT: (None, names.INVISIBLE_TO_PATIENT),
        VisibilityChange.SHOW_TO_GUARDIANS: (None, names.INVISIBLE_TO_GUARDIANS),
    }
)
# Labels sent with the codes (ours: the value set's own labels are not in our sources).
_LABELS = MappingProxyType(
    {
        names.MASKED_FROM_PROFESSIONALS: "Masqué aux professionnels de santé",
        names.INVISIBLE_TO_PATIENT: "Non visible par le patient",
        names.INVISIBLE_TO_GUARDIANS: "Non visible par les représentants légaux",
    }
)


def _send(transport: Transport, vihf: bytes, request: etree._Element) -> None:
    answer = transport.call(
        SoapCall(Service.REGISTRY, ACTION, request, transaction=TRANSACTION), vihf
    )
    if answer.payload.tag != f"{{{names.RS}}}RegistryResponse":
        raise DmpAnswerError("The DMP's TD3.3 answer is not a RegistryResponse.")
    raise_for_errors(answer.payload, TRANSACTION)


def status_request(
    entry: DocumentEntry, new: DocumentStatus, submission: SubmissionSet
) -> etree._Element:
    """The ``SubmitObjectsRequest`` moving ``entry`` from its status to ``new``."""
    return reference_status_request(entry.entry_uuid, entry.status, new, submission)


def reference_status_request(
    entry_uuid: str, original: DocumentStatus, new: DocumentStatus, submission: SubmissionSet
) -> etree._Element:
    """The ``SubmitObjectsRequest`` moving the version ``entry_uuid`` from ``original``
    to ``new``."""
    objects = submit_objects_request()
    add_submission_set(objects, submission)
    association = ebrim.association(
        objects,
        names.UPDATE_AVAILABILITY_STATUS,
        submission.entry_id,
        entry_uuid,
        "UpdateAvailabilityStatus01",
    )
    ebrim.slot(association, "OriginalStatus", WIRE_STATUSES[original])
    ebrim.slot(association, "NewStatus", WIRE_STATUSES[new])
    request = objects.getparent()
    assert request is not None
    return request


def change_status(
    transport: Transport,
    vihf: bytes,
    unique_id: str,
    change: StatusChange,
    submission: SubmissionSet,
) -> DocumentEntry:
    """TD3.3c/d: archive, unarchive or delete the document ``unique_id``; returns the
    version changed (as it was). :class:`InvalidInputError` when its status does not allow
    the change; :class:`~cardbridge.errors.DmpRefusedError` with the DMP's code and text."""
    entry, _ = current_version(transport, vihf, unique_id)
    allowed, new = TRANSITIONS[change]
    if entry.status not in allowed:
        raise InvalidInputError(
            f"This document is {entry.status.value}: it cannot be {change.value}d. "
            "List the documents again to see its current status.",
            field="status",
        )
    _send(transport, vihf, status_request(entry, new, submission))
    return entry


def delete_document(
    transport: Transport,
    vihf: bytes,
    ins: InsReference,
    unique_id: str,
    submission: SubmissionSet,
) -> DocumentStatus:
    """TD3.3c: delete the document ``unique_id`` (approved or archived), found by reference
    searches only (:mod:`cardbridge.dmp.transactions.references`): what the DMP allows a
    structure in indirect mode, as every profile [FI526 note 5]. Returns the status it had;
    :class:`~cardbridge.errors.NotFoundError` when no version may be deleted;
    :class:`~cardbridge.errors.DmpRefusedError` with the DMP's code and text."""
    allowed, new = TRANSITIONS[StatusChange.DELETE]
    entry_uuid, status = current_reference(
        transport, vihf, ins, unique_id, tuple(s for s in DocumentStatus if s in allowed)
    )
    _send(transport, vihf, reference_status_request(entry_uuid, status, new, submission))
    return status


def _dmp_codes(element: etree._Element) -> set[str]:
    return {
        c.get("nodeRepresentation", "")
        for c in classifications(element, "confidentialityCode")
        if slot_value(c, "codingScheme") == catalogue.VISIBILITY_OID
    }


def new_version(current: etree._Element, codes: set[str]) -> etree._Element:
    """The new version of the DocumentEntry ``current`` (as the DMP listed it) with the DMP
    confidentiality ``codes`` besides ``N``: same metadata, symbolic ids, ``lid`` = the
    document's logical id, no status (the registry sets it).

    Every version of a DocumentEntry shares its first version's entryUUID as ``lid``
    (docs/dmp-client.md, "Documents"): the listed ``lid``, or the entryUUID of a listing
    that gives none (a first version's entryUUID is its logical id)."""
    entry = copy.deepcopy(current)
    logical_id = entry.get("lid") or entry.get("id") or ""
    entry.set("id", NEW_VERSION_ID)
    entry.set("lid", logical_id)
    if "status" in entry.attrib:
        del entry.attrib["status"]
    for classification in classifications(entry, "confidentialityCode"):
        if slot_value(classification, "codingScheme") == catalogue.VISIBILITY_OID:
            entry.remove(classification)
    for code in sorted(codes):
        ebrim.classification(
            entry,
            names.CLASSIFICATION_SCHEMES["confidentialityCode"],
            NEW_VERSION_ID,
            f"{NEW_VERSION_ID}-visibility-{code}",
            ebrim.Code(code, catalogue.VISIBILITY_OID, _LABELS[code]),
        )
    # Classifications and identifiers get ids of this submission, pointing at the new id.
    for number, child in enumerate(entry.iterfind(ebrim.rim("Classification"))):
        child.set("classifiedObject", NEW_VERSION_ID)
        if not child.get("id", "").startswith(f"{NEW_VERSION_ID}-"):
            child.set("id", f"{NEW_VERSION_ID}-c{number}")
    for number, child in enumerate(entry.iterfind(ebrim.rim("ExternalIdentifier"))):
        child.set("registryObject", NEW_VERSION_ID)
        child.set("id", f"{NEW_VERSION_ID}-e{number}")
    return entry


def visibility_request(
    current: tuple[DocumentEntry, etree._Element], codes: set[str], submission: SubmissionSet
) -> etree._Element:
    """The ``SubmitObjectsRequest`` of a metadata update giving ``codes``."""
    entry, element = current
    objects = submit_objects_request()
    add_submission_set(objects, submission)
    objects.append(new_version(element, codes))
    member = add_member(objects, submission, NEW_VERSION_ID)
    ebrim.slot(member, "PreviousVersion", entry.version or "1")
    request = objects.getparent()
    assert request is not None
    return request


def change_visibility(
    transport: Transport,
    vihf: bytes,
    unique_id: str,
    change: VisibilityChange,
    submission: SubmissionSet,
) -> DocumentEntry:
    """TD3.3a/b: mask or unmask the document ``unique_id`` to professionals, or make it
    visible to the patient or the legal representatives; returns the version replaced.
    :class:`InvalidInputError` when the document already is so;
    :class:`~cardbridge.errors.DmpRefusedError` with the DMP's code and text."""
    current = current_version(transport, vihf, unique_id)
    codes = _dmp_codes(current[1])
    added, removed = VISIBILITY_CODES[change]
    if (added and added in codes) or (removed and removed not in codes):
        raise InvalidInputError(
            "The document's visibility already is what was asked: nothing to change.",
            field="visibility",
        )
    wanted = (codes | {added} if added else codes) - ({removed} if removed else set())
    _send(transport, vihf, visibility_request(current, wanted, submission))
    return current[0]
