"""The TD3.3 requests as sent (against the ANS samples' shape [MSG TD3.3c/d; KIT masking
template]), made from a GetDocuments answer written here as bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree

from cardbridge.dmp.transactions.update import (
    StatusChange,
    VisibilityChange,
    change_status,
    change_visibility,
)
from cardbridge.dmp.transport import SoapAnswer, SoapCall
from cardbridge.errors import DmpAnswerError, DmpRefusedError
from tests.dmp.transactions.documents_support import submission_set

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
NS = {"rim": RIM, "lcm": "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"}
ENTRY = (Path(__file__).parent / "answers" / "td31-entry.xml").read_text()
ENTRY_UUID = "urn:uuid:1b4c6f2a-0000-4000-8000-000000000001"
UNIQUE_ID = "1.2.250.1.999.1.1.7898.3.1622814651504"
APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
ARCHIVED = "urn:asip:ci-sis:2010:StatusType:Archived"
SUCCESS = (
    f'<rs:RegistryResponse xmlns:rs="{RS}"'
    ' status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>'
)
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True)


def _listing(status: str = APPROVED) -> bytes:
    entry = ENTRY.format(
        status=status,
        created="20190221123445",
        size="1234",
        class_code="10",
        unique_id=(
            '<rim:ExternalIdentifier identificationScheme="urn:uuid:2e82c1f6-a085-4c72-'
            f'9da3-8640a32e42ab" value="{UNIQUE_ID}" registryObject="x" id="e1"/>'
        ),
    )
    return (
        '<query:AdhocQueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"'
        f' xmlns:rim="{RIM}" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success">'
        f"<rim:RegistryObjectList>{entry}</rim:RegistryObjectList></query:AdhocQueryResponse>"
    ).encode()


@dataclass
class Scripted:
    """Answers each call with the next bytes of ``answers``."""

    answers: list[bytes]
    calls: list[SoapCall] = field(default_factory=list)

    def call(self, call: SoapCall, vihf: bytes) -> SoapAnswer:
        self.calls.append(call)
        return SoapAnswer("answer", etree.fromstring(self.answers.pop(0), _SAFE))


def _slot(element: etree._Element, name: str) -> list[str]:
    return element.xpath(f"rim:Slot[@name='{name}']/rim:ValueList/rim:Value/text()", namespaces=NS)  # type: ignore[no-any-return]


def test_an_archive_is_an_availability_status_association() -> None:
    transport, submission = Scripted([_listing(), SUCCESS.encode()]), submission_set()
    change_status(transport, b"<v/>", UNIQUE_ID, StatusChange.ARCHIVE, submission)
    update = transport.calls[1]
    assert (update.action, update.service.value) == (
        "urn:ihe:iti:2010:UpdateDocumentSet",
        "registry",
    )
    (package,) = update.payload.iterfind(".//rim:RegistryPackage", NS)
    (association,) = update.payload.iterfind(".//rim:Association", NS)
    assert association.get("associationType") == (
        "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus"
    )
    assert association.get("sourceObject") == package.get("id")
    assert association.get("targetObject") == ENTRY_UUID  # the entryUUID, not the uniqueId
    assert _slot(association, "OriginalStatus") == [APPROVED]
    assert _slot(association, "NewStatus") == [ARCHIVED]
    assert _slot(package, "submissionTime") == [submission.submitted.strftime("%Y%m%d%H%M%S")]


def test_a_visibility_change_is_a_new_version_of_the_entry() -> None:
    transport = Scripted([_listing(), SUCCESS.encode()])
    change_visibility(transport, b"<v/>", UNIQUE_ID, VisibilityChange.UNMASK, submission_set())
    update = transport.calls[1].payload
    (entry,) = update.iterfind(".//rim:ExtrinsicObject", NS)
    assert entry.get("lid") == ENTRY_UUID
    assert entry.get("id") != ENTRY_UUID
    assert entry.get("status") is None
    identifiers = {
        i.get("identificationScheme"): i for i in entry.iterfind("rim:ExternalIdentifier", NS)
    }
    unique = identifiers["urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"]
    assert unique.get("value") == UNIQUE_ID
    assert unique.get("registryObject") == entry.get("id")
    confidentiality = [
        c.get("nodeRepresentation")
        for c in entry.iterfind("rim:Classification", NS)
        if c.get("classificationScheme") == "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
    ]
    assert confidentiality == ["N"]  # the sample entry was masked: unmasked now
    ids = [element.get("id") for element in update.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    members = [
        a
        for a in update.iterfind(".//rim:Association", NS)
        if a.get("targetObject") == entry.get("id")
    ]
    (member,) = members
    assert (
        member.get("associationType") == "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
    )
    assert _slot(member, "SubmissionSetStatus") == ["Original"]
    assert _slot(member, "PreviousVersion") == ["1"]


def test_a_refused_update_keeps_the_code_and_an_odd_answer_is_unreadable() -> None:
    failure = (
        f'<rs:RegistryResponse xmlns:rs="{RS}" status="urn:oasis:names:tc:ebxml-regrep:'
        'ResponseStatusType:Failure"><rs:RegistryErrorList><rs:RegistryError errorCode='
        '"XDSMetadataUpdateError" codeContext="transition refusée" location="x" severity="e"/>'
        "</rs:RegistryErrorList></rs:RegistryResponse>"
    ).encode()
    with pytest.raises(DmpRefusedError) as refused:
        change_status(
            Scripted([_listing(), failure]),
            b"<v/>",
            UNIQUE_ID,
            StatusChange.DELETE,
            submission_set(),
        )
    assert (refused.value.dmp_code, refused.value.dmp_text) == (
        "XDSMetadataUpdateError",
        "transition refusée",
    )
    with pytest.raises(DmpAnswerError):
        change_status(
            Scripted([_listing(), _listing()]),
            b"<v/>",
            UNIQUE_ID,
            StatusChange.DELETE,
            submission_set(),
        )
