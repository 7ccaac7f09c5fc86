"""TD3.3c by reference, in process: the reference searches a deletion starts with (TD3.1
GetDocuments and FindDocuments with ``returnType="ObjectRef"``), how their answers are
read, and the status change sent. The answers are written here as bytes; the stored query
ids and the slot syntax are IHE ITI-18's, the statuses the DMP's [MSG TD3.3c]."""

from __future__ import annotations

import pytest
from lxml import etree

from cardbridge.dmp.results import DocumentStatus
from cardbridge.dmp.transactions.find import get_documents_request
from cardbridge.dmp.transactions.references import current_reference
from cardbridge.dmp.transactions.update import delete_document
from cardbridge.dmp.transport import Service, SoapCall
from cardbridge.errors import DmpAnswerError, DmpRefusedError, NotFoundError
from tests.dmp.transactions.documents_support import PIERRE_INS, submission_set
from tests.dmp.transactions.test_update_requests import NS, RIM, SUCCESS, Scripted

QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
# ITI-18 stored query ids: GetDocuments and FindDocuments.
GET_DOCUMENTS = "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4"
FIND_DOCUMENTS = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"
APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
ARCHIVED = "urn:asip:ci-sis:2010:StatusType:Archived"
DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"
UNIQUE_ID = "1.2.250.1.999.1.1.7898.3.1622814651504"
FIRST = "urn:uuid:1b4c6f2a-0000-4000-8000-000000000001"
SECOND = "urn:uuid:1b4c6f2a-0000-4000-8000-000000000002"
OTHER = "urn:uuid:9d0c2f3e-0000-4000-8000-000000000009"
NOT_FOUND = (
    "This document is not in the patient's DMP, or you may not reach it (a structure "
    "reaches only its own documents). List the documents again and choose one."
)


def _refs(*children: str, listed: bool = True) -> bytes:
    body = f"<rim:RegistryObjectList>{''.join(children)}</rim:RegistryObjectList>"
    return (
        f'<query:AdhocQueryResponse xmlns:query="{QUERY}" xmlns:rim="{RIM}"'
        ' status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success">'
        f"{body if listed else ''}</query:AdhocQueryResponse>"
    ).encode()


def _ref(entry_uuid: str) -> str:
    return f'<rim:ObjectRef id="{entry_uuid}"/>'


def _slots(call: SoapCall) -> dict[str, list[str]]:
    query = call.payload.find(f"{{{RIM}}}AdhocQuery")
    assert query is not None
    return {
        slot.get("name", ""): slot.xpath("rim:ValueList/rim:Value/text()", namespaces=NS)
        for slot in query.iterfind(f"{{{RIM}}}Slot")
    }


def _query(call: SoapCall) -> tuple[str | None, str | None, str | None]:
    option = call.payload.find(f"{{{QUERY}}}ResponseOption")
    query = call.payload.find(f"{{{RIM}}}AdhocQuery")
    assert option is not None
    assert query is not None
    assert (call.service, call.action, call.transaction) == (
        Service.REGISTRY,
        "urn:ihe:iti:2007:RegistryStoredQuery",
        "TD3.1",
    )
    assert call.payload.tag == f"{{{QUERY}}}AdhocQueryRequest"
    return query.get("id"), option.get("returnType"), option.get("returnComposedObjects")


def _change(call: SoapCall) -> tuple[str | None, list[str], list[str]]:
    assert (call.service, call.action, call.transaction) == (
        Service.REGISTRY,
        "urn:ihe:iti:2010:UpdateDocumentSet",
        "TD3.3",
    )
    (association,) = [
        a
        for a in call.payload.iterfind(".//rim:Association", NS)
        if a.get("associationType") == "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus"
    ]
    original = association.xpath(
        "rim:Slot[@name='OriginalStatus']/rim:ValueList/rim:Value/text()", namespaces=NS
    )
    new = association.xpath(
        "rim:Slot[@name='NewStatus']/rim:ValueList/rim:Value/text()", namespaces=NS
    )
    return association.get("targetObject"), original, new


def test_deleting_an_approved_document_targets_its_approved_version() -> None:
    transport = Scripted(
        [_refs(_ref(FIRST), _ref(SECOND)), _refs(_ref(SECOND), _ref(OTHER)), SUCCESS.encode()]
    )
    status = delete_document(transport, b"<v/>", PIERRE_INS, UNIQUE_ID, submission_set())
    assert status is DocumentStatus.APPROVED
    versions, approved, change = transport.calls
    assert _query(versions) == (GET_DOCUMENTS, "ObjectRef", "true")
    assert _slots(versions) == {"$XDSDocumentEntryUniqueId": [f"('{UNIQUE_ID}')"]}
    assert _query(approved) == (FIND_DOCUMENTS, "ObjectRef", "true")
    assert _slots(approved) == {
        "$XDSDocumentEntryPatientId": [f"'{PIERRE_INS.value}^^^&{PIERRE_INS.oid}&ISO^NH'"],
        "$XDSDocumentEntryStatus": [f"('{APPROVED}')"],
    }
    assert _change(change) == (SECOND, [APPROVED], [DELETED])


def test_an_archived_document_is_deleted_from_archived() -> None:
    transport = Scripted(
        [_refs(_ref(FIRST)), _refs(_ref(OTHER)), _refs(_ref(FIRST)), SUCCESS.encode()]
    )
    status = delete_document(transport, b"<v/>", PIERRE_INS, UNIQUE_ID, submission_set())
    assert status is DocumentStatus.ARCHIVED
    archived = transport.calls[2]
    assert _slots(archived)["$XDSDocumentEntryStatus"] == [f"('{ARCHIVED}')"]
    assert _change(transport.calls[3]) == (FIRST, [ARCHIVED], [DELETED])


