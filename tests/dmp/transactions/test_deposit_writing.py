"""TD2.1's request (``deposit.deposit_document``), in process: a recording transport takes
the ProvideAndRegisterDocumentSet-b call, and what it carries is compared with what the
deposit must send (docs/dmp-client.md, "Deposit (TD2.1)"): the CDA and DocumentEntries
written from a ``CdaDocument`` stated here by hand (their writers are checked against XML
written out by hand in test_cda_writing.py and test_document_entry_writing.py), the IHE XDS
identifiers and association types written out, the document digest with hashlib."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree

from cardbridge.dmp.catalogue import DocumentFormat, Visibility
from cardbridge.dmp.formats import DetectedFormat
from cardbridge.dmp.results import DepositReceipt
from cardbridge.dmp.transactions.cda import CdaDocument, ParentDocument, build_cda
from cardbridge.dmp.transactions.deposit import (
    DepositRequest,
    ReplacedDocument,
    deposit_document,
    document_time,
)
from cardbridge.dmp.transactions.document_entry import (
    EntryMetadata,
    add_document_entry,
    entry_from_cda,
    signature_entry,
)
from cardbridge.dmp.transactions.ebrim import Code
from cardbridge.dmp.transport import Service, SoapCall
from cardbridge.errors import DmpRefusedError
from tests.dmp.transactions import media
from tests.dmp.transactions.conftest import DEMO_AUTHOR, NOW, PIERRE_TRAITS, form
from tests.dmp.transactions.helpers import Answering

ROOT = "1.2.250.1.999.1.1.7898"  # the ANS samples' LPS root
XDSB = "urn:ihe:iti:xds-b:2007"
XOP = "http://www.w3.org/2004/08/xop/include"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
HL7 = "urn:hl7-org:v3"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"xdsb": XDSB, "xop": XOP, "rim": RIM, "lcm": LCM, "hl7": HL7, "ds": DS}
# IHE ITI TF-3 4.2.3.2.26 / 4.2.3.3.12: the uniqueIds' identification schemes.
ENTRY_UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
SET_UNIQUE_ID = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
SET_PATIENT_ID = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
SIGNS = "urn:ihe:iti:2007:AssociationType:signs"
RPLC = "urn:ihe:iti:2010:AssociationType:RPLC"
ACTION = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
SUCCESS = (
    b'<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"'
    b' status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>'
)
FAILURE = (
    b'<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"'
    b' status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"><rs:RegistryErrorList>'
    b'<rs:RegistryError errorCode="XDSRepositoryError" codeContext="refus"/>'
    b"</rs:RegistryErrorList></rs:RegistryResponse>"
)
PDF = media.pdf()  # a one-page PDF written by pypdf
SIGNATURE_VALUE = b"\x5a" * 256  # what the card would give back: any 256 bytes
VIHF = b"<vihf>the caller's</vihf>"
# The ANS sample's replaced version (TD3.1/TD3.2): its entryUUID and CDA identifiers.
REPLACED = ReplacedDocument(
    "urn:uuid:0a7e8f76-51ba-4d6b-9a57-1d1bd0b2d4b0",
    "1.2.250.1.999.1.1.7898.3.1622814651504",
    "1.2.250.1.999.1.1.7898.3.1622814651000",
    3,
)
# 11488-4's class in the ANS type→class map (TRE_A03 "Compte rendu", docs/dmp-client.md).
CLASS_10 = Code("10", "1.2.250.1.213.1.1.4.1", "Compte rendu")


def _der_certificate() -> bytes:
    """A DER certificate for the signature's KeyInfo (the deposit does not check it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cardbridge deposit test")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(4242)
        .not_valid_before(datetime(2026, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2027, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


CERTIFICATE = _der_certificate()
CA = b"\x30\x03\x02\x01\x07"  # any DER: KeyInfo carries the chain as given


def _deposit(
    request: DepositRequest, answer: bytes = SUCCESS, **options: object
) -> tuple[Answering, DepositReceipt]:
    transport = Answering(answer)
    signed: list[bytes] = []

    def signer(data: bytes) -> bytes:
        signed.append(data)
        return SIGNATURE_VALUE

    arguments: dict[str, object] = {"lps_oid_root": ROOT, "now": NOW} | options
    receipt = deposit_document(
        transport,
        VIHF,
        request,
        signer,
        CERTIFICATE,
        **arguments,  # type: ignore[arg-type]
    )
    assert len(signed) == 1
    return transport, receipt


def _call(transport: Answering) -> SoapCall:
    assert len(transport.calls) == 1
    return transport.calls[0]


def _cda(call: SoapCall) -> etree._Element:
    return etree.fromstring(call.attachments["document01@cardbridge"])


def _root_id(cda: etree._Element, tag: str) -> str:
    element = cda.find(f"hl7:{tag}", NS)
    assert element is not None
    return element.get("root", "")


def _is_ours(unique_id: str, arc: int) -> None:
    """Under the LPS root, on the kind's arc, 64 characters at most (DMP rule, IHE OID)."""
    assert re.fullmatch(rf"{re.escape(ROOT)}\.{arc}\.[1-9][0-9]{{11,37}}", unique_id)
    assert len(unique_id) <= 64


def _expected(call: SoapCall, **changes: object) -> CdaDocument:
    """The CDA the deposit of ``form()``'s PDF by the demo doctor must write, its random
    uniqueIds taken from what was sent."""
    cda = _cda(call)
    document = CdaDocument(
        unique_id=_root_id(cda, "id"),
        set_id=_root_id(cda, "setId"),
        version=1,
        type=Code("11488-4", "2.16.840.1.113883.6.1", "CR de consultation"),
        title="Compte rendu de consultation",
        # noon, Paris time, on the form's document date (the day before NOW)
        created=datetime(2026, 12, 2, 12, tzinfo=NOW.tzinfo),
        service_start=date(2026, 12, 1),
        service_stop=date(2026, 12, 2),
        patient=PIERRE_TRAITS,
        author=DEMO_AUTHOR,
        practice_setting=Code("AMBULATOIRE", "1.2.250.1.213.1.1.4.9", "Ambulatoire"),
        facility=Code("SA07", "1.2.250.1.71.4.2.4", "Cabinet individuel"),
        media_type="application/pdf",
        content=PDF,
    )
    return replace(document, **changes)  # type: ignore[arg-type]


Tree = tuple[str, tuple[tuple[str, str], ...], str, tuple["Tree", ...]]


def _tree(element: etree._Element) -> Tree:
    """The element without its namespace prefixes: tag, attributes, text, children."""
    return (
        str(element.tag),
        tuple(sorted((str(k), str(v)) for k, v in element.attrib.items())),
        (element.text or "").strip(),
        tuple(_tree(child) for child in element),
    )


def _written(call: SoapCall, entry_id: str) -> Tree:
    found = call.payload.find(f".//rim:ExtrinsicObject[@id='{entry_id}']", NS)
    assert found is not None
    return _tree(found)


def _as_written(entry: EntryMetadata) -> Tree:
    objects = etree.Element(f"{{{RIM}}}RegistryObjectList")
    return _tree(add_document_entry(objects, entry))


def test_the_call_goes_to_the_repository_with_the_vihf_and_both_parts() -> None:
    transport, _ = _deposit(DepositRequest(form(), PDF, PIERRE_TRAITS, DEMO_AUTHOR))
    call = _call(transport)
    assert (call.service, call.action, call.transaction) == (Service.REPOSITORY, ACTION, "TD2.1")
    assert transport.vihfs == [VIHF]
    assert sorted(call.attachments) == ["document01@cardbridge", "signature01@cardbridge"]
    payload = call.payload
    assert payload.tag == f"{{{XDSB}}}ProvideAndRegisterDocumentSetRequest"
    assert payload.nsmap == {"xdsb": XDSB, "xop": XOP}
    documents = payload.findall("xdsb:Document", NS)
    assert [(d.get("id"), d[0].tag, d[0].get("href")) for d in documents] == [
        ("Document01", f"{{{XOP}}}Include", "cid:document01@cardbridge"),
        ("Signature01", f"{{{XOP}}}Include", "cid:signature01@cardbridge"),
    ]
    assert payload[0].tag == f"{{{LCM}}}SubmitObjectsRequest"


def test_the_cda_says_what_the_form_says() -> None:
    transport, receipt = _deposit(DepositRequest(form(), PDF, PIERRE_TRAITS, DEMO_AUTHOR))
    call = _call(transport)
    expected = _expected(call)
    assert call.attachments["document01@cardbridge"] == build_cda(expected).data
    body = _cda(call).find(".//hl7:nonXMLBody/hl7:text", NS)
    assert body is not None
    assert body.text == base64.b64encode(PDF).decode()
    # a new document: its own uniqueId and a new setId, both ours, version 1, no parent
    _is_ours(expected.unique_id, 3)
    _is_ours(expected.set_id, 3)
    assert expected.unique_id != expected.set_id
    assert receipt.unique_id == expected.unique_id
    assert receipt.replaced is None
    assert _cda(call).find("hl7:relatedDocument", NS) is None


def test_the_document_entry_and_the_hidden_signature_entry() -> None:
    request = DepositRequest(
        form(visibility="MASQUE_PS"),
        PDF,
        PIERRE_TRAITS,
        DEMO_AUTHOR,
        visibilities=("INVISIBLE_PATIENT", "MASQUE_PS"),
    )
    transport, _ = _deposit(request)
    call = _call(transport)
    entry = entry_from_cda(
        _expected(call),
        entry_id="Document01",
        class_code=CLASS_10,
        visibilities=("MASQUE_PS", "INVISIBLE_PATIENT"),
        comment="Suivi tensionnel",
    )
    assert _written(call, "Document01") == _as_written(entry)
    signature = etree.fromstring(call.attachments["signature01@cardbridge"])
    signature_id = signature.get("Id", "")
    _is_ours(signature_id, 4)
    hidden = signature_entry(entry, "Signature01", signature_id, NOW)
    assert _written(call, "Signature01") == _as_written(hidden)


def test_the_submission_set_its_members_and_associations() -> None:
    transport, receipt = _deposit(DepositRequest(form(), PDF, PIERRE_TRAITS, DEMO_AUTHOR))
    call = _call(transport)
    objects = call.payload.find("lcm:SubmitObjectsRequest/rim:RegistryObjectList", NS)
    assert objects is not None
    package = objects.find("rim:RegistryPackage", NS)
    assert package is not None
    assert package.get("id") == "SubmissionSet01"
    unique = package.find(f"rim:ExternalIdentifier[@identificationScheme='{SET_UNIQUE_ID}']", NS)
    assert unique is not None
    _is_ours(unique.get("value", ""), 1)
    assert receipt.submission_set_unique_id == unique.get("value")
    patient = package.find(f"rim:ExternalIdentifier[@identificationScheme='{SET_PATIENT_ID}']", NS)
    assert patient is not None
    assert patient.get("value") == f"{PIERRE_TRAITS.ins.value}^^^&1.2.250.1.213.1.4.10&ISO^NH"
    submitted = package.find("rim:Slot[@name='submissionTime']/rim:ValueList/rim:Value", NS)
    assert submitted is not None
    assert submitted.text == "20261203091530"  # 10:15:30 in Paris
    associations = [
        (a.get("associationType"), a.get("sourceObject"), a.get("targetObject"))
        for a in objects.findall("rim:Association", NS)
    ]
    assert associations == [
        (HAS_MEMBER, "SubmissionSet01", "Document01"),
        (HAS_MEMBER, "SubmissionSet01", "Signature01"),
        (SIGNS, "Signature01", "SubmissionSet01"),
    ]
    ids = [a.get("id") for a in objects.findall("rim:Association", NS)]
    assert ids[2] == "signs-submission"


def test_the_signature_covers_the_cda_and_is_the_cards() -> None:
    transport, _ = _deposit(
        DepositRequest(form(), PDF, PIERRE_TRAITS, DEMO_AUTHOR), certificate_chain=[CA]
    )
    call = _call(transport)
    signature = etree.fromstring(call.attachments["signature01@cardbridge"])
    value = signature.find("ds:SignatureValue", NS)
    assert value is not None
    assert value.text == base64.b64encode(SIGNATURE_VALUE).decode()
    certificates = signature.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    assert [base64.b64decode(c.text or "") for c in certificates] == [CERTIFICATE, CA]
    references = signature.findall("ds:Object/ds:Manifest/ds:Reference", NS)
    canonical = etree.tostring(
        etree.fromstring(call.attachments["document01@cardbridge"]),
        method="c14n",
        exclusive=True,
    )
    digest = base64.b64encode(hashlib.sha256(canonical).digest()).decode()
    unique_id = _root_id(_cda(call), "id")
    assert [(r.get("URI"), r.findtext("ds:DigestValue", namespaces=NS)) for r in references] == [
        (f"urn:oid:{unique_id}", digest)
    ]
    signing_time = signature.find(".//{http://uri.etsi.org/01903/v1.3.2#}SigningTime")
    assert signing_time is not None
    assert signing_time.text == "2026-12-03T09:15:30Z"


def test_a_replacement_continues_the_set_and_points_rplc_at_the_old_entry() -> None:
    transport, receipt = _deposit(
        DepositRequest(form(), PDF, PIERRE_TRAITS, DEMO_AUTHOR, replaces=REPLACED)
    )
    call = _call(transport)
    cda = _cda(call)
    expected = _expected(
        call,
        set_id="1.2.250.1.999.1.1.7898.3.1622814651000",
        version=4,
        parent=ParentDocument(
            "1.2.250.1.999.1.1.7898.3.1622814651504", "1.2.250.1.999.1.1.7898.3.1622814651000", 3
        ),
    )
    assert call.attachments["document01@cardbridge"] == build_cda(expected).data
    _is_ours(expected.unique_id, 3)
    assert _root_id(cda, "setId") == "1.2.250.1.999.1.1.7898.3.1622814651000"
    objects = call.payload.find("lcm:SubmitObjectsRequest/rim:RegistryObjectList", NS)
    assert objects is not None
    replacing = objects.findall(f"rim:Association[@associationType='{RPLC}']", NS)
    assert [(a.get("id"), a.get("sourceObject"), a.get("targetObject")) for a in replacing] == [
        ("replaces-previous", "Document01", "urn:uuid:0a7e8f76-51ba-4d6b-9a57-1d1bd0b2d4b0")
    ]
    assert receipt.replaced == "1.2.250.1.999.1.1.7898.3.1622814651504"
    assert receipt.unique_id == expected.unique_id


def test_windows_1252_text_is_sent_in_utf8() -> None:
    text = b"Tension art\xe9rielle \xe0 13/8, \x80 rembours\xe9s\n"  # Windows-1252
    transport, _ = _deposit(DepositRequest(form(), text, PIERRE_TRAITS, DEMO_AUTHOR))
    body = _cda(_call(transport)).find(".//hl7:nonXMLBody/hl7:text", NS)
    utf8 = b"Tension art\xc3\xa9rielle \xc3\xa0 13/8, \xe2\x82\xac rembours\xc3\xa9s\n"
    assert body is not None
    assert base64.b64decode(body.text or "") == utf8
    assert body.get("mediaType") == "text/plain"


def test_utf8_text_is_sent_as_it_is() -> None:
    text = "Tension artérielle à 13/8\n".encode()
    transport, _ = _deposit(DepositRequest(form(), text, PIERRE_TRAITS, DEMO_AUTHOR))
    body = _cda(_call(transport)).find(".//hl7:nonXMLBody/hl7:text", NS)
    assert body is not None
    assert base64.b64decode(body.text or "") == text


def test_a_format_already_detected_is_not_detected_again() -> None:
    # what the caller found is taken as it is: here (wrongly) text, for the PDF's bytes
    detected = DetectedFormat(DocumentFormat.TEXT, text_encoding="utf-8")
    transport, _ = _deposit(
        DepositRequest(form(), PDF, PIERRE_TRAITS, DEMO_AUTHOR, detected=detected)
    )
    body = _cda(_call(transport)).find(".//hl7:nonXMLBody/hl7:text", NS)
    assert body is not None
    assert body.get("mediaType") == "text/plain"


def test_free_text_is_a_utf8_text_document() -> None:
    request = DepositRequest.free_text(
        form(),
        "Patient revu, café arrêté.",
        PIERRE_TRAITS,
        DEMO_AUTHOR,
        practice_setting="ETABLISSEMENT",
        replaces=REPLACED,
    )
    assert request.content == b"Patient revu, caf\xc3\xa9 arr\xc3\xaat\xc3\xa9."
    assert request.filename == "texte-libre.txt"
    assert (request.practice_setting, request.replaces) == ("ETABLISSEMENT", REPLACED)
    assert (request.patient, request.author) == (PIERRE_TRAITS, DEMO_AUTHOR)
    default = DepositRequest.free_text(form(), "x", PIERRE_TRAITS, DEMO_AUTHOR)
    assert (default.practice_setting, default.replaces) == ("AMBULATOIRE", None)
    assert DepositRequest(form(), PDF, PIERRE_TRAITS, DEMO_AUTHOR).practice_setting == (
        "AMBULATOIRE"
    )
    transport, _ = _deposit(request)
    cda = _cda(_call(transport))
    codes = [e.get("code") for e in cda.iter() if e.get("codeSystem") == "1.2.250.1.213.1.1.4.9"]
    assert codes == ["ETABLISSEMENT"]  # the practice setting (JDV_J02-XdsPracticeSettingCode)


@pytest.mark.parametrize(
    ("visibility", "beside", "codes"),
    [
        ("N", (), ()),
        ("N", ("INVISIBLE_PATIENT",), ("INVISIBLE_PATIENT",)),
        ("MASQUE_PS", (), ("MASQUE_PS",)),
        ("MASQUE_PS", ("INVISIBLE_PATIENT", "MASQUE_PS"), ("MASQUE_PS", "INVISIBLE_PATIENT")),
    ],
)
def test_the_visibility_codes(
    visibility: str, beside: tuple[str, ...], codes: tuple[str, ...]
) -> None:
    request = DepositRequest(
        form(visibility=visibility), PDF, PIERRE_TRAITS, DEMO_AUTHOR, visibilities=beside
    )
    assert request.form.visibility is Visibility(visibility)
    assert request.confidentiality_codes == codes


def test_the_document_time_is_noon_that_day_or_now() -> None:
    paris = timezone(timedelta(hours=1))
    now = datetime(2026, 12, 3, 10, 15, 30, tzinfo=paris)
    assert document_time(date(2026, 12, 2), now) == datetime(2026, 12, 2, 12, tzinfo=paris)
    assert document_time(date(2026, 12, 3), now) == now
    afternoon = datetime(2026, 12, 3, 16, 0, tzinfo=paris)
    assert document_time(date(2026, 12, 3), afternoon) == datetime(2026, 12, 3, 12, tzinfo=paris)
    assert document_time(date(2026, 12, 3), afternoon).tzinfo is paris


def test_a_naive_now_is_refused_and_no_now_is_the_clock() -> None:
    with pytest.raises(ValueError, match=r"^deposit times are timezone-aware$"):
        _deposit(DepositRequest(form(), PDF, PIERRE_TRAITS, DEMO_AUTHOR), now=datetime(2026, 12, 3))
    before = datetime.now(UTC)
    transport, _ = _deposit(DepositRequest(form(), PDF, PIERRE_TRAITS, DEMO_AUTHOR), now=None)
    after = datetime.now(UTC)
    package = _call(transport).payload.find(".//rim:RegistryPackage", NS)
    assert package is not None
    sent = package.findtext("rim:Slot[@name='submissionTime']/rim:ValueList/rim:Value", "", NS)
    moment = datetime.strptime(sent, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    assert before.replace(microsecond=0) <= moment <= after


def test_a_refusal_is_the_dmps() -> None:
    with pytest.raises(DmpRefusedError) as refused:
        _deposit(DepositRequest(form(), PDF, PIERRE_TRAITS, DEMO_AUTHOR), answer=FAILURE)
    assert (refused.value.dmp_code, refused.value.transaction) == ("XDSRepositoryError", "TD2.1")


def test_the_replaced_version_with_extensions_and_no_version_number() -> None:
    cda = b"""<ClinicalDocument xmlns="urn:hl7-org:v3">
      <id root="1.2.250.1.999.1.1.7898.3" extension="1622814651504"/>
      <setId root="1.2.250.1.999.1.1.7898.3" extension="1622814651000"/>
    </ClinicalDocument>"""
    replaced = ReplacedDocument.from_cda(cda, "urn:uuid:0a7e8f76-51ba-4d6b-9a57-1d1bd0b2d4b0")
    assert replaced == ReplacedDocument(
        "urn:uuid:0a7e8f76-51ba-4d6b-9a57-1d1bd0b2d4b0",
        "1.2.250.1.999.1.1.7898.3^1622814651504",
        "1.2.250.1.999.1.1.7898.3^1622814651000",
        1,
    )
    empty_version = cda.replace(b"</ClinicalDocument>", b"<versionNumber/></ClinicalDocument>")
    assert ReplacedDocument.from_cda(empty_version, "urn:uuid:x").version == 1


@pytest.mark.parametrize(
    ("cda", "missing"),
    [
        (b'<ClinicalDocument xmlns="urn:hl7-org:v3"><setId root="1.2"/></ClinicalDocument>', "id"),
        (
            b'<ClinicalDocument xmlns="urn:hl7-org:v3"><id root=""/><setId root="1.2"/>'
            b"</ClinicalDocument>",
            "id",
        ),
        (b'<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1.2"/></ClinicalDocument>', "setId"),
        (
            b'<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1.2"/><setId extension="7"/>'
            b"</ClinicalDocument>",
            "setId",
        ),
    ],
)
def test_a_cda_without_its_identifiers_cannot_be_replaced(cda: bytes, missing: str) -> None:
    with pytest.raises(ValueError, match=rf"^the replaced CDA has no {missing}$"):
        ReplacedDocument.from_cda(cda, "urn:uuid:0a7e8f76-51ba-4d6b-9a57-1d1bd0b2d4b0")


def test_the_replaced_version_of_a_large_document_is_read() -> None:
    # A CDA wraps its document in base64: a PDF of 8 MB or more makes a text node longer
    # than libxml2's default limit (10,000,000 bytes without XML_PARSE_HUGE).
    body = b"JVBERi0x" * 1_400_000  # 11.2 million base64 characters
    cda = (
        b'<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1.2.250.1.999.1.1.7898.3.15"/>'
        b'<setId root="1.2.250.1.999.1.1.7898.3.16"/><versionNumber value="2"/>'
        b"<component><nonXMLBody><text>" + body + b"</text></nonXMLBody></component>"
        b"</ClinicalDocument>"
    )
    replaced = ReplacedDocument.from_cda(cda, "urn:uuid:0a7e8f76-51ba-4d6b-9a57-1d1bd0b2d4b0")
    assert (replaced.unique_id, replaced.set_id, replaced.version) == (
        "1.2.250.1.999.1.1.7898.3.15",
        "1.2.250.1.999.1.1.7898.3.16",
        2,
    )
