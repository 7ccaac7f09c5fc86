"""TD3.3 in process, each change: which statuses allow it and what goes on the wire (the
ANS samples TD3.3c/d: ``UpdateAvailabilityStatus`` with ``OriginalStatus`` and
``NewStatus``; the ASIP's Archived and Deleted statuses), each visibility change as a
new version of the entry (IHE ITI-57), and the refusals before anything is sent."""

from __future__ import annotations

import pytest
from lxml import etree

from cardbridge.dmp.transactions.update import (
    StatusChange,
    VisibilityChange,
    change_status,
    change_visibility,
    new_version,
)
from cardbridge.dmp.transport import Service
from cardbridge.errors import DmpAnswerError, DmpRefusedError, InvalidInputError
from tests.dmp.transactions.documents_support import submission_set
from tests.dmp.transactions.helpers import Answering
from tests.dmp.transactions.test_update_requests import (
    ENTRY_UUID,
    NS,
    SUCCESS,
    UNIQUE_ID,
    Scripted,
    _listing,
)

APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
ARCHIVED = "urn:asip:ci-sis:2010:StatusType:Archived"
DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"
CONFIDENTIALITY = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
VISIBILITY_OID = "1.2.250.1.213.1.1.4.13"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"


def _values(element: etree._Element, name: str) -> list[str]:
    return element.xpath(  # type: ignore[no-any-return]
        f"rim:Slot[@name='{name}']/rim:ValueList/rim:Value/text()", namespaces=NS
    )


def _status_update(change: StatusChange, status: str) -> tuple[Scripted, etree._Element]:
    transport = Scripted([_listing(status), SUCCESS.encode()])
    changed = change_status(transport, b"<vihf/>", UNIQUE_ID, change, submission_set())
    assert changed.entry_uuid == ENTRY_UUID
    (listing, update) = transport.calls
    assert (listing.transaction, update.transaction) == ("TD3.1", "TD3.3")
    assert (update.service, update.action) == (
        Service.REGISTRY,
        "urn:ihe:iti:2010:UpdateDocumentSet",
    )
    (association,) = update.payload.iterfind(".//rim:Association", NS)
    return transport, association


@pytest.mark.parametrize(
    ("change", "before", "after"),
    [
        (StatusChange.ARCHIVE, APPROVED, ARCHIVED),
        (StatusChange.UNARCHIVE, ARCHIVED, APPROVED),
        (StatusChange.DELETE, APPROVED, DELETED),
        (StatusChange.DELETE, ARCHIVED, DELETED),
    ],
)
def test_a_status_change_sends_the_original_and_new_status(
    change: StatusChange, before: str, after: str
) -> None:
    _, association = _status_update(change, before)
    assert association.get("associationType") == (
        "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus"
    )
    assert (association.get("sourceObject"), association.get("targetObject")) == (
        "SubmissionSet01",
        ENTRY_UUID,
    )
    assert association.get("id") == "UpdateAvailabilityStatus01"
    assert (_values(association, "OriginalStatus"), _values(association, "NewStatus")) == (
        [before],
        [after],
    )


@pytest.mark.parametrize(
    ("change", "status", "told"),
    [
        (StatusChange.ARCHIVE, ARCHIVED, "archived: it cannot be archived"),
        (StatusChange.UNARCHIVE, APPROVED, "approved: it cannot be unarchived"),
        (StatusChange.ARCHIVE, DEPRECATED, "deprecated: it cannot be archived"),
    ],
)
def test_a_status_that_does_not_allow_the_change_is_refused_before_sending(
    change: StatusChange, status: str, told: str
) -> None:
    transport = Scripted([_listing(status)])
    with pytest.raises(InvalidInputError) as refused:
        change_status(transport, b"<v/>", UNIQUE_ID, change, submission_set())
    assert len(transport.calls) == 1
    assert refused.value.message == (
        f"status: This document is {told}. List the documents again to see its current status."
    )
    assert refused.value.details()["field"] == "status"


def _visibility_update(
    change: VisibilityChange, listing: bytes
) -> tuple[etree._Element, etree._Element]:
    transport = Scripted([listing, SUCCESS.encode()])
    change_visibility(transport, b"<v/>", UNIQUE_ID, change, submission_set())
    update = transport.calls[1]
    assert (update.service, update.action, update.transaction) == (
        Service.REGISTRY,
        "urn:ihe:iti:2010:UpdateDocumentSet",
        "TD3.3",
    )
    (entry,) = update.payload.iterfind(".//rim:ExtrinsicObject", NS)
    return update.payload, entry


def _dmp_codes(entry: etree._Element) -> list[tuple[str | None, str | None]]:
    return [
        (c.get("nodeRepresentation"), c.get("id"))
        for c in entry.iterfind("rim:Classification", NS)
        if c.get("classificationScheme") == CONFIDENTIALITY
        and _values(c, "codingScheme") == [VISIBILITY_OID]
    ]


