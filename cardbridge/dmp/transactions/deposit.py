"""TD2.1: depositing a document in the patient's DMP (IHE ITI-41, Provide and Register
Document Set-b).

One submission (docs/dmp-client.md, "Deposit (TD2.1)"): the SubmissionSet, the document
wrapped in its CDA R2 level 1 header and its DocumentEntry, the XAdES signature document
signed by the CPS signature key and its own DocumentEntry (hidden from everyone), the
``HasMember`` associations, the ``signs`` association from the signature to the set and,
to replace an earlier version, ``RPLC`` to that version's entryUUID. Both documents travel
as MTOM parts referred to by ``xop:Include``. The DMP answers a RegistryResponse without
identifiers: the receipt gives the uniqueIds we made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from lxml import etree

from cardbridge.dmp.catalogue import CLASS_OID, CLASSES, DocumentFormat, Visibility
from cardbridge.dmp.documents import DepositForm, check_file, document_type
from cardbridge.dmp.formats import DetectedFormat
from cardbridge.dmp.results import DepositReceipt
from cardbridge.dmp.transactions import ebrim
from cardbridge.dmp.transactions.cda import (
    HL7,
    CdaDocument,
    CdaPatient,
    ParentDocument,
    build_cda,
    practice_setting,
)
from cardbridge.dmp.transactions.document_entry import (
    add_document_entry,
    entry_from_cda,
    signature_entry,
)
from cardbridge.dmp.transactions.names import REPLACES, SIGNS, XDSB, XOP
from cardbridge.dmp.transactions.registry_response import check_registry_response
from cardbridge.dmp.transactions.submission import (
    Author,
    UniqueIdKind,
    add_member,
    add_submission_set,
    new_submission_set,
    new_unique_id,
    submit_objects_request,
)
from cardbridge.dmp.transactions.xades import build_signature
from cardbridge.dmp.transport import Service, SoapCall, Transport
from cardbridge.dmp.vihf import Signer

ACTION = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
TRANSACTION = "TD2.1"
DOCUMENT_ID = "Document01"
SIGNATURE_ID = "Signature01"
FREE_TEXT_FILENAME = "texte-libre.txt"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


@dataclass(frozen=True, slots=True)
class ReplacedDocument:
    """The version a deposit replaces: its entryUUID (for ``RPLC``) and what its CDA says."""

    entry_uuid: str
    unique_id: str
    set_id: str
    version: int

    @classmethod
    def from_cda(cls, cda: bytes, entry_uuid: str) -> ReplacedDocument:
        """From the replaced version's CDA (retrieved by TD3.2) and its entryUUID (TD3.1)."""
        root = etree.fromstring(cda, _PARSER)

        def identifier(tag: str) -> str:
            element = root.find(f"{{{HL7}}}{tag}")
            value = element.get("root", "") if element is not None else ""
            if not value:
                raise ValueError(f"the replaced CDA has no {tag}")
            extension = element.get("extension") if element is not None else None
            return f"{value}^{extension}" if extension else value

        version = root.find(f"{{{HL7}}}versionNumber")
        number = version.get("value", "1") if version is not None else "1"
        return cls(entry_uuid, identifier("id"), identifier("setId"), int(number))


@dataclass(frozen=True, slots=True)
class DepositRequest:
    """A deposit: the form's fields, the file (or the free text, encoded), the patient's
    traits, the author in the chosen practice situation and cadre d'exercice.
    ``detected`` is what :func:`~cardbridge.dmp.documents.check_file` found in
    ``content`` when the caller has checked it already (the service does, before the
    card is asked anything): a PDF is then not parsed twice; otherwise the deposit
    checks the file itself."""

    form: DepositForm
    content: bytes
    patient: CdaPatient
    author: Author
    practice_setting: str = "AMBULATOIRE"
    filename: str = ""
    replaces: ReplacedDocument | None = None
    visibilities: Sequence[str] = field(default=())
    detected: DetectedFormat | None = None

    @classmethod
    def free_text(
        cls,
        form: DepositForm,
        text: str,
        patient: CdaPatient,
        author: Author,
        *,
        practice_setting: str = "AMBULATOIRE",
        replaces: ReplacedDocument | None = None,
    ) -> DepositRequest:
        """ "Rédiger un document (texte libre)": the text written in the form, deposited as a
        text/plain document in UTF-8."""
        return cls(
            form,
            text.encode("utf-8"),
            patient,
            author,
            practice_setting=practice_setting,
            filename=FREE_TEXT_FILENAME,
            replaces=replaces,
        )

    @property
    def confidentiality_codes(self) -> tuple[str, ...]:
        """The DMP visibility codes: the form's choice, plus any given beside it."""
        chosen = [] if self.form.visibility is Visibility.NORMAL else [self.form.visibility.value]
        return tuple(dict.fromkeys([*chosen, *self.visibilities]))


def document_time(day: date, now: datetime) -> datetime:
    """The CDA effectiveTime for the form's document date: noon local time that day, or
    ``now`` if earlier (ours: the form gives a date, the CDA wants a time to the second;
    noon keeps the same date in UTC and in metropolitan and overseas France)."""
    return min(datetime.combine(day, time(12), tzinfo=now.tzinfo), now)


