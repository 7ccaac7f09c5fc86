"""TD3.1, ITI-18 Registry Stored Query: FindDocuments, GetDocuments and
FindDocumentsByReferenceId, filtered by the rights (docs/dmp-sandbox.md, "Queries and retrieve").

Slot syntax: a single value quoted (``'…'``), lists in parentheses (``('a','b')``), coded
values ``'code^^codingScheme'``, times ``YYYYMMDDhhmmss`` unquoted. Callers whose column
has only "reference search" (CPE, structures) get ``ObjectRef``s, never metadata.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from lxml import etree

from cardbridge.sandbox import rim
from cardbridge.sandbox.access import Access, access_for
from cardbridge.sandbox.documents import may_read
from cardbridge.sandbox.faults import Fault, RegistryError, ServiceFault
from cardbridge.sandbox.service import Exchange, Reply
from cardbridge.sandbox.store import DOCUMENT_METADATA, Row, Store
from cardbridge.sandbox.wire import QUERY, RIM, RS
from cardbridge.sandbox.xds_results import extrinsic_object

FIND_DOCUMENTS = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"
GET_DOCUMENTS = "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4"
FIND_BY_REFERENCE = "urn:uuid:12941a89-e02e-4be5-967c-ce4bfc8fe492"
_ITEM = re.compile(r"'((?:[^']|'')*)'|([^,()' ]+)")


def _type_code(document: Row) -> list[str]:
    code, system = document["type_code"].split("^", 1)
    return [f"{code}^^{system}"]


_CODED_FILTERS: dict[str, Callable[[Row], list[str]]] = {
    "$XDSDocumentEntryClassCode": lambda d: [f"{d['class_code']}^^1.2.250.1.213.1.1.4.1"],
    "$XDSDocumentEntryTypeCode": _type_code,
    "$XDSDocumentEntryPracticeSettingCode": lambda d: [
        f"{d['practice_setting']}^^1.2.250.1.213.1.1.4.9"
    ],
    "$XDSDocumentEntryHealthcareFacilityTypeCode": lambda d: [
        f"{d['facility_type']}^^1.2.250.1.71.4.2.4"
    ],
    "$XDSDocumentEntryFormatCode": lambda d: [f"{d['format_code']}^^1.3.6.1.4.1.19376.1.2.3"],
    "$XDSDocumentEntryConfidentialityCode": lambda d: (
        ["N^^2.16.840.1.113883.5.25"]
        + [f"{c}^^1.2.250.1.213.1.1.4.13" for c in json.loads(d["confidentiality"])]
    ),
}


def parameters(query: etree._Element) -> dict[str, list[str]]:
    """Each slot's values, lists unfolded and quotes removed."""
    found: dict[str, list[str]] = {}
    for slot in query.iterfind(f"{{{RIM}}}Slot"):
        values = found.setdefault(slot.get("name", ""), [])
        for value in slot.iterfind(f"{{{RIM}}}ValueList/{{{RIM}}}Value"):
            for quoted, bare in _ITEM.findall(value.text or ""):
                values.append(quoted.replace("''", "'") if quoted else bare)
    return found


def _one(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name, [])
    if len(values) != 1:
        raise RegistryError("XDSStoredQueryParamNumber", f"{name} : une valeur attendue", name)
    return values[0]


def _check_patient(params: dict[str, list[str]], access: Access) -> None:
    patient = access.caller.claims.patient
    assert patient is not None
    if _one(params, "$XDSDocumentEntryPatientId") != f"{patient.ins}^^^&{patient.oid}&ISO^NH":
        raise RegistryError(
            "XDSPatientIdDoesNotMatch",
            "patientId différent du resource-id du VIHF",
            "$XDSDocumentEntryPatientId",
        )


def _within(moment: str | None, params: dict[str, list[str]], name: str) -> bool:
    """Whether ``moment`` is in ``[<name>From, <name>To)``; a document without the time
    is left out by either bound [IHE ITI TF-2a §3.18.4.1.2.3.6]."""
    start = params.get(f"$XDSDocumentEntry{name}From")
    end = params.get(f"$XDSDocumentEntry{name}To")
    if not start and not end:
        return True
    if not moment:
        return False
    moment = moment.ljust(14, "0")
    if start and moment < start[0].ljust(14, "0"):
        return False
    return not (end and moment >= end[0].ljust(14, "0"))


def _matches(document: Row, params: dict[str, list[str]]) -> bool:
    for name, values_of in _CODED_FILTERS.items():
        if name in params and not set(values_of(document)) & set(params[name]):
            return False
    metadata = json.loads(document["metadata"])
    return (
        _within(document["creation_time"], params, "CreationTime")
        and _within(metadata.get("serviceStartTime"), params, "ServiceStartTime")
        and _within(metadata.get("serviceStopTime"), params, "ServiceStopTime")
    )


