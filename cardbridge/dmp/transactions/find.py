"""TD3.1, the documents of a DMP (IHE ITI-18 Registry Stored Query): ``FindDocuments``
with its filters, and ``GetDocuments`` by uniqueId (docs/dmp-client.md, "Documents").

Slot syntax [MSG]: the patient id quoted, lists in parentheses with quoted items, coded
values ``'code^^codingScheme'``, times ``YYYYMMDDhhmmss`` (UTC) unquoted. ``Approved`` is
always asked for; archived and deprecated (replaced) documents only on request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Self

from lxml import etree
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from cardbridge.dmp import catalogue
from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.results import DocumentEntry, DocumentStatus
from cardbridge.dmp.transactions import names
from cardbridge.dmp.transactions.answers import raise_for_errors
from cardbridge.dmp.transactions.ebrim import rim
from cardbridge.dmp.transactions.entries import document_entries, read_entry
from cardbridge.dmp.transactions.submission import utc_timestamp
from cardbridge.dmp.transport import Service, SoapCall, Transport
from cardbridge.errors import DmpAnswerError, NotFoundError

ACTION = "urn:ihe:iti:2007:RegistryStoredQuery"
TRANSACTION = "TD3.1"
PRACTICE_SETTING_OID = "1.2.250.1.213.1.1.4.9"
HL7_CONFIDENTIALITY_OID = "2.16.840.1.113883.5.25"
_LOINC = re.compile(r"\d{1,7}-\d")


class DocumentFilter(BaseModel):
    """What to ask TD3.1 for. Every field narrows the list; empty means "any"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    include_archived: bool = Field(False, description="Archived documents too.")
    include_deprecated: bool = Field(False, description="Replaced (older) versions too.")
    type_codes: tuple[str, ...] = Field(
        (), description="Document types (typeCode: LOINC, or the DMP's own such as SYNTH)."
    )
    class_codes: tuple[str, ...] = Field((), description="Document classes (TRE_A03: 10, 11…).")
    practice_settings: tuple[str, ...] = Field(
        (), description="Practice settings (AMBULATOIRE, ETABLISSEMENT…)."
    )
    confidentiality: tuple[str, ...] = Field(
        (), description="Confidentiality codes: N, MASQUE_PS, INVISIBLE_PATIENT…"
    )
    created_from: AwareDatetime | None = Field(None, description="Created at or after.")
    created_to: AwareDatetime | None = Field(None, description="Created before.")
    service_start_from: AwareDatetime | None = Field(None, description="Care began at or after.")
    service_start_to: AwareDatetime | None = Field(None, description="Care began before.")
    service_stop_from: AwareDatetime | None = Field(None, description="Care ended at or after.")
    service_stop_to: AwareDatetime | None = Field(None, description="Care ended before.")

    @model_validator(mode="after")
    def _bounds_in_order(self) -> Self:
        for start, end in (
            (self.created_from, self.created_to),
            (self.service_start_from, self.service_start_to),
            (self.service_stop_from, self.service_stop_to),
        ):
            if start is not None and end is not None and start >= end:
                raise ValueError("a period's start must come before its end")
        return self


def type_system(code: str) -> str:
    """The code system of a typeCode: the catalogue's, else LOINC for a LOINC-shaped code,
    else the DMP's own types (TRE_A05) — the last two are our reading of the code's shape."""
    known = catalogue.TYPES_BY_CODE.get(code)
    if known is not None:
        return known.system
    return catalogue.LOINC_OID if _LOINC.fullmatch(code) else catalogue.TRE_A05_OID


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _listed(values: Iterable[str]) -> str:
    return "(" + ",".join(_quoted(v) for v in values) + ")"


def _statuses(filters: DocumentFilter) -> list[str]:
    statuses = [names.APPROVED]
    if filters.include_archived:
        statuses.append(names.ARCHIVED)
    if filters.include_deprecated:
        statuses.append(names.DEPRECATED)
    return statuses


def _coded(filters: DocumentFilter) -> list[tuple[str, list[str]]]:
    def confidentiality_system(code: str) -> str:
        return HL7_CONFIDENTIALITY_OID if code == "N" else catalogue.VISIBILITY_OID

    return [
        ("TypeCode", [f"{c}^^{type_system(c)}" for c in filters.type_codes]),
        ("ClassCode", [f"{c}^^{catalogue.CLASS_OID}" for c in filters.class_codes]),
        (
            "PracticeSettingCode",
            [f"{c}^^{PRACTICE_SETTING_OID}" for c in filters.practice_settings],
        ),
        (
            "ConfidentialityCode",
            [f"{c}^^{confidentiality_system(c)}" for c in filters.confidentiality],
        ),
    ]


def _times(filters: DocumentFilter) -> list[tuple[str, datetime | None]]:
    return [
        ("CreationTimeFrom", filters.created_from),
        ("CreationTimeTo", filters.created_to),
        ("ServiceStartTimeFrom", filters.service_start_from),
        ("ServiceStartTimeTo", filters.service_start_to),
        ("ServiceStopTimeFrom", filters.service_stop_from),
        ("ServiceStopTimeTo", filters.service_stop_to),
    ]


