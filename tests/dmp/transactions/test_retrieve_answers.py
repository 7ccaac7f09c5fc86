"""TD3.2 in process: the request (IHE ITI-43 ``RetrieveDocumentSetRequest``), and what
each malformed answer or document is told as (answers written as bytes in the shape of
the ANS sample; CDA R2 level 1 bodies as the CI-SIS writes them)."""

from __future__ import annotations

import base64

import pytest

from cardbridge.dmp.transactions.retrieve import retrieve_document, unwrap
from cardbridge.dmp.transport import Service
from cardbridge.errors import DmpAnswerError
from tests.dmp.transactions.helpers import Answering
from tests.dmp.transactions.test_document_answers import (
    CID,
    DOC,
    HREF,
    Canned,
    _level_1,
    _retrieve_answer,
)

XDSB = "urn:ihe:iti:xds-b:2007"
DMP_REPOSITORY = "1.2.250.1.213.4.1.1.1.2"  # the DMP's repositoryUniqueId in the TD3.1 sample


def _plain(content: bytes) -> bytes:
    """An answer holding ``content`` inline, as text/plain."""
    answer = _retrieve_answer(base64.b64encode(content).decode())
    return answer.replace(b"<xdsb:mimeType>text/xml", b"<xdsb:mimeType>text/plain")


def _fails(answer: bytes, message: str, attachments: dict[str, bytes] | None = None) -> None:
    with pytest.raises(DmpAnswerError) as error:
        retrieve_document(Canned(answer, attachments or {}), b"<v/>", DOC)
    assert error.value.message == message


def test_the_request_names_the_dmps_repository_and_the_document() -> None:
    transport = Canned(_plain(b"%PDF-1.4"))
    retrieve_document(transport, b"<vihf/>", DOC)
    (call,) = transport.calls
    assert (call.service, call.action, call.transaction) == (
        Service.REPOSITORY,
        "urn:ihe:iti:2007:RetrieveDocumentSet",
        "TD3.2",
    )
    request = call.payload
    assert request.tag == f"{{{XDSB}}}RetrieveDocumentSetRequest"
    (document,) = request
    assert document.tag == f"{{{XDSB}}}DocumentRequest"
    assert [(child.tag, child.text) for child in document] == [
        (f"{{{XDSB}}}RepositoryUniqueId", DMP_REPOSITORY),
        (f"{{{XDSB}}}DocumentUniqueId", DOC),
    ]


def test_another_repository_can_be_named() -> None:
    transport = Canned(_plain(b"x"))
    retrieve_document(transport, b"<v/>", DOC, repository="1.2.3")
    assert transport.calls[0].payload.findtext(f".//{{{XDSB}}}RepositoryUniqueId") == "1.2.3"


def test_the_document_of_the_answer_with_its_media_type() -> None:
    answer = _retrieve_answer(base64.b64encode(b"plain text").decode())
    answer = answer.replace(b"<xdsb:mimeType>text/xml", b"<xdsb:mimeType> text/plain ")
    answer = answer.replace(
        f"<xdsb:DocumentUniqueId>{DOC}".encode(), f"<xdsb:DocumentUniqueId> {DOC} ".encode()
    )
    got = retrieve_document(Canned(answer), b"<v/>", DOC)
    assert (got.unique_id, got.media_type, got.content, got.wrapped_in_cda) == (
        DOC,
        "text/plain",
        b"plain text",
        False,
    )


def test_the_document_asked_for_among_several() -> None:
    answer = _plain(b"mine")
    other = (
        "<xdsb:DocumentResponse><xdsb:DocumentUniqueId>1.2.3</xdsb:DocumentUniqueId>"
        f"<xdsb:mimeType>text/plain</xdsb:mimeType><xdsb:Document>{base64.b64encode(b'other').decode()}"
        "</xdsb:Document></xdsb:DocumentResponse>"
    ).encode()
    answer = answer.replace(b"<xdsb:DocumentResponse>", other + b"<xdsb:DocumentResponse>", 1)
    assert retrieve_document(Canned(answer), b"<v/>", DOC).content == b"mine"


def test_another_answer_is_named() -> None:
    _fails(
        b'<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="urn:ihe:iti:xds-b:2007"/>',
        "The DMP's TD3.2 answer is not a RetrieveDocumentSetResponse.",
    )


def test_an_answer_without_registry_response_is_named() -> None:
    answer = _retrieve_answer("x").replace(b"<rs:RegistryResponse", b"<rs:Other")
    answer = answer.replace(b"</rs:RegistryResponse>", b"</rs:Other>")
    _fails(answer, "The DMP's TD3.2 answer has no RegistryResponse.")


