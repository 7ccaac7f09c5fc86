"""The documents of an opened DMP (``/v1/dmp/documents``): the list with its filters
(TD3.1), a document's content (TD3.2), its visibility and archiving (TD3.3), its
deletion (TD3.3). The deposit (TD2.1) is in :mod:`cardbridge.api.routes.dmp`.

The patient's DMP must have been opened in the caller's PIN session (`POST
/v1/dmp/access`): the document transactions use that access's mode and reason.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Path, Query, Response

from cardbridge.api.deps import BridgeDep, CallerDep, ReaderQuery
from cardbridge.api.dmp_workflow_models import DocumentChange, DocumentStatusFilter, PatientQuery
from cardbridge.api.routes.common import BODY_CODES, CARD_CODES, responses
from cardbridge.api.routes.dmp_records import DMP_TRANSACTION_CODES
from cardbridge.dmp.period import period_end, period_start
from cardbridge.dmp.results import DocumentEntry, DocumentStatus
from cardbridge.errors import InvalidInputError
from cardbridge.messages.inputs import END_BEFORE_START
from cardbridge.service.dmp_changes import Changes

if TYPE_CHECKING:
    from cardbridge.dmp.transactions.find import DocumentFilter

router = APIRouter(prefix="/v1/dmp/documents", tags=["DMP"])

DOCUMENT_CODES = (*CARD_CODES, *DMP_TRANSACTION_CODES, "dmp_access_required")
# A uniqueId is an OID, or OID^extension (≤ 64 characters in the DMP; docs/dmp-client.md).
UniqueId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=128,
        pattern=r"^[0-9A-Za-z.^_\-]+$",
        description="The document's uniqueId, as the list gives it",
    ),
]
_STATUSES = {
    DocumentStatusFilter.APPROVED: {DocumentStatus.APPROVED},
    DocumentStatusFilter.ARCHIVED: {DocumentStatus.ARCHIVED},
    DocumentStatusFilter.DEPRECATED: {DocumentStatus.DEPRECATED},
    DocumentStatusFilter.ALL: set(DocumentStatus),
}


def document_filter(
    type_code: str | None, status: DocumentStatusFilter, start: date | None, end: date | None
) -> DocumentFilter:
    """The TD3.1 filter of the route's parameters (dates: whole days, local time)."""
    from cardbridge.dmp.transactions.find import DocumentFilter  # noqa: PLC0415 - lxml

    if start is not None and end is not None and end < start:
        raise InvalidInputError(END_BEFORE_START, field="to")
    return DocumentFilter(
        include_archived=status in {DocumentStatusFilter.ARCHIVED, DocumentStatusFilter.ALL},
        include_deprecated=status in {DocumentStatusFilter.DEPRECATED, DocumentStatusFilter.ALL},
        type_codes=(type_code,) if type_code else (),
        created_from=period_start(start) if start is not None else None,
        created_to=period_end(end) if end is not None else None,
    )


@router.get(
    "",
    summary="The documents of an opened DMP, filtered (TD3.1)",
    responses=responses(*DOCUMENT_CODES),
)
async def documents(  # noqa: PLR0917 - one argument per query parameter
    patient: PatientQuery,
    bridge: BridgeDep,
    caller: CallerDep,
    type: Annotated[
        str | None,
        Query(max_length=64, description="A document type code (`GET /v1/dmp/document-types`)"),
    ] = None,
    status: Annotated[
        DocumentStatusFilter,
        Query(description="`approved` (default), `archived`, `deprecated` (replaced) or `all`"),
    ] = DocumentStatusFilter.APPROVED,
    start: Annotated[
        date | None, Query(alias="from", description="Created on or after this day")
    ] = None,
    end: Annotated[
        date | None, Query(alias="to", description="Created on or before this day")
    ] = None,
    reader: ReaderQuery = None,
) -> list[DocumentEntry]:
    """The documents this practitioner may see, as the DMP lists them, each with its
    `unique_id` (what the other document routes take), status and visibility."""
    ins = bridge.dmp.ins_of(patient, reader)
    found = await bridge.dmp.documents(
        ins=ins, filters=document_filter(type, status, start, end), reader=reader, caller=caller
    )
    wanted = _STATUSES[status]
    return [entry for entry in found if entry.status in wanted]


@router.get(
    "/{unique_id}",
    summary="A document's content, with its media type (TD3.2)",
    responses={
        **responses(*DOCUMENT_CODES),
        200: {
            "description": "The document: PDF, plain text, RTF, JPEG or TIFF, unwrapped from "
            "its CDA, or the CDA itself for a structured document",
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        },
    },
    response_class=Response,
)
async def document(
    unique_id: UniqueId,
    patient: PatientQuery,
    bridge: BridgeDep,
    caller: CallerDep,
    reader: ReaderQuery = None,
) -> Response:
    """The bytes the author deposited, as they were (a CDA wrapper is unwrapped):
    `Content-Type` says the format, `X-Dmp-Wrapped-In-Cda` whether the DMP held it
    wrapped in a CDA."""
    ins = bridge.dmp.ins_of(patient, reader)
    found = await bridge.dmp.document(ins=ins, unique_id=unique_id, reader=reader, caller=caller)
    headers = {"X-Dmp-Wrapped-In-Cda": "true" if found.wrapped_in_cda else "false"}
    if found.filename:
        headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    return Response(found.content, media_type=found.media_type, headers=headers)


@router.patch(
    "/{unique_id}",
    summary="Mask, unmask, make visible to the patient, archive or unarchive (TD3.3)",
    responses=responses(*BODY_CODES, *DOCUMENT_CODES, "not_found"),
)
async def change(
    unique_id: UniqueId,
    body: DocumentChange,
    bridge: BridgeDep,
    caller: CallerDep,
    reader: ReaderQuery = None,
) -> DocumentEntry:
    """Each change is a TD3.3 of its own; the answer is the document as the DMP lists it
    afterwards (TD3.1)."""
    ins = bridge.dmp.ins_of(body.patient, reader)
    changes = Changes(body.masked_from_professionals, body.visible_to_patient, body.archived)
    return await bridge.dmp.change(
        ins=ins, unique_id=unique_id, changes=changes, reader=reader, caller=caller
    )


@router.delete(
    "/{unique_id}",
    summary="Delete a document (TD3.3)",
    status_code=204,
    responses=responses(*DOCUMENT_CODES, "not_found"),
    response_class=Response,
)
async def delete(
    unique_id: UniqueId,
    patient: PatientQuery,
    bridge: BridgeDep,
    caller: CallerDep,
    reader: ReaderQuery = None,
) -> Response:
    """The DMP allows it to the document's author (and the treating physician), and to a
    structure in indirect mode for its own documents: the document is found by reference
    searches, which every profile may make. 404 `not_found` when no version of it may be
    deleted (already deleted, replaced, or not reachable)."""
    ins = bridge.dmp.ins_of(patient, reader)
    await bridge.dmp.delete(ins=ins, unique_id=unique_id, reader=reader, caller=caller)
    return Response(status_code=204)
