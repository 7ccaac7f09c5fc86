"""TD3.1, TD3.2 and TD3.3 bodies built by hand (IHE ITI-18, ITI-43, ITI-57 shapes of the
ANS samples), and an MTOM answer read with the standard library's e-mail parser."""

from __future__ import annotations

import email
import email.policy
import uuid
from urllib.parse import unquote

from lxml import etree

from testkit.dmp_messages import TEST_INS_OID

QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
XDSB = "urn:ihe:iti:xds-b:2007"
FIND_DOCUMENTS = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"
GET_DOCUMENTS = "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4"
FIND_BY_REFERENCE = "urn:uuid:12941a89-e02e-4be5-967c-ce4bfc8fe492"
APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
ARCHIVED = "urn:asip:ci-sis:2010:StatusType:Archived"
DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"
DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
REPOSITORY = "1.2.250.1.213.4.1.1.1.2"


def _slot(parent: etree._Element, name: str, value: str) -> None:
    slot = etree.SubElement(parent, f"{{{RIM}}}Slot", name=name)
    etree.SubElement(etree.SubElement(slot, f"{{{RIM}}}ValueList"), f"{{{RIM}}}Value").text = value


def stored_query(
    query_id: str, slots: dict[str, str], return_type: str = "LeafClass"
) -> etree._Element:
    request = etree.Element(f"{{{QUERY}}}AdhocQueryRequest", nsmap={"query": QUERY, "rim": RIM})
    etree.SubElement(
        request, f"{{{QUERY}}}ResponseOption", returnComposedObjects="true", returnType=return_type
    )
    query = etree.SubElement(request, f"{{{RIM}}}AdhocQuery", id=query_id)
    for name, value in slots.items():
        _slot(query, name, value)
    return request


def find_documents(
    ins: str, statuses: tuple[str, ...] = (APPROVED,), **extra: str
) -> etree._Element:
    slots = {
        "$XDSDocumentEntryPatientId": f"'{ins}^^^&{TEST_INS_OID}&ISO^NH'",
        "$XDSDocumentEntryStatus": "(" + ",".join(f"'{s}'" for s in statuses) + ")",
        **{f"$XDSDocumentEntry{name}": value for name, value in extra.items()},
    }
    return stored_query(FIND_DOCUMENTS, slots)


def retrieve(unique_id: str, repository: str = REPOSITORY) -> etree._Element:
    request = etree.Element(f"{{{XDSB}}}RetrieveDocumentSetRequest", nsmap={"xdsb": XDSB})
    document = etree.SubElement(request, f"{{{XDSB}}}DocumentRequest")
    etree.SubElement(document, f"{{{XDSB}}}RepositoryUniqueId").text = repository
    etree.SubElement(document, f"{{{XDSB}}}DocumentUniqueId").text = unique_id
    return request


def _update(ins: str) -> tuple[etree._Element, etree._Element]:
    request = etree.Element(f"{{{LCM}}}SubmitObjectsRequest", nsmap={"lcm": LCM, "rim": RIM})
    objects = etree.SubElement(request, f"{{{RIM}}}RegistryObjectList")
    package = etree.SubElement(objects, f"{{{RIM}}}RegistryPackage", id="SubmissionSet01")
    _slot(package, "submissionTime", "20261206090000")
    etree.SubElement(
        package,
        f"{{{RIM}}}ExternalIdentifier",
        identificationScheme="urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446",
        value=f"{ins}^^^&{TEST_INS_OID}&ISO^NH",
        registryObject="SubmissionSet01",
        id="ei-p",
    )
    etree.SubElement(
        package,
        f"{{{RIM}}}ExternalIdentifier",
        identificationScheme="urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8",
        value=f"1.2.250.1.999.3.{uuid.uuid4().int % 10**9}",
        registryObject="SubmissionSet01",
        id="ei-u",
    )
    return request, objects


def status_change(ins: str, entry_uuid: str, original: str, new: str) -> etree._Element:
    request, objects = _update(ins)
    association = etree.SubElement(
        objects,
        f"{{{RIM}}}Association",
        associationType="urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus",
        sourceObject="SubmissionSet01",
        targetObject=entry_uuid,
        id="as-1",
    )
    _slot(association, "OriginalStatus", original)
    _slot(association, "NewStatus", new)
    return request


def visibility_change(
    ins: str, entry_uuid: str, version: int, codes: tuple[str, ...]
) -> etree._Element:
    request, objects = _update(ins)
    entry = etree.SubElement(
        objects,
        f"{{{RIM}}}ExtrinsicObject",
        id="Document01",
        lid=entry_uuid,
        objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1",
        mimeType="text/xml",
    )
    etree.SubElement(entry, f"{{{RIM}}}VersionInfo", versionName=str(version))
    for number, code in enumerate(("N", *codes)):
        classification = etree.SubElement(
            entry,
            f"{{{RIM}}}Classification",
            classificationScheme="urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f",
            classifiedObject="Document01",
            nodeRepresentation=code,
            id=f"cl-{number}",
        )
        _slot(
            classification,
            "codingScheme",
            "2.16.840.1.113883.5.25" if code == "N" else "1.2.250.1.213.1.1.4.13",
        )
    association = etree.SubElement(
        objects,
        f"{{{RIM}}}Association",
        associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember",
        sourceObject="SubmissionSet01",
        targetObject="Document01",
        id="as-1",
    )
    _slot(association, "SubmissionSetStatus", "Original")
    _slot(association, "PreviousVersion", str(version))
    return request


def read_mtom(content_type: str, body: bytes) -> tuple[etree._Element, dict[str, bytes]]:
    """The root envelope and the attachments of an MTOM answer, by the e-mail parser."""
    message = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=email.policy.HTTP
    )
    assert message.is_multipart()
    parts = list(message.iter_parts())
    root = etree.fromstring(_decoded(parts[0]))
    attachments = {
        unquote(str(part["Content-ID"]).strip("<>")): _decoded(part) for part in parts[1:]
    }
    return root, attachments


def _decoded(part: email.message.Message) -> bytes:
    """A non-multipart part's body, its transfer encoding undone."""
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes), f"not a leaf part: {part.get_content_type()}"
    return payload