def test_an_answer_without_document_is_named() -> None:
    answer = _retrieve_answer("x").replace(b"<xdsb:Document>x</xdsb:Document>", b"")
    _fails(answer, "The DMP's TD3.2 answer has no document.")


def test_a_missing_part_is_named() -> None:
    _fails(
        _retrieve_answer(f'<xop:Include href="{HREF}"/>'),
        "The DMP's TD3.2 answer lacks the document part it refers to.",
    )


def test_an_include_without_href_is_a_missing_part() -> None:
    _fails(
        _retrieve_answer("<xop:Include/>"),
        "The DMP's TD3.2 answer lacks the document part it refers to.",
        {CID: b"x"},
    )


def test_an_answer_for_another_document_is_named() -> None:
    with pytest.raises(DmpAnswerError) as error:
        retrieve_document(Canned(_retrieve_answer("eA==")), b"<v/>", "1.2.3")
    assert error.value.message == "The DMP's TD3.2 answer does not hold the document asked for."


def test_bad_base64_is_named() -> None:
    _fails(
        _retrieve_answer("not base64!"), "The DMP sent a document whose base64 cannot be decoded."
    )


def test_an_empty_inline_document_is_empty() -> None:
    answer = _retrieve_answer("").replace(b"<xdsb:mimeType>text/xml", b"<xdsb:mimeType>text/plain")
    assert retrieve_document(Canned(answer), b"<v/>", DOC).content == b""


def test_base64_across_lines_is_read() -> None:
    # MIME base64 (RFC 2045) wraps at 76 characters; XML may indent it.
    text = base64.b64encode(b"a" * 100).decode()
    answer = _retrieve_answer(f"\n  {text[:76]}\n  {text[76:]}\n")
    answer = answer.replace(b"<xdsb:mimeType>text/xml", b"<xdsb:mimeType>text/plain")
    assert retrieve_document(Canned(answer), b"<v/>", DOC).content == b"a" * 100


@pytest.mark.parametrize(
    ("cda", "message"),
    [
        (
            _level_1(b"x", "text/plain", "TXT"),
            "The DMP sent a CDA whose embedded file is not in base64.",
        ),
        (_level_1(b"x", ""), "The DMP sent a CDA whose embedded file has no media type."),
    ],
    ids=["not base64", "no media type"],
)
def test_a_cda_body_that_cannot_be_read_is_named(cda: bytes, message: str) -> None:
    with pytest.raises(DmpAnswerError) as error:
        unwrap(DOC, cda, "text/xml")
    assert error.value.message == message


def test_a_cda_body_without_representation_is_not_base64() -> None:
    cda = _level_1(b"x", "text/plain").replace(b' representation="B64"', b"")
    with pytest.raises(DmpAnswerError):
        unwrap(DOC, cda, "text/xml")


def test_a_cda_with_an_empty_body_gives_an_empty_file() -> None:
    cda = _level_1(b"", "text/plain")
    got = unwrap(DOC, cda, "text/xml")
    assert (got.content, got.media_type, got.wrapped_in_cda) == (b"", "text/plain", True)


def test_xml_that_is_not_well_formed_is_named() -> None:
    with pytest.raises(DmpAnswerError) as error:
        unwrap(DOC, b"<ClinicalDocument", "application/pdf")
    assert error.value.message == "The DMP sent a document that is not well-formed XML."


def test_a_document_declared_xml_is_parsed_even_without_a_leading_bracket() -> None:
    with pytest.raises(DmpAnswerError):
        unwrap(DOC, b"plain", "application/hl7-v3+xml")


def test_a_cda_after_white_space_is_unwrapped() -> None:
    declaration = b'<?xml version="1.0" encoding="UTF-8"?>'
    cda = b"\n  " + _level_1(b"%PDF", "application/pdf").removeprefix(declaration)
    got = unwrap(DOC, cda, "application/octet-stream")
    assert (got.content, got.media_type) == (b"%PDF", "application/pdf")


def _structured(section: str) -> bytes:
    return (
        '<ClinicalDocument xmlns="urn:hl7-org:v3"><component><structuredBody>'
        f"<component>{section}</component></structuredBody></component></ClinicalDocument>"
    ).encode()


PDF = base64.b64encode(b"%PDF-1.7").decode()


