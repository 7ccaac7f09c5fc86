"""TD3.2, ITI-43 Retrieve Document Set: documents by uniqueId, answered as MTOM.

An entryUUID sent as ``DocumentUniqueId`` is ``XDSDocumentUniqueIdError``, as the real
DMP answers; so is an unknown uniqueId. A document the caller may not read is refused with
``DMPAccessDeniedByRightsService`` (docs/dmp-sandbox.md, "Queries and retrieve").
"""

from __future__ import annotations

from lxml import etree

from cardbridge.sandbox import mtom, rim
from cardbridge.sandbox.access import access_for
from cardbridge.sandbox.documents import may_read
from cardbridge.sandbox.faults import Fault, RegistryError, ServiceFault
from cardbridge.sandbox.service import Exchange, Reply
from cardbridge.sandbox.store import Row, Store
from cardbridge.sandbox.wire import RS, XDSB, XOP
from cardbridge.sandbox.xds_codes import REPOSITORY_UNIQUE_ID


def _x(tag: str) -> str:
    return f"{{{XDSB}}}{tag}"


def _find(store: Store, ins: str, repository: str, unique_id: str) -> Row:
    if repository != REPOSITORY_UNIQUE_ID:
        raise RegistryError(
            "XDSRepositoryWrongRepositoryUniqueId",
            f"dépôt attendu : {REPOSITORY_UNIQUE_ID}",
            "RepositoryUniqueId",
        )
    if unique_id.startswith("urn:uuid:"):
        raise RegistryError(
            "XDSDocumentUniqueIdError",
            "un uniqueId (OID) est attendu, pas un entryUUID",
            "DocumentUniqueId",
        )
    document = store.one(
        "SELECT * FROM document WHERE ins = ? AND unique_id = ? ORDER BY version DESC",
        ins,
        unique_id,
    )
    if document is None:
        raise RegistryError(
            "XDSDocumentUniqueIdError", f"document {unique_id} inconnu", "DocumentUniqueId"
        )
    return document


def retrieve(exchange: Exchange, store: Store) -> Reply:
    """Answer TD3.2 (ITI-43)."""
    request = exchange.request.payload
    if request is None or request.tag != _x("RetrieveDocumentSetRequest"):
        raise ServiceFault(
            Fault.INVALID_REQUEST, "/Envelope/Body", "RetrieveDocumentSetRequest attendu"
        )
    access = access_for(exchange.caller, store, exchange.now)
    access.require_document_access("RetrieveDocumentSetRequest")
    assert access.dmp is not None
    answer = etree.Element(
        _x("RetrieveDocumentSetResponse"), nsmap={"xdsb": XDSB, "rs": RS, "xop": XOP}
    )
    attachments: dict[str, bytes] = {}
    found: list[tuple[Row, str]] = []
    requests = list(request.iterfind(_x("DocumentRequest")))
    if not requests:
        empty = RegistryError(
            "XDSRegistryMetadataError", "aucun DocumentRequest", "RetrieveDocumentSetRequest"
        )
        answer.append(rim.registry_response([empty]))
        return Reply(answer, result=empty.code)
    try:
        for request_element in requests:
            repository = (request_element.findtext(_x("RepositoryUniqueId")) or "").strip()
            unique_id = (request_element.findtext(_x("DocumentUniqueId")) or "").strip()
            document = _find(store, access.dmp["ins"], repository, unique_id)
            if not may_read(access, document):
                raise ServiceFault(Fault.ACCESS_DENIED, "DocumentUniqueId", f"document {unique_id}")
            found.append((document, repository))
    except RegistryError as error:
        answer.append(rim.registry_response([error]))
        return Reply(answer, result=error.code)
    answer.append(rim.registry_response())
    for document, repository in found:
        response = etree.SubElement(answer, _x("DocumentResponse"))
        etree.SubElement(response, _x("RepositoryUniqueId")).text = repository
        etree.SubElement(response, _x("DocumentUniqueId")).text = document["unique_id"]
        etree.SubElement(response, _x("mimeType")).text = document["mime_type"]
        content_id = mtom.new_content_id(document["unique_id"])
        include = etree.SubElement(etree.SubElement(response, _x("Document")), f"{{{XOP}}}Include")
        include.set("href", "cid:" + content_id.replace("@", "%40").replace(":", "%3A"))
        attachments[content_id] = document["content"]
    return Reply(answer, attachments)