def _unmasked_listing() -> bytes:
    listing = _listing().decode()
    start = listing.index(
        f'<rim:Classification classificationScheme="{CONFIDENTIALITY}"\n'
        '      classifiedObject="x" nodeRepresentation="MASQUE_PS"'
    )
    end = listing.index("</rim:Classification>", start) + len("</rim:Classification>")
    return (listing[:start] + listing[end:]).encode()


def test_masking_adds_the_dmp_code_with_its_label() -> None:
    _, entry = _visibility_update(VisibilityChange.MASK, _unmasked_listing())
    (masked,) = [
        c
        for c in entry.iterfind("rim:Classification", NS)
        if c.get("nodeRepresentation") == "MASQUE_PS"
    ]
    assert masked.get("id") == "Document01-visibility-MASQUE_PS"
    assert masked.get("classifiedObject") == "Document01"
    assert _values(masked, "codingScheme") == [VISIBILITY_OID]
    label = masked.find(f"{{{RIM}}}Name/{{{RIM}}}LocalizedString")
    assert label is not None
    assert label.get("value") == "Masqué aux professionnels de santé"


def test_showing_to_the_patient_removes_only_that_code() -> None:
    listing = _listing().decode()
    extra = (
        f'<rim:Classification classificationScheme="{CONFIDENTIALITY}" classifiedObject="x"'
        ' nodeRepresentation="INVISIBLE_PATIENT" id="a8"><rim:Slot name="codingScheme">'
        f"<rim:ValueList><rim:Value>{VISIBILITY_OID}</rim:Value></rim:ValueList></rim:Slot>"
        "</rim:Classification></rim:ExtrinsicObject>"
    )
    listing = listing.replace("</rim:ExtrinsicObject>", extra)
    _, entry = _visibility_update(VisibilityChange.SHOW_TO_PATIENT, listing.encode())
    assert [code for code, _ in _dmp_codes(entry)] == ["MASQUE_PS"]


@pytest.mark.parametrize(
    ("change", "masked"),
    [
        (VisibilityChange.MASK, True),
        (VisibilityChange.UNMASK, False),
        (VisibilityChange.SHOW_TO_PATIENT, True),
        (VisibilityChange.SHOW_TO_GUARDIANS, True),
    ],
)
def test_a_visibility_the_document_already_has_is_refused_before_sending(
    change: VisibilityChange, masked: bool
) -> None:
    listing = _listing() if masked else _unmasked_listing()
    transport = Scripted([listing])
    with pytest.raises(InvalidInputError) as refused:
        change_visibility(transport, b"<v/>", UNIQUE_ID, change, submission_set())
    assert len(transport.calls) == 1
    assert refused.value.message == (
        "visibility: The document's visibility already is what was asked: nothing to change."
    )
    assert refused.value.details()["field"] == "visibility"


def test_the_previous_version_is_the_listed_one_or_1() -> None:
    listing = (
        _listing()
        .decode()
        .replace('<rim:VersionInfo versionName="1"/>', '<rim:VersionInfo versionName="3"/>')
    )
    payload, _ = _visibility_update(VisibilityChange.UNMASK, listing.encode())
    (member,) = [
        a
        for a in payload.iterfind(".//rim:Association", NS)
        if a.get("targetObject") == "Document01"
    ]
    assert _values(member, "PreviousVersion") == ["3"]
    unversioned = _listing().decode().replace('<rim:VersionInfo versionName="1"/>', "")
    payload, _ = _visibility_update(VisibilityChange.UNMASK, unversioned.encode())
    (member,) = [
        a
        for a in payload.iterfind(".//rim:Association", NS)
        if a.get("targetObject") == "Document01"
    ]
    assert _values(member, "PreviousVersion") == ["1"]


def test_the_new_version_points_every_child_at_its_symbolic_id() -> None:
    current = etree.fromstring(_listing()).find(
        f"{{{RIM}}}RegistryObjectList/{{{RIM}}}ExtrinsicObject"
    )
    assert current is not None
    made = new_version(current, {"MASQUE_PS", "INVISIBLE_PATIENT"})
    assert (made.get("id"), made.get("lid"), made.get("status")) == ("Document01", ENTRY_UUID, None)
    classifications = list(made.iterfind("rim:Classification", NS))
    assert {c.get("classifiedObject") for c in classifications} == {"Document01"}
    ids = [c.get("id") for c in classifications]
    assert ids == [
        "Document01-c0",
        "Document01-c1",
        "Document01-c2",
        "Document01-c3",
        "Document01-visibility-INVISIBLE_PATIENT",
        "Document01-visibility-MASQUE_PS",
    ]
    identifiers = list(made.iterfind("rim:ExternalIdentifier", NS))
    assert [(i.get("id"), i.get("registryObject")) for i in identifiers] == [
        ("Document01-e0", "Document01")
    ]
    # The entry the DMP listed is left as it was.
    assert current.get("id") == ENTRY_UUID
    assert current.get("status") == APPROVED