def _content(request: DepositRequest) -> tuple[bytes, str]:
    """The document's bytes as the DMP takes them, and their media type; plain text
    saved in Windows-1252 is re-encoded in UTF-8 (the DMP's text documents are UTF-8)."""
    detected = request.detected or check_file(request.content)
    if detected.format is DocumentFormat.TEXT and detected.text_encoding == "windows-1252":
        return request.content.decode("cp1252").encode("utf-8"), detected.format.mime_type
    return request.content, detected.format.mime_type


def _cda_document(request: DepositRequest, root: str, now: datetime) -> CdaDocument:
    form = request.form
    doc_type = document_type(form.type)
    assert doc_type.code is not None  # document_type() refuses unknown codes
    content, media_type = _content(request)
    replaced = request.replaces
    return CdaDocument(
        unique_id=new_unique_id(root, UniqueIdKind.DOCUMENT),
        set_id=replaced.set_id if replaced else new_unique_id(root, UniqueIdKind.DOCUMENT),
        version=replaced.version + 1 if replaced else 1,
        type=ebrim.Code(doc_type.code, doc_type.system, doc_type.label),
        title=form.title,
        created=document_time(form.document_date, now),
        service_start=form.event_start,
        service_stop=form.event_end,
        patient=request.patient,
        author=request.author,
        practice_setting=practice_setting(request.practice_setting),
        facility=request.author.sector_code,
        media_type=media_type,
        content=content,
        parent=(
            ParentDocument(replaced.unique_id, replaced.set_id, replaced.version)
            if replaced
            else None
        ),
    )


def _include(parent: etree._Element, document_id: str, content_id: str) -> None:
    document = etree.SubElement(parent, f"{{{XDSB}}}Document", id=document_id)
    etree.SubElement(document, f"{{{XOP}}}Include", href=f"cid:{content_id}")


def deposit_document(
    transport: Transport,
    vihf: bytes,
    request: DepositRequest,
    signer: Signer,
    signing_certificate: bytes,
    *,
    lps_oid_root: str,
    now: datetime | None = None,
    certificate_chain: Sequence[bytes] = (),
) -> DepositReceipt:
    """Deposit ``request``'s document in the DMP the VIHF names (TD2.1); the signature
    document is signed through ``signer`` with ``signing_certificate`` (DER), the CPS's
    signature certificate, and ``certificate_chain`` (DER) its issuing CAs. ``now``
    (timezone-aware, the workstation's local time; by default the clock's) dates the
    submission. Raises :class:`~cardbridge.errors.InvalidInputError` for a file the form
    refuses (nothing sent), :class:`~cardbridge.errors.DmpRefusedError` with the DMP's
    code and text."""
    now = now or datetime.now().astimezone()
    if now.tzinfo is None:
        raise ValueError("deposit times are timezone-aware")
    cda = _cda_document(request, lps_oid_root, now)
    built = build_cda(cda)
    cda_bytes = built.data
    doc_type = document_type(request.form.type)
    class_code = ebrim.Code(doc_type.class_code, CLASS_OID, CLASSES[doc_type.class_code])
    submission = new_submission_set(
        lps_oid_root=lps_oid_root, patient_cx=request.patient.ins.cx, author=request.author, now=now
    )
    signature_unique_id = new_unique_id(lps_oid_root, UniqueIdKind.SIGNATURE)
    signature = build_signature(
        [(cda.unique_id, cda_bytes)],
        signature_id=signature_unique_id,
        signer=signer,
        certificate_der=signing_certificate,
        chain=certificate_chain,
        now=now,
        digests={cda.unique_id: built.canonical_digest},
    )

    payload = etree.Element(
        f"{{{XDSB}}}ProvideAndRegisterDocumentSetRequest", nsmap={"xdsb": XDSB, "xop": XOP}
    )
    objects = submit_objects_request(payload)
    add_submission_set(objects, submission)
    entry = entry_from_cda(
        cda,
        entry_id=DOCUMENT_ID,
        class_code=class_code,
        visibilities=request.confidentiality_codes,
        comment=request.form.comment,
    )
    add_document_entry(objects, entry)
    add_document_entry(objects, signature_entry(entry, SIGNATURE_ID, signature_unique_id, now))
    add_member(objects, submission, DOCUMENT_ID)
    add_member(objects, submission, SIGNATURE_ID)
    ebrim.association(objects, SIGNS, SIGNATURE_ID, submission.entry_id, "signs-submission")
    if request.replaces is not None:
        ebrim.association(
            objects, REPLACES, DOCUMENT_ID, request.replaces.entry_uuid, "replaces-previous"
        )
    _include(payload, DOCUMENT_ID, "document01@cardbridge")
    _include(payload, SIGNATURE_ID, "signature01@cardbridge")

    answer = transport.call(
        SoapCall(
            Service.REPOSITORY,
            ACTION,
            payload,
            {"document01@cardbridge": cda_bytes, "signature01@cardbridge": signature},
            TRANSACTION,
        ),
        vihf,
    )
    check_registry_response(answer.payload, TRANSACTION)
    return DepositReceipt(
        unique_id=cda.unique_id,
        submission_set_unique_id=submission.unique_id,
        replaced=request.replaces.unique_id if request.replaces else None,
    )
