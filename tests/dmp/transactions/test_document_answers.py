"""The document transactions' readers on answers written here as bytes, in the shape of the
ANS samples (TD3.1 and TD3.2 answers, values from docs/dmp-client.md's sources), and on
malformed ones: each unreadable answer is a DmpAnswerError, each refusal keeps its code."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree

from cardbridge.dmp.results import DocumentStatus
from cardbridge.dmp.transactions.find import DocumentFilter, find_documents
from cardbridge.dmp.transactions.retrieve import retrieve_document, unwrap
from cardbridge.dmp.transport import SoapAnswer, SoapCall
from cardbridge.errors import DmpAnswerError, DmpRefusedError
from tests.dmp.transactions.documents_support import PIERRE_INS

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
NS = (
    'xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" '
    f'xmlns:rim="{RIM}" xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"'
)
SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
FAILURE = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"
# The ANS TD3.1 sample's shape: one DocumentEntry, slots, classifications, identifiers.
ENTRY = (Path(__file__).parent / "answers" / "td31-entry.xml").read_text()
UNIQUE_ID = (
    '<rim:ExternalIdentifier identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"'
    ' value="1.2.250.1.999.1.1.7898.3.1622814651504" registryObject="x" id="e1"/>'
)


def _entry(**changes: str) -> str:
    values = {
        "status": "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved",
        "created": "20190221123445",
        "size": "1234",
        "class_code": "10",
        "unique_id": UNIQUE_ID,
    }
    values.update(changes)
    return ENTRY.format(**values)


def _query_answer(*entries: str, status: str = SUCCESS, errors: str = "") -> bytes:
    return (
        f'<query:AdhocQueryResponse {NS} status="{status}">{errors}'
        f"<rim:RegistryObjectList>{''.join(entries)}</rim:RegistryObjectList>"
        "</query:AdhocQueryResponse>"
    ).encode()


_SAFE = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass
class Canned:
    """A transport that answers every call with the same bytes (and attachments)."""

    payload: bytes
    attachments: Mapping[str, bytes] = field(default_factory=dict)
    calls: list[SoapCall] = field(default_factory=list)

    def call(self, call: SoapCall, vihf: bytes) -> SoapAnswer:
        self.calls.append(call)
        return SoapAnswer("answer", etree.fromstring(self.payload, _SAFE), self.attachments)


def _find(payload: bytes) -> list[object]:
    return list(find_documents(Canned(payload), b"<vihf/>", PIERRE_INS, DocumentFilter()))


def test_an_entry_in_the_samples_shape_is_read() -> None:
    (entry,) = find_documents(
        Canned(_query_answer(_entry())), b"<v/>", PIERRE_INS, DocumentFilter()
    )
    assert entry.unique_id == "1.2.250.1.999.1.1.7898.3.1622814651504"
    assert entry.entry_uuid == "urn:uuid:1b4c6f2a-0000-4000-8000-000000000001"
    assert entry.status is DocumentStatus.APPROVED
    assert entry.title == "CR de consultation"
    assert entry.comment == "Suivi"
    assert entry.created == dt.datetime(2019, 2, 21, 12, 34, 45, tzinfo=dt.UTC)
    assert entry.service_start == dt.datetime(2019, 2, 21, tzinfo=dt.UTC)
    assert entry.size == 1234
    assert entry.sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert entry.author_names == ["LIBRE MAX"]
    assert entry.author_structure == "CABINET MAX"
    assert entry.visibility.masked_from_professionals is True
    assert entry.visibility.invisible_to_patient is False
    assert entry.class_code is not None
    assert (entry.class_code.code, entry.class_code.label) == ("10", "Libellé du DMP")
    assert entry.type is not None
    assert entry.type.system == "2.16.840.1.113883.6.1"
    assert entry.patient_document is False
    assert entry.version == "1"


def test_a_patients_document_is_class_90() -> None:
    (entry,) = find_documents(
        Canned(_query_answer(_entry(class_code="90"))), b"<v/>", PIERRE_INS, DocumentFilter()
    )
    assert entry.patient_document is True


def test_a_registry_error_is_a_refusal_with_its_code_and_text() -> None:
    error = (
        '<rs:RegistryErrorList><rs:RegistryError errorCode="XDSPatientIdDoesNotMatch"'
        ' codeContext="patientId différent du resource-id du VIHF" location="x"'
        ' severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/>'
        "</rs:RegistryErrorList>"
    )
    with pytest.raises(DmpRefusedError) as refused:
        _find(_query_answer(status=FAILURE, errors=error))
    assert refused.value.dmp_code == "XDSPatientIdDoesNotMatch"
    assert refused.value.dmp_text == "patientId différent du resource-id du VIHF"


@pytest.mark.parametrize(
    "answer",
    [
        _query_answer(_entry(unique_id="")),  # no uniqueId
        _query_answer(_entry(status="urn:example:Unknown")),
        _query_answer(_entry(created="2019-02-21")),
        _query_answer(_entry(created="20191341000000")),  # month 13
        _query_answer(_entry(size="12ko")),
        _query_answer(_entry(), status="urn:example:Odd"),
        b'<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"/>',
    ],
    ids=["no-unique-id", "status", "time-format", "time-value", "size", "answer-status", "root"],
)
def test_a_malformed_query_answer_is_a_dmp_answer_error(answer: bytes) -> None:
    with pytest.raises(DmpAnswerError):
        _find(answer)


def test_the_query_asks_approved_and_the_filters_in_the_samples_syntax() -> None:
    transport = Canned(_query_answer())
    filters = DocumentFilter(
        include_archived=True,
        type_codes=("11488-4", "SYNTH"),
        created_from=dt.datetime(2026, 1, 2, 4, 5, 6, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    )
    find_documents(transport, b"<v/>", PIERRE_INS, filters)
    slots = {
        s.get("name"): s.findtext(f"{{{RIM}}}ValueList/{{{RIM}}}Value")
        for s in transport.calls[0].payload.iter(f"{{{RIM}}}Slot")
    }
    # The forms of the ANS TD3.1 sample [MSG]: quoted CX, quoted list, unquoted UTC time.
    assert slots == {
        "$XDSDocumentEntryPatientId": "'155067200010159^^^&1.2.250.1.213.1.4.10&ISO^NH'",
        "$XDSDocumentEntryStatus": (
            "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved',"
            "'urn:asip:ci-sis:2010:StatusType:Archived')"
        ),
        "$XDSDocumentEntryTypeCode": (
            "('11488-4^^2.16.840.1.113883.6.1','SYNTH^^1.2.250.1.213.1.1.4.12')"
        ),
        "$XDSDocumentEntryCreationTimeFrom": "20260102030506",
    }


# --- TD3.2 ------------------------------------------------------------------------------

XDSB = "urn:ihe:iti:xds-b:2007"
CID = "1.uuid-2@urn:ihe:iti:xds-b:2007"
HREF = "cid:1.uuid-2@urn%3Aihe%3Aiti%3Axds-b%3A2007"  # URL-encoded, as CXF sends it [DEH]
DOC = "1.2.250.1.999.1.1.7898.3.1622814651504"


def _retrieve_answer(document: str, status: str = SUCCESS, errors: str = "") -> bytes:
    return (
        f'<xdsb:RetrieveDocumentSetResponse xmlns:xdsb="{XDSB}" '
        'xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" '
        'xmlns:xop="http://www.w3.org/2004/08/xop/include">'
        f'<rs:RegistryResponse status="{status}">{errors}</rs:RegistryResponse>'
        "<xdsb:DocumentResponse><xdsb:RepositoryUniqueId>1.2.250.1.213.4.1.1.1.2"
        f"</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>{DOC}</xdsb:DocumentUniqueId>"
        f"<xdsb:mimeType>text/xml</xdsb:mimeType><xdsb:Document>{document}</xdsb:Document>"
        "</xdsb:DocumentResponse></xdsb:RetrieveDocumentSetResponse>"
    ).encode()


def _level_1(content: bytes, media_type: str, representation: str = "B64") -> bytes:
    text = base64.b64encode(content).decode()
    wrapped = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))  # MIME lines
    return (
        '<?xml version="1.0" encoding="UTF-8"?><ClinicalDocument xmlns="urn:hl7-org:v3">'
        f'<component><nonXMLBody><text mediaType="{media_type}" '
        f'representation="{representation}">{wrapped}</text></nonXMLBody></component>'
        "</ClinicalDocument>"
    ).encode()


def _retrieve(document: bytes) -> object:
    transport = Canned(_retrieve_answer(f'<xop:Include href="{HREF}"/>'), {CID: document})
    return retrieve_document(transport, b"<v/>", DOC)


@pytest.mark.parametrize(
    "media_type", ["application/pdf", "text/plain", "text/rtf", "image/jpeg", "image/tiff"]
)
def test_a_level_1_cda_gives_back_its_file(media_type: str) -> None:
    content = bytes(range(256)) * 40
    unwrapped = _retrieve(_level_1(content, media_type))
    assert unwrapped.content == content  # type: ignore[attr-defined]
    assert unwrapped.media_type == media_type  # type: ignore[attr-defined]
    assert unwrapped.wrapped_in_cda is True  # type: ignore[attr-defined]


def test_an_inline_document_is_read_too() -> None:
    cda = _level_1(b"%PDF-1.4 x", "application/pdf")
    transport = Canned(_retrieve_answer(base64.b64encode(cda).decode()))
    assert retrieve_document(transport, b"<v/>", DOC).content == b"%PDF-1.4 x"


def test_a_structured_cda_with_a_pdf_copy_gives_the_pdf() -> None:
    pdf = b"%PDF-1.7 copy"
    cda = (
        '<ClinicalDocument xmlns="urn:hl7-org:v3"><component><structuredBody>'
        '<component><section><templateId root="1.2.250.1.213.1.1.2.243"/>'
        '<entry><observationMedia><value mediaType="application/pdf" representation="B64">'
        f"{base64.b64encode(pdf).decode()}</value></observationMedia></entry>"
        "</section></component></structuredBody></component></ClinicalDocument>"
    ).encode()
    assert unwrap(DOC, cda, "text/xml").content == pdf
    plain = cda.replace(b"1.2.250.1.213.1.1.2.243", b"1.2.250.1.213.1.1.2.1")
    as_xml = unwrap(DOC, plain, "text/xml")
    assert (as_xml.content, as_xml.media_type, as_xml.wrapped_in_cda) == (plain, "text/xml", False)


def test_a_document_that_is_not_a_cda_is_given_as_is() -> None:
    assert unwrap(DOC, b"%PDF-1.4 raw", "application/pdf").content == b"%PDF-1.4 raw"
    other = b"<kos xmlns='urn:example'/>"
    assert unwrap(DOC, other, "text/xml").content == other


def test_an_entity_in_a_document_is_not_resolved() -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<ClinicalDocument xmlns="urn:hl7-org:v3"><component><nonXMLBody>'
        b'<text mediaType="text/plain" representation="B64">&x;</text>'
        b"</nonXMLBody></component></ClinicalDocument>"
    )
    # The entity stays unresolved: an empty body, never the file's content.
    assert _retrieve(evil).content == b""  # type: ignore[attr-defined]


def test_a_missing_document_is_a_refusal_with_its_code() -> None:
    error = (
        '<rs:RegistryErrorList><rs:RegistryError errorCode="XDSMissingDocument"'
        ' codeContext="document absent du dépôt" location="DocumentUniqueId"'
        ' severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/>'
        "</rs:RegistryErrorList>"
    )
    with pytest.raises(DmpRefusedError) as refused:
        retrieve_document(Canned(_retrieve_answer("", FAILURE, error)), b"<v/>", DOC)
    assert refused.value.dmp_code == "XDSMissingDocument"
    assert refused.value.dmp_text == "document absent du dépôt"
    assert refused.value.transaction == "TD3.2"


@pytest.mark.parametrize(
    ("document", "attachments"),
    [
        (f'<xop:Include href="{HREF}"/>', {}),  # the part it names is absent
        (f'<xop:Include href="{HREF}"/>', {CID: b"<ClinicalDocument"}),  # not XML
        (f'<xop:Include href="{HREF}"/>', {CID: _level_1(b"x", "text/plain", "TXT")}),
        (f'<xop:Include href="{HREF}"/>', {CID: _level_1(b"x", "")}),  # no media type
        ("not base64!", {}),
    ],
    ids=["no-part", "not-xml", "not-b64", "no-media-type", "bad-inline"],
)
def test_a_malformed_retrieve_answer_is_a_dmp_answer_error(
    document: str, attachments: dict[str, bytes]
) -> None:
    with pytest.raises(DmpAnswerError):
        retrieve_document(Canned(_retrieve_answer(document), attachments), b"<v/>", DOC)


def test_bad_base64_in_a_cda_is_a_dmp_answer_error() -> None:
    cda = _level_1(b"abc", "text/plain").replace(b"YWJj", b"YW=J")
    with pytest.raises(DmpAnswerError):
        _retrieve(cda)


def test_an_answer_for_another_document_is_a_dmp_answer_error() -> None:
    transport = Canned(_retrieve_answer(base64.b64encode(b"x").decode()))
    with pytest.raises(DmpAnswerError):
        retrieve_document(transport, b"<v/>", "1.2.3")


def test_a_filter_takes_aware_times_in_order() -> None:
    with pytest.raises(ValueError, match="timezone"):
        DocumentFilter(created_from=dt.datetime(2026, 1, 1))
    day = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="before its end"):
        DocumentFilter(service_start_from=day, service_start_to=day)