@pytest.mark.parametrize(
    "value",
    [
        f'<value mediaType="text/plain" representation="B64">{PDF}</value>',
        f'<value mediaType="application/pdf" representation="TXT">{PDF}</value>',
    ],
    ids=["another type", "not base64"],
)
def test_a_pdf_copy_section_without_a_base64_pdf_gives_the_xml(value: str) -> None:
    cda = _structured(
        f'<section><templateId root="1.2.250.1.213.1.1.2.243"/><entry>{value}</entry></section>'
    )
    got = unwrap(DOC, cda, "text/xml")
    assert (got.content, got.media_type, got.wrapped_in_cda) == (cda, "text/xml", False)


def test_the_pdf_copy_is_found_among_the_sections_templates() -> None:
    cda = _structured(
        '<section><templateId root="1.2.250.1.213.1.1.2.1"/>'
        '<entry><value mediaType="application/pdf" representation="B64">'
        f"{base64.b64encode(b'no').decode()}</value></entry></section>"
        '</component><component><section><templateId root="1.3.6.1.4.1.19376.1.4.1.2.16"/>'
        '<templateId root="1.2.250.1.213.1.1.2.243"/>'
        '<entry><value mediaType="application/pdf" representation="B64">'
        f"{PDF}</value></entry></section>"
    )
    got = unwrap(DOC, cda, "text/xml")
    assert (got.content, got.media_type, got.wrapped_in_cda) == (
        b"%PDF-1.7",
        "application/pdf",
        True,
    )


def test_a_cda_without_body_is_given_as_xml() -> None:
    cda = b'<ClinicalDocument xmlns="urn:hl7-org:v3"><title>x</title></ClinicalDocument>'
    got = unwrap(DOC, cda, "application/xml")
    assert (got.content, got.media_type, got.wrapped_in_cda) == (cda, "text/xml", False)


def test_the_vihf_goes_with_the_request() -> None:
    transport = Answering(_plain(b"x"))
    retrieve_document(transport, b"<vihf/>", DOC)
    assert transport.vihfs == [b"<vihf/>"]


def test_a_non_ascii_character_in_base64_is_unreadable() -> None:
    _fails(
        _retrieve_answer("YWJj\u00e9"), "The DMP sent a document whose base64 cannot be decoded."
    )


def test_a_character_outside_base64_is_not_skipped() -> None:
    # RFC 4648 §3.3: characters outside the alphabet are an error, not noise to skip.
    _fails(_retrieve_answer("YW*Jj"), "The DMP sent a document whose base64 cannot be decoded.")


def test_a_document_without_media_type_has_none() -> None:
    answer = _plain(b"plain").replace(b"<xdsb:mimeType>text/plain</xdsb:mimeType>", b"")
    got = retrieve_document(Canned(answer), b"<v/>", DOC)
    assert (got.media_type, got.content, got.wrapped_in_cda) == ("", b"plain", False)


def test_a_file_that_is_not_xml_is_not_wrapped() -> None:
    got = unwrap(DOC, b"%PDF-1.4 raw", "application/pdf")
    assert (got.media_type, got.content, got.wrapped_in_cda) == (
        "application/pdf",
        b"%PDF-1.4 raw",
        False,
    )


def test_an_empty_pdf_copy_is_an_empty_pdf() -> None:
    cda = _structured(
        '<section><templateId root="1.2.250.1.213.1.1.2.243"/>'
        '<entry><value mediaType="application/pdf" representation="B64"/></entry></section>'
    )
    got = unwrap(DOC, cda, "text/xml")
    assert (got.content, got.media_type, got.wrapped_in_cda) == (b"", "application/pdf", True)


def test_the_pdf_copy_template_counts_on_a_section_only() -> None:
    # The template identifies the "copie PDF" section [SM §2.2.1], not an entry of another.
    cda = _structured(
        '<section><templateId root="1.2.250.1.213.1.1.2.1"/><entry><observationMedia>'
        '<templateId root="1.2.250.1.213.1.1.2.243"/>'
        f'<value mediaType="application/pdf" representation="B64">{PDF}</value>'
        "</observationMedia></entry></section>"
    )
    got = unwrap(DOC, cda, "text/xml")
    assert (got.media_type, got.wrapped_in_cda) == ("text/xml", False)


def test_xml_that_is_not_a_cda_is_not_wrapped() -> None:
    # An IHE KOS or any other XML document: given as the DMP holds it, with its media type.
    kos = b"<kos xmlns='urn:example'/>"
    got = unwrap(DOC, kos, "application/dicom+xml")
    assert (got.media_type, got.content, got.wrapped_in_cda) == (
        "application/dicom+xml",
        kos,
        False,
    )