def _request(query_id: str, slots: list[tuple[str, str]], return_type: str) -> etree._Element:
    """An ``AdhocQueryRequest`` of the stored query ``query_id``; ``return_type``
    ``LeafClass`` (the metadata) or ``ObjectRef`` (the entryUUIDs only)."""
    request = etree.Element(
        f"{{{names.QUERY}}}AdhocQueryRequest", nsmap={"query": names.QUERY, "rim": names.RIM}
    )
    etree.SubElement(
        request,
        f"{{{names.QUERY}}}ResponseOption",
        returnComposedObjects="true",
        returnType=return_type,
    )
    query = etree.SubElement(request, rim("AdhocQuery"), id=query_id)
    for name, value in slots:
        slot = etree.SubElement(query, rim("Slot"), name=name)
        etree.SubElement(etree.SubElement(slot, rim("ValueList")), rim("Value")).text = value
    return request


def find_documents_request(
    ins: InsReference,
    filters: DocumentFilter,
    *,
    statuses: Iterable[str] | None = None,
    return_type: str = "LeafClass",
) -> etree._Element:
    """The ``AdhocQueryRequest`` of a FindDocuments stored query (``statuses``: the wire
    statuses asked, else those ``filters`` implies)."""
    slots = [
        ("$XDSDocumentEntryPatientId", _quoted(ins.cx)),
        ("$XDSDocumentEntryStatus", _listed(statuses or _statuses(filters))),
    ]
    slots += [(f"$XDSDocumentEntry{n}", _listed(v)) for n, v in _coded(filters) if v]
    slots += [
        (f"$XDSDocumentEntry{n}", utc_timestamp(t)) for n, t in _times(filters) if t is not None
    ]
    return _request(names.FIND_DOCUMENTS, slots, return_type)


def get_documents_request(unique_id: str, return_type: str = "LeafClass") -> etree._Element:
    """The ``AdhocQueryRequest`` of a GetDocuments stored query by uniqueId [DRIMbox]."""
    return _request(
        names.GET_DOCUMENTS, [("$XDSDocumentEntryUniqueId", _listed([unique_id]))], return_type
    )


def _query(
    transport: Transport, vihf: bytes, request: etree._Element
) -> list[tuple[DocumentEntry, etree._Element]]:
    call = SoapCall(Service.REGISTRY, ACTION, request, transaction=TRANSACTION)
    answer = transport.call(call, vihf)
    if answer.payload.tag != f"{{{names.QUERY}}}AdhocQueryResponse":
        raise DmpAnswerError("The DMP's TD3.1 answer is not an AdhocQueryResponse.")
    raise_for_errors(answer.payload, TRANSACTION)
    entries = document_entries(answer.payload)
    if (
        not entries
        and answer.payload.find(f"{rim('RegistryObjectList')}/{rim('ObjectRef')}") is not None
    ):
        # FI526 note 5: establishments (indirect mode) and CPE cards may only search the
        # references of their own documents, never the metadata.
        raise DmpAnswerError(
            "The DMP gives this login the references of documents only, not their "
            "descriptions: use a practitioner's card (CPS) to list the documents."
        )
    return [(read_entry(entry), entry) for entry in entries]


def find_documents(
    transport: Transport, vihf: bytes, ins: InsReference, filters: DocumentFilter
) -> list[DocumentEntry]:
    """TD3.1: the patient's documents the caller may see that match ``filters``, as the
    DMP lists them (never filtered again here on the patient id: an INS may change)."""
    return [entry for entry, _ in _query(transport, vihf, find_documents_request(ins, filters))]


def current_version(
    transport: Transport, vihf: bytes, unique_id: str
) -> tuple[DocumentEntry, etree._Element]:
    """TD3.1 GetDocuments: the current version of the document ``unique_id``, read and as
    the DMP wrote it (TD3.3's metadata update starts from it); :class:`NotFoundError` when
    the DMP lists none the caller may see."""
    request = get_documents_request(unique_id)
    found = [pair for pair in _query(transport, vihf, request) if pair[0].unique_id == unique_id]
    # A visibility change leaves the earlier version Deprecated under the same uniqueId.
    current = [p for p in found if p[0].status is not DocumentStatus.DEPRECATED] or found
    if not current:
        raise NotFoundError(
            "This document is not in the patient's DMP, or you may not see it. "
            "List the documents again and choose one from the list."
        )
    return max(current, key=lambda pair: _version(pair[0]))


def document_by_unique_id(
    transport: Transport, vihf: bytes, ins: InsReference, unique_id: str
) -> DocumentEntry:
    """TD3.1 GetDocuments: the current version of the document ``unique_id`` (its
    entryUUID and status, which TD3.3 needs); :class:`NotFoundError` when the DMP lists
    none the caller may see. ``ins`` is the VIHF's patient: GetDocuments names only the
    document."""
    del ins
    return current_version(transport, vihf, unique_id)[0]


def _version(entry: DocumentEntry) -> int:
    return int(entry.version) if entry.version and entry.version.isdigit() else 0
