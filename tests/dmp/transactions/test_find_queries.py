"""TD3.1 in process: every filter in the stored query's slot syntax (IHE ITI TF-2a
§3.18.4.1.2.3.7 FindDocuments and GetDocuments; the ANS sample's forms: quoted values,
lists in parentheses, ``code^^scheme``, unquoted UTC times), the answers that give
references only, and which version GetDocuments keeps."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from cardbridge.dmp.results import DocumentStatus
from cardbridge.dmp.transactions.find import (
    DocumentFilter,
    current_version,
    document_by_unique_id,
    find_documents,
    type_system,
)
from cardbridge.dmp.transport import Service
from cardbridge.errors import DmpAnswerError, DmpRefusedError, NotFoundError
from tests.dmp.transactions.documents_support import PIERRE_INS
from tests.dmp.transactions.helpers import Answering
from tests.dmp.transactions.test_document_answers import _entry, _query_answer

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
FIND_DOCUMENTS = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"
GET_DOCUMENTS = "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4"
UNIQUE_ID = "1.2.250.1.999.1.1.7898.3.1622814651504"
APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
ARCHIVED = "urn:asip:ci-sis:2010:StatusType:Archived"
PARIS = dt.timezone(dt.timedelta(hours=1))
DAY_2 = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
DAY_3 = dt.datetime(2026, 1, 3, tzinfo=dt.UTC)


def _slots(filters: DocumentFilter) -> dict[str, str | None]:
    transport = Answering(_query_answer())
    assert find_documents(transport, b"<vihf/>", PIERRE_INS, filters) == []
    (call,) = transport.calls
    return {
        slot.get("name", ""): slot.findtext(f"{{{RIM}}}ValueList/{{{RIM}}}Value")
        for slot in call.payload.iter(f"{{{RIM}}}Slot")
    }


def test_find_documents_is_the_ihe_stored_query_to_the_registry() -> None:
    transport = Answering(_query_answer(_entry()))
    (entry,) = find_documents(transport, b"<vihf/>", PIERRE_INS, DocumentFilter())
    (call,) = transport.calls
    assert (call.service, call.action, call.transaction) == (
        Service.REGISTRY,
        "urn:ihe:iti:2007:RegistryStoredQuery",
        "TD3.1",
    )
    assert transport.vihfs == [b"<vihf/>"]
    request = call.payload
    assert request.tag == f"{{{QUERY}}}AdhocQueryRequest"
    option = request.find(f"{{{QUERY}}}ResponseOption")
    assert option is not None
    assert dict(option.attrib) == {"returnComposedObjects": "true", "returnType": "LeafClass"}
    query = request.find(f"{{{RIM}}}AdhocQuery")
    assert query is not None
    assert query.get("id") == FIND_DOCUMENTS
    assert entry.unique_id == UNIQUE_ID


def test_every_filter_in_the_slot_syntax() -> None:
    slots = _slots(
        DocumentFilter(
            include_archived=True,
            include_deprecated=True,
            type_codes=("11488-4",),
            class_codes=("10", "11"),
            practice_settings=("AMBULATOIRE",),
            confidentiality=("N", "MASQUE_PS"),
            created_from=dt.datetime(2026, 1, 1, 1, 0, tzinfo=PARIS),
            created_to=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
            service_start_from=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            service_start_to=dt.datetime(2025, 2, 1, tzinfo=dt.UTC),
            service_stop_from=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
            service_stop_to=dt.datetime(2025, 4, 1, 12, 30, 15, tzinfo=dt.UTC),
        )
    )
    assert slots == {
        "$XDSDocumentEntryPatientId": "'155067200010159^^^&1.2.250.1.213.1.4.10&ISO^NH'",
        "$XDSDocumentEntryStatus": (
            f"('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved','{ARCHIVED}','{DEPRECATED}')"
        ),
        "$XDSDocumentEntryTypeCode": "('11488-4^^2.16.840.1.113883.6.1')",
        # TRE_A03 classes, TRE_A01 practice settings (cadre d'exercice).
        "$XDSDocumentEntryClassCode": "('10^^1.2.250.1.213.1.1.4.1','11^^1.2.250.1.213.1.1.4.1')",
        "$XDSDocumentEntryPracticeSettingCode": "('AMBULATOIRE^^1.2.250.1.213.1.1.4.9')",
        # N is HL7's confidentiality (2.16.840.1.113883.5.25), the others the DMP's (TRE_A07).
        "$XDSDocumentEntryConfidentialityCode": (
            "('N^^2.16.840.1.113883.5.25','MASQUE_PS^^1.2.250.1.213.1.1.4.13')"
        ),
        "$XDSDocumentEntryCreationTimeFrom": "20260101000000",
        "$XDSDocumentEntryCreationTimeTo": "20260201000000",
        "$XDSDocumentEntryServiceStartTimeFrom": "20250101000000",
        "$XDSDocumentEntryServiceStartTimeTo": "20250201000000",
        "$XDSDocumentEntryServiceStopTimeFrom": "20250301000000",
        "$XDSDocumentEntryServiceStopTimeTo": "20250401123015",
    }


def test_only_deprecated_versions_added_to_approved() -> None:
    slots = _slots(DocumentFilter(include_deprecated=True))
    assert slots["$XDSDocumentEntryStatus"] == (
        f"('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved','{DEPRECATED}')"
    )


def test_a_quote_in_a_value_is_doubled() -> None:
    # ITI TF-2a §3.18.4.1.2.3.5: a single quote inside a value is escaped by another.
    slots = _slots(DocumentFilter(practice_settings=("L'HOPITAL",)))
    assert slots["$XDSDocumentEntryPracticeSettingCode"] == "('L''HOPITAL^^1.2.250.1.213.1.1.4.9')"


@pytest.mark.parametrize(
    ("code", "system"),
    [
        ("11488-4", "2.16.840.1.113883.6.1"),  # in the DMP's list (JDV_J07)
        ("SYNTH", "1.2.250.1.213.1.1.4.12"),  # the DMP's own type (TRE_A05), in the list
        ("99999-9", "2.16.840.1.113883.6.1"),  # shaped as LOINC
        ("1234567-8", "2.16.840.1.113883.6.1"),
        ("12345678-9", "1.2.250.1.213.1.1.4.12"),  # too long for LOINC
        ("11488-45", "1.2.250.1.213.1.1.4.12"),
        ("ABC", "1.2.250.1.213.1.1.4.12"),
    ],
)
def test_the_system_of_a_type_code(code: str, system: str) -> None:
    assert type_system(code) == system


@pytest.mark.parametrize(
    "bounds",
    [
        {"created_from": DAY_2, "created_to": DAY_2},
        {"service_start_from": DAY_3, "service_start_to": DAY_2},
        {"service_stop_from": DAY_3, "service_stop_to": DAY_2},
    ],
    ids=["created", "service start", "service stop"],
)
def test_a_period_must_start_before_it_ends(bounds: dict[str, dt.datetime]) -> None:
    with pytest.raises(ValidationError, match="a period's start must come before its end"):
        DocumentFilter(**bounds)  # type: ignore[arg-type]


def test_an_open_period_is_allowed() -> None:
    assert DocumentFilter(created_to=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)).created_from is None


def test_references_only_tell_to_use_a_practitioners_card() -> None:
    answer = (
        f'<query:AdhocQueryResponse xmlns:query="{QUERY}" xmlns:rim="{RIM}"'
        ' status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success">'
        '<rim:RegistryObjectList><rim:ObjectRef id="urn:uuid:1"/></rim:RegistryObjectList>'
        "</query:AdhocQueryResponse>"
    ).encode()
    with pytest.raises(DmpAnswerError) as error:
        find_documents(Answering(answer), b"<v/>", PIERRE_INS, DocumentFilter())
    assert error.value.message == (
        "The DMP gives this login the references of documents only, not their descriptions: "
        "use a practitioner's card (CPS) to list the documents."
    )


def test_another_answer_than_a_query_response_is_named() -> None:
    answer = b'<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"/>'
    with pytest.raises(DmpAnswerError) as error:
        find_documents(Answering(answer), b"<v/>", PIERRE_INS, DocumentFilter())
    assert error.value.message == "The DMP's TD3.1 answer is not an AdhocQueryResponse."


def _versioned(version: str | None, status: str, unique_id: str = UNIQUE_ID) -> str:
    made = _entry(
        status=status,
        unique_id=(
            '<rim:ExternalIdentifier identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-'
            f'8640a32e42ab" value="{unique_id}" registryObject="x" id="e1"/>'
        ),
    )
    name = "1" if version is None else version
    made = made.replace(
        '<rim:VersionInfo versionName="1"/>',
        "" if version is None else f'<rim:VersionInfo versionName="{name}"/>',
    )
    entry_uuid = f"urn:uuid:v-{name}-{status.rsplit(':', 1)[-1]}"
    return made.replace("urn:uuid:1b4c6f2a-0000-4000-8000-000000000001", entry_uuid)


def test_get_documents_asks_for_the_unique_id() -> None:
    transport = Answering(_query_answer(_versioned("1", APPROVED)))
    entry = document_by_unique_id(transport, b"<vihf/>", PIERRE_INS, UNIQUE_ID)
    (call,) = transport.calls
    query = call.payload.find(f"{{{RIM}}}AdhocQuery")
    assert query is not None
    assert query.get("id") == GET_DOCUMENTS
    assert [
        (slot.get("name"), slot.findtext(f"{{{RIM}}}ValueList/{{{RIM}}}Value")) for slot in query
    ] == [("$XDSDocumentEntryUniqueId", f"('{UNIQUE_ID}')")]
    assert entry.status is DocumentStatus.APPROVED
    assert transport.vihfs == [b"<vihf/>"]


def test_a_refusal_names_td31() -> None:
    failure = (
        f'<query:AdhocQueryResponse xmlns:query="{QUERY}" xmlns:rim="{RIM}"'
        ' xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"'
        ' status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure">'
        '<rs:RegistryErrorList><rs:RegistryError errorCode="XDSUnknownPatientId"'
        ' codeContext="inconnu"/></rs:RegistryErrorList></query:AdhocQueryResponse>'
    ).encode()
    with pytest.raises(DmpRefusedError) as refused:
        find_documents(Answering(failure), b"<v/>", PIERRE_INS, DocumentFilter())
    assert (refused.value.dmp_code, refused.value.transaction) == ("XDSUnknownPatientId", "TD3.1")


def test_the_current_version_is_the_highest_not_deprecated_one() -> None:
    answer = _query_answer(
        _versioned("2", DEPRECATED),
        _versioned("3", APPROVED),
        _versioned("10", ARCHIVED),
        _versioned("4", DEPRECATED),
        _versioned("9", APPROVED, unique_id="1.2.3.other"),
    )
    entry, element = current_version(Answering(answer), b"<v/>", UNIQUE_ID)
    assert (entry.version, entry.status) == ("10", DocumentStatus.ARCHIVED)
    assert element.get("id") == entry.entry_uuid


def test_deprecated_versions_only_give_the_highest() -> None:
    answer = _query_answer(_versioned("2", DEPRECATED), _versioned("3", DEPRECATED))
    entry, _ = current_version(Answering(answer), b"<v/>", UNIQUE_ID)
    assert entry.version == "3"


def test_a_version_without_number_counts_as_zero() -> None:
    answer = _query_answer(_versioned(None, APPROVED), _versioned("1", APPROVED))
    entry, _ = current_version(Answering(answer), b"<v/>", UNIQUE_ID)
    assert entry.version == "1"
    answer = _query_answer(_versioned("v2", APPROVED), _versioned("1", APPROVED))
    entry, _ = current_version(Answering(answer), b"<v/>", UNIQUE_ID)
    assert entry.version == "1"


@pytest.mark.parametrize(
    "entries", [(), (_versioned("1", APPROVED, unique_id="1.2.3.other"),)], ids=["none", "another"]
)
def test_no_listed_version_is_not_found(entries: tuple[str, ...]) -> None:
    with pytest.raises(NotFoundError) as error:
        current_version(Answering(_query_answer(*entries)), b"<v/>", UNIQUE_ID)
    assert error.value.message == (
        "This document is not in the patient's DMP, or you may not see it. "
        "List the documents again and choose one from the list."
    )