def _select(params: dict[str, list[str]], query_id: str, access: Access, store: Store) -> list[Row]:
    assert access.dmp is not None
    documents = store.all(
        f"SELECT {DOCUMENT_METADATA} FROM document WHERE ins = ? "  # noqa: S608 - constant columns
        "ORDER BY creation_time, rowid",
        access.dmp["ins"],
    )
    if query_id == GET_DOCUMENTS:
        uuids = set(params.get("$XDSDocumentEntryEntryUUID", []))
        unique_ids = set(params.get("$XDSDocumentEntryUniqueId", []))
        if not uuids and not unique_ids:
            raise RegistryError(
                "XDSStoredQueryParamNumber",
                "$XDSDocumentEntryUniqueId ou $XDSDocumentEntryEntryUUID attendu",
                query_id,
            )
        return [d for d in documents if d["entry_uuid"] in uuids or d["unique_id"] in unique_ids]
    _check_patient(params, access)
    statuses = params.get("$XDSDocumentEntryStatus", [])
    if not statuses:
        raise RegistryError(
            "XDSStoredQueryParamNumber", "$XDSDocumentEntryStatus obligatoire", query_id
        )
    selected = [d for d in documents if d["status"] in statuses and _matches(d, params)]
    if query_id == FIND_BY_REFERENCE:
        references = set(params.get("$XDSDocumentEntryReferenceIdList", []))
        if not references:
            raise RegistryError(
                "XDSStoredQueryParamNumber",
                "$XDSDocumentEntryReferenceIdList obligatoire",
                query_id,
            )
        selected = [
            d
            for d in selected
            if references & set(json.loads(d["metadata"]).get("referenceIdList", []))
        ]
    return selected


def _response(objects: list[etree._Element], error: RegistryError | None = None) -> etree._Element:
    answer = etree.Element(
        f"{{{QUERY}}}AdhocQueryResponse", nsmap={"query": QUERY, "rim": RIM, "rs": RS}
    )
    answer.set("status", rim.FAILURE if error else rim.SUCCESS)
    if error is not None:
        errors = rim.registry_response([error]).find(f"{{{RS}}}RegistryErrorList")
        assert errors is not None
        answer.append(errors)
        return answer
    answer.set("startIndex", "0")
    answer.set("totalResultCount", str(len(objects)))
    listing = etree.SubElement(answer, f"{{{RIM}}}RegistryObjectList")
    listing.extend(objects)
    return answer


def stored_query(exchange: Exchange, store: Store) -> Reply:
    """Answer TD3.1 (ITI-18)."""
    request = exchange.request.payload
    query = None if request is None else request.find(f"{{{RIM}}}AdhocQuery")
    if request is None or request.tag != f"{{{QUERY}}}AdhocQueryRequest" or query is None:
        raise ServiceFault(Fault.INVALID_REQUEST, "/Envelope/Body", "AdhocQueryRequest attendu")
    access = access_for(exchange.caller, store, exchange.now)
    metadata = access.cell("TD3.1.metadata").allowed
    if not metadata:
        access.require("TD3.1.reference", "AdhocQuery")
    access.require_document_access("AdhocQuery")
    query_id = query.get("id", "")
    option = request.find(f"{{{QUERY}}}ResponseOption")
    object_refs = not metadata or (option is not None and option.get("returnType") == "ObjectRef")
    if query_id not in (FIND_DOCUMENTS, GET_DOCUMENTS, FIND_BY_REFERENCE):
        unknown = RegistryError(
            "XDSUnknownStoredQuery", f"requête {query_id} inconnue", "AdhocQuery/@id"
        )
        return Reply(_response([], unknown), result=unknown.code)
    try:
        selected = _select(parameters(query), query_id, access, store)
    except RegistryError as error:
        return Reply(_response([], error), result=error.code)
    if metadata:
        documents = [d for d in selected if may_read(access, d)]
    else:
        # Reference search (note 5): the documents of the caller's structure (ours).
        structure = access.caller.claims.structure_id
        documents = [d for d in selected if d["structure_id"] == structure]
    patient = access.caller.claims.patient
    assert patient is not None
    cx = f"{patient.ins}^^^&{patient.oid}&ISO^NH"
    if object_refs:
        objects = [etree.Element(f"{{{RIM}}}ObjectRef", id=d["entry_uuid"]) for d in documents]
    else:
        objects = [extrinsic_object(d, cx) for d in documents]
    return Reply(_response(objects))
