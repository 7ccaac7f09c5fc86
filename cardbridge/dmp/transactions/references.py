"""TD3.1 "référence seule": a document's entryUUID and status without its metadata
(docs/dmp-client.md, "Documents").

The rights matrix lets every profile search a document's *reference* — establishments in
indirect mode and CPE cards nothing more — "e.g. before deletion" [FI526, TD3.1 rows and
note 5]. A reference is an ``ObjectRef`` (the entryUUID, no status): GetDocuments by
uniqueId with ``returnType="ObjectRef"`` gives the entryUUIDs of the document's versions
[DRIMbox], and FindDocuments of one status with the same return type tells which of them
has that status. Deletion (TD3.3c) needs both: the entryUUID it targets and the status it
moves from [MSG TD3.3c].
"""

from __future__ import annotations

from lxml import etree

from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.results import DocumentStatus
from cardbridge.dmp.transactions import names
from cardbridge.dmp.transactions.answers import raise_for_errors
from cardbridge.dmp.transactions.ebrim import rim
from cardbridge.dmp.transactions.entries import WIRE_STATUSES
from cardbridge.dmp.transactions.find import (
    ACTION,
    TRANSACTION,
    DocumentFilter,
    find_documents_request,
    get_documents_request,
)
from cardbridge.dmp.transport import Service, SoapCall, Transport
from cardbridge.errors import DmpAnswerError, NotFoundError

OBJECT_REF = "ObjectRef"


def _references(transport: Transport, vihf: bytes, request: etree._Element) -> set[str]:
    """The entryUUIDs the DMP answers (``ObjectRef``s; the ``ExtrinsicObject``s of a
    server that sends the metadata anyway count by their id)."""
    answer = transport.call(
        SoapCall(Service.REGISTRY, ACTION, request, transaction=TRANSACTION), vihf
    )
    if answer.payload.tag != f"{{{names.QUERY}}}AdhocQueryResponse":
        raise DmpAnswerError("The DMP's TD3.1 answer is not an AdhocQueryResponse.")
    raise_for_errors(answer.payload, TRANSACTION)
    listed = answer.payload.find(rim("RegistryObjectList"))
    if listed is None:
        return set()
    found = set()
    for child in listed:
        if child.tag in (rim(OBJECT_REF), rim("ExtrinsicObject")):
            entry_uuid = child.get("id")
            if not entry_uuid:
                raise DmpAnswerError("The DMP listed a document reference without its id.")
            found.add(entry_uuid)
    return found


def current_reference(
    transport: Transport,
    vihf: bytes,
    ins: InsReference,
    unique_id: str,
    statuses: tuple[DocumentStatus, ...] = (DocumentStatus.APPROVED, DocumentStatus.ARCHIVED),
) -> tuple[str, DocumentStatus]:
    """The entryUUID of the document ``unique_id`` and its status, the first of
    ``statuses`` it has, by reference searches only; :class:`NotFoundError` when the DMP
    lists no such version the caller may reach."""
    versions = _references(transport, vihf, get_documents_request(unique_id, OBJECT_REF))
    if versions:
        for status in statuses:
            request = find_documents_request(
                ins, DocumentFilter(), statuses=[WIRE_STATUSES[status]], return_type=OBJECT_REF
            )
            with_status = versions & _references(transport, vihf, request)
            if with_status:
                return min(with_status), status
    raise NotFoundError(
        "This document is not in the patient's DMP, or you may not reach it (a structure "
        "reaches only its own documents). List the documents again and choose one."
    )