def test_metadata_sent_anyway_counts_by_the_entrys_id() -> None:
    entry = f'<rim:ExtrinsicObject id="{SECOND}" lid="{FIRST}" status="{APPROVED}"/>'
    association = f'<rim:Association id="{OTHER}" associationType="x"/>'
    transport = Scripted([_refs(entry, association), _refs(entry)])
    assert current_reference(transport, b"<v/>", PIERRE_INS, UNIQUE_ID) == (
        SECOND,
        DocumentStatus.APPROVED,
    )


def test_of_two_versions_with_the_status_the_first_in_order_is_taken() -> None:
    transport = Scripted([_refs(_ref(SECOND), _ref(FIRST)), _refs(_ref(SECOND), _ref(FIRST))])
    assert current_reference(transport, b"<v/>", PIERRE_INS, UNIQUE_ID)[0] == FIRST


@pytest.mark.parametrize(
    "answers",
    [
        [_refs()],  # no version at all: no status search
        [_refs(listed=False)],
        [_refs(_ref(FIRST)), _refs(_ref(OTHER)), _refs()],  # neither Approved nor Archived
    ],
)
def test_no_version_to_delete_is_not_found(answers: list[bytes]) -> None:
    transport = Scripted(list(answers))
    with pytest.raises(NotFoundError) as error:
        delete_document(transport, b"<v/>", PIERRE_INS, UNIQUE_ID, submission_set())
    assert error.value.message == NOT_FOUND
    assert len(transport.calls) == len(answers)


def test_only_the_statuses_asked_are_searched() -> None:
    transport = Scripted([_refs(_ref(FIRST)), _refs(_ref(FIRST))])
    found = current_reference(transport, b"<v/>", PIERRE_INS, UNIQUE_ID, (DocumentStatus.ARCHIVED,))
    assert found == (FIRST, DocumentStatus.ARCHIVED)
    assert _slots(transport.calls[1])["$XDSDocumentEntryStatus"] == [f"('{ARCHIVED}')"]


def test_an_answer_that_is_no_query_response_is_named() -> None:
    transport = Scripted([f'<rs:RegistryResponse xmlns:rs="{RS}" status="x"/>'.encode()])
    with pytest.raises(DmpAnswerError) as error:
        current_reference(transport, b"<v/>", PIERRE_INS, UNIQUE_ID)
    assert error.value.message == "The DMP's TD3.1 answer is not an AdhocQueryResponse."


def test_a_reference_without_id_is_named() -> None:
    transport = Scripted([_refs('<rim:ObjectRef home="x"/>')])
    with pytest.raises(DmpAnswerError) as error:
        current_reference(transport, b"<v/>", PIERRE_INS, UNIQUE_ID)
    assert error.value.message == "The DMP listed a document reference without its id."


def test_a_refused_search_keeps_the_dmps_code() -> None:
    refused = (
        f'<query:AdhocQueryResponse xmlns:query="{QUERY}" xmlns:rs="{RS}"'
        ' status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure">'
        '<rs:RegistryErrorList><rs:RegistryError errorCode="DMPAccessDenied"'
        ' codeContext="refus" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/>'
        "</rs:RegistryErrorList></query:AdhocQueryResponse>"
    ).encode()
    with pytest.raises(DmpRefusedError) as error:
        current_reference(Scripted([refused]), b"<v/>", PIERRE_INS, UNIQUE_ID)
    assert (error.value.dmp_code, error.value.transaction) == ("DMPAccessDenied", "TD3.1")


def test_a_refused_deletion_keeps_the_dmps_code() -> None:
    refused = (
        f'<rs:RegistryResponse xmlns:rs="{RS}"'
        ' status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure">'
        '<rs:RegistryErrorList><rs:RegistryError errorCode="DMPAccessDeniedByRightsService"'
        ' codeContext="refus" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/>'
        "</rs:RegistryErrorList></rs:RegistryResponse>"
    ).encode()
    transport = Scripted([_refs(_ref(FIRST)), _refs(_ref(FIRST)), refused])
    with pytest.raises(DmpRefusedError) as error:
        delete_document(transport, b"<v/>", PIERRE_INS, UNIQUE_ID, submission_set())
    assert (error.value.dmp_code, error.value.transaction) == (
        "DMPAccessDeniedByRightsService",
        "TD3.3",
    )


def test_the_vihf_goes_with_every_call() -> None:
    seen: list[bytes] = []

    class Recording(Scripted):
        def call(self, call: SoapCall, vihf: bytes):  # type: ignore[no-untyped-def]
            seen.append(vihf)
            return super().call(call, vihf)

    transport = Recording([_refs(_ref(FIRST)), _refs(_ref(FIRST)), SUCCESS.encode()])
    delete_document(transport, b"<vihf/>", PIERRE_INS, UNIQUE_ID, submission_set())
    assert seen == [b"<vihf/>"] * 3
    assert etree.QName(transport.calls[2].payload).localname == "SubmitObjectsRequest"


def test_a_get_documents_without_return_type_asks_the_metadata() -> None:
    # ITI-18: returnType LeafClass gives the full metadata, ObjectRef the entryUUIDs only.
    request = get_documents_request(UNIQUE_ID)
    option = request.find(f"{{{QUERY}}}ResponseOption")
    assert option is not None
    assert option.get("returnType") == "LeafClass"
