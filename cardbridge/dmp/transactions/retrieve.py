"""TD3.2, a document's content (IHE ITI-43 Retrieve Document Set), unwrapped from its CDA
(docs/dmp-client.md, "Documents").

The answer is MTOM: the document is the attachment its ``xop:Include`` names (an inline
base64 ``Document`` is read too). A CDA R2 level 1 wrapper gives back the file of its
``nonXMLBody/text`` (base64, with its media type: PDF, plain text, RTF, JPEG or TIFF); a
structured CDA is given as its XML, or as the PDF of its "PDF copy" section when it has
one [SM]; anything else as the DMP sent it.
"""

from __future__ import annotations

import binascii
import re

from lxml import etree

from cardbridge.dmp.results import DocumentContent
from cardbridge.dmp.transactions import names
from cardbridge.dmp.transactions.answers import parse_xml, raise_for_errors
from cardbridge.dmp.transport import Service, SoapAnswer, SoapCall, Transport
from cardbridge.errors import DmpAnswerError

ACTION = "urn:ihe:iti:2007:RetrieveDocumentSet"
TRANSACTION = "TD3.2"
# The "copie PDF du document" section of a structured CDA [SM §2.2.1].
PDF_COPY_SECTION = "1.2.250.1.213.1.1.2.243"
XML_MEDIA_TYPE = "text/xml"
_WHITESPACE = re.compile(rb"\s+")


def _x(tag: str) -> str:
    return f"{{{names.XDSB}}}{tag}"


def _h(tag: str) -> str:
    return f"{{{names.HL7}}}{tag}"


def retrieve_request(unique_id: str, repository: str) -> etree._Element:
    """The ``RetrieveDocumentSetRequest`` for one document."""
    request = etree.Element(_x("RetrieveDocumentSetRequest"), nsmap={"xdsb": names.XDSB})
    document = etree.SubElement(request, _x("DocumentRequest"))
    etree.SubElement(document, _x("RepositoryUniqueId")).text = repository
    etree.SubElement(document, _x("DocumentUniqueId")).text = unique_id
    return request


def _base64(text: str | bytes) -> bytes:
    data = text.encode("ascii", "replace") if isinstance(text, str) else text
    try:
        return binascii.a2b_base64(_WHITESPACE.sub(b"", data), strict_mode=True)
    except binascii.Error:
        raise DmpAnswerError("The DMP sent a document whose base64 cannot be decoded.") from None


def _document_bytes(answer: SoapAnswer, response: etree._Element) -> bytes:
    document = response.find(_x("Document"))
    if document is None:
        raise DmpAnswerError("The DMP's TD3.2 answer has no document.")
    include = document.find(f"{{{names.XOP}}}Include")
    if include is None:
        return _base64(document.text or "")
    data = answer.attachment(include.get("href", ""))
    if data is None:
        raise DmpAnswerError("The DMP's TD3.2 answer lacks the document part it refers to.")
    return data


def _body_text(text: etree._Element) -> tuple[bytes, str]:
    if text.get("representation") != "B64":
        raise DmpAnswerError("The DMP sent a CDA whose embedded file is not in base64.")
    media_type = text.get("mediaType")
    if not media_type:
        raise DmpAnswerError("The DMP sent a CDA whose embedded file has no media type.")
    return _base64(text.text or ""), media_type


def _pdf_copy(structured: etree._Element) -> bytes | None:
    for section in structured.iter(_h("section")):
        templates = {t.get("root") for t in section.iterfind(_h("templateId"))}
        if PDF_COPY_SECTION not in templates:
            continue
        for value in section.iter():
            if value.get("mediaType") == "application/pdf" and value.get("representation") == "B64":
                return _base64(value.text or "")
    return None


def unwrap(unique_id: str, data: bytes, media_type: str) -> DocumentContent:
    """The content a clinician reads, from the document the DMP holds."""
    stripped = data.lstrip()
    if not (media_type.endswith("xml") or stripped.startswith(b"<")):
        return DocumentContent(
            unique_id=unique_id, media_type=media_type, content=data, wrapped_in_cda=False
        )
    root = parse_xml(data, "a document")
    if root.tag != _h("ClinicalDocument"):
        return DocumentContent(
            unique_id=unique_id, media_type=media_type, content=data, wrapped_in_cda=False
        )
    text = root.find(f"{_h('component')}/{_h('nonXMLBody')}/{_h('text')}")
    if text is not None:
        content, embedded_type = _body_text(text)
        return DocumentContent(
            unique_id=unique_id, media_type=embedded_type, content=content, wrapped_in_cda=True
        )
    structured = root.find(f"{_h('component')}/{_h('structuredBody')}")
    copy = None if structured is None else _pdf_copy(structured)
    if copy is not None:
        return DocumentContent(
            unique_id=unique_id, media_type="application/pdf", content=copy, wrapped_in_cda=True
        )
    return DocumentContent(
        unique_id=unique_id, media_type=XML_MEDIA_TYPE, content=data, wrapped_in_cda=False
    )


def retrieve_document(
    transport: Transport,
    vihf: bytes,
    unique_id: str,
    repository: str = names.DMP_REPOSITORY,
) -> DocumentContent:
    """TD3.2: the document ``unique_id`` (a uniqueId, never an entryUUID), unwrapped.
    :class:`~cardbridge.errors.DmpRefusedError` with the DMP's code and text when it
    refuses (``XDSDocumentUniqueIdError``, ``XDSMissingDocument``…)."""
    call = SoapCall(
        Service.REPOSITORY, ACTION, retrieve_request(unique_id, repository), transaction=TRANSACTION
    )
    answer = transport.call(call, vihf)
    payload = answer.payload
    if payload.tag != _x("RetrieveDocumentSetResponse"):
        raise DmpAnswerError("The DMP's TD3.2 answer is not a RetrieveDocumentSetResponse.")
    status = payload.find(f"{{{names.RS}}}RegistryResponse")
    if status is None:
        raise DmpAnswerError("The DMP's TD3.2 answer has no RegistryResponse.")
    raise_for_errors(status, TRANSACTION)
    for response in payload.iterfind(_x("DocumentResponse")):
        if (response.findtext(_x("DocumentUniqueId")) or "").strip() != unique_id:
            continue
        media_type = (response.findtext(_x("mimeType")) or "").strip()
        return unwrap(unique_id, _document_bytes(answer, response), media_type)
    raise DmpAnswerError("The DMP's TD3.2 answer does not hold the document asked for.")