def test_an_entry_without_status_gets_none() -> None:
    current = etree.fromstring(_listing()).find(
        f"{{{RIM}}}RegistryObjectList/{{{RIM}}}ExtrinsicObject"
    )
    assert current is not None
    del current.attrib["status"]
    assert new_version(current, set()).get("status") is None


def test_a_refused_change_keeps_the_dmps_code_and_an_odd_answer_is_named() -> None:
    failure = (
        b'<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"'
        b' status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure">'
        b'<rs:RegistryErrorList><rs:RegistryError errorCode="XDSMetadataUpdateError"'
        b' codeContext="refus"/></rs:RegistryErrorList></rs:RegistryResponse>'
    )
    with pytest.raises(DmpRefusedError) as refused:
        change_visibility(
            Scripted([_listing(), failure]),
            b"<v/>",
            UNIQUE_ID,
            VisibilityChange.UNMASK,
            submission_set(),
        )
    assert (refused.value.dmp_code, refused.value.transaction) == (
        "XDSMetadataUpdateError",
        "TD3.3",
    )
    with pytest.raises(DmpAnswerError) as error:
        change_visibility(
            Scripted([_listing(), _listing()]),
            b"<v/>",
            UNIQUE_ID,
            VisibilityChange.UNMASK,
            submission_set(),
        )
    assert error.value.message == "The DMP's TD3.3 answer is not a RegistryResponse."


def test_the_vihf_goes_with_both_calls_and_the_listed_version_is_returned() -> None:
    transport = Answering(_listing(), SUCCESS.encode())
    changed = change_status(
        transport, b"<vihf/>", UNIQUE_ID, StatusChange.ARCHIVE, submission_set()
    )
    assert transport.vihfs == [b"<vihf/>", b"<vihf/>"]
    assert changed.entry_uuid == ENTRY_UUID
    transport = Answering(_listing(), SUCCESS.encode())
    replaced = change_visibility(
        transport, b"<vihf/>", UNIQUE_ID, VisibilityChange.UNMASK, submission_set()
    )
    assert transport.vihfs == [b"<vihf/>", b"<vihf/>"]
    assert (replaced.entry_uuid, replaced.unique_id) == (ENTRY_UUID, UNIQUE_ID)


def _current(listing: bytes) -> etree._Element:
    current = etree.fromstring(listing).find(
        f"{{{RIM}}}RegistryObjectList/{{{RIM}}}ExtrinsicObject"
    )
    assert current is not None
    return current


def test_a_listing_without_lid_gives_the_entry_uuid_as_lid() -> None:
    # A first version's entryUUID is its logical id (IHE ITI TF-3, Metadata Versioning).
    current = _current(_listing())
    del current.attrib["lid"]
    assert new_version(current, set()).get("lid") == ENTRY_UUID


# The second version of the document whose first version is ENTRY_UUID, as GetDocuments
# lists it: its own entryUUID, the logical id it shares with every version, version 2.
SECOND_VERSION = "urn:uuid:1b4c6f2a-0000-4000-8000-000000000002"


def _second_version_listing() -> bytes:
    listing = _listing().decode()
    listing = listing.replace(f'id="{ENTRY_UUID}"', f'id="{SECOND_VERSION}"', 1)
    listing = listing.replace(
        '<rim:VersionInfo versionName="1"/>', '<rim:VersionInfo versionName="2"/>'
    )
    return listing.encode()


def test_a_third_version_keeps_the_documents_logical_id() -> None:
    # IHE ITI-57: a new version of a DocumentEntry carries the existing entry's logicalID,
    # the first version's entryUUID, not the entryUUID of the version it replaces.
    listing = _second_version_listing()
    current = _current(listing)
    assert (current.get("id"), current.get("lid")) == (SECOND_VERSION, ENTRY_UUID)
    payload, entry = _visibility_update(VisibilityChange.UNMASK, listing)
    assert (entry.get("id"), entry.get("lid")) == ("Document01", ENTRY_UUID)
    (member,) = [
        a
        for a in payload.iterfind(".//rim:Association", NS)
        if a.get("targetObject") == "Document01"
    ]
    assert _values(member, "PreviousVersion") == ["2"]


def test_a_classification_without_id_gets_one() -> None:
    current = _current(_listing())
    first = current.find(f"{{{RIM}}}Classification")
    assert first is not None
    del first.attrib["id"]
    made = new_version(current, set())
    renamed = made.find("rim:Classification", NS)
    assert renamed is not None
    assert renamed.get("id") == "Document01-c0"
