"""Deposit preparation: formats by content, limits, catalogue codes, metadata."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from cardbridge.dmp.catalogue import DOCUMENT_TYPES, DocumentFormat
from cardbridge.dmp.documents import (
    CodedValue,
    DepositForm,
    DocumentAuthor,
    check_file,
    prepare_metadata,
)
from cardbridge.dmp.formats import DetectedFormat, TextEncoding, detect_format, named_format
from cardbridge.errors import InvalidInputError
from testkit.sample_files import image, pdf, pdf_of_size

SAMPLES = {
    DocumentFormat.PDF: pdf(),
    DocumentFormat.JPEG: image("JPEG"),
    DocumentFormat.TIFF: image("TIFF"),
    DocumentFormat.RTF: b"{\\rtf1\\ansi Compte rendu}",
    DocumentFormat.TEXT: "Compte rendu : tension 12/8, à revoir.\n".encode(),
}
FORM: dict[str, Any] = {
    "title": "Compte rendu de consultation",
    "document_date": "2026-11-20",
    "type": "11488-4",
    "event_start": "2026-11-20",
}


@pytest.mark.parametrize(("fmt", "content"), SAMPLES.items())
def test_formats_recognised_by_content(fmt: DocumentFormat, content: bytes) -> None:
    assert detect_format(content).format is fmt


FRENCH = "Compte rendu : tension élevée, à revoir ; coût 20 € (œdème).\r\n\tFin.\f"


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (FRENCH.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + FRENCH.encode("utf-8"), "utf-8"),
        (FRENCH.encode("cp1252"), "windows-1252"),
        ("TA < 12/8, glycémie > 1,2 g/L".encode("cp1252"), "windows-1252"),
    ],
)
def test_plain_text_in_utf8_or_windows_1252(content: bytes, encoding: TextEncoding) -> None:
    assert detect_format(content) == DetectedFormat(DocumentFormat.TEXT, encoding)


def test_windows_1252_text_reads_back_as_written() -> None:
    content = FRENCH.encode("cp1252")
    detected = detect_format(content)
    assert detected.text_encoding is not None
    assert content.decode(detected.text_encoding) == FRENCH


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(20), "not a PDF, JPEG, TIFF, RTF or plain-text"),
        (b"abc\x00def", "not a PDF"),
        ("Résultat\x1b[31m".encode("cp1252"), "not a PDF"),  # an escape sequence
        (b"R\xe9sultat \x81", "not a PDF"),  # a byte Windows-1252 leaves undefined
        ("Résultat \u0085".encode(), "not a PDF"),  # a C1 control character
        ("Compte rendu".encode("utf-16"), "UTF-16"),
        (b"<!DOCTYPE html>\n<html><body>CR</body></html>", "web markup"),
        (b"  \n<HTML>\n<p>CR</p>", "web markup"),
        (b"<p>Compte rendu</p>", "web markup"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "web markup"),
        (b'<?xml version="1.0"?><ClinicalDocument/>', "web markup"),
        (b"<!-- note -->Compte rendu", "web markup"),
        ("Compte rendu.\n<script>alert('x')</script>".encode("cp1252"), "web markup"),
        (b"CR\n< iframe src='https://evil.example'>", "web markup"),
        (b"#!/bin/sh\necho compte rendu\n", "a program"),
        (b"Compte rendu <img src=x onerror=alert(1)>", "web markup"),
        (b"CR <a href='#' onclick = 'x()'>ici</a>", "web markup"),
        (b'Compte rendu\n<?xml-stylesheet href="x.xsl"?>', "web markup"),
        (b"\xef\xbb\xbf", "empty"),  # a UTF-8 byte order mark alone
        (b" \n\t\r\n", "empty"),
    ],
)
def test_other_content_is_refused_with_its_reason(content: bytes, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message) as caught:
        detect_format(content)
    assert caught.value.field == "file"


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="empty") as caught:
        check_file(b"")
    assert caught.value.field == "file"


def test_the_size_limit_is_the_dmps_5_mb_of_5_000_000_bytes() -> None:
    """The DMP's "5 Mo", read as 5,000,000 bytes (docs/domain.md §4); it used to be 5 MiB,
    and a body over it was refused naming "6 MiB"."""
    assert check_file(pdf_of_size(5_000_000)).format is DocumentFormat.PDF
    with pytest.raises(InvalidInputError) as caught:
        check_file(pdf_of_size(5_000_001))
    assert caught.value.field == "file"
    assert caught.value.message == (
        "file: the file is 5.0 MB (5,000,001 bytes); the DMP accepts at most 5 MB (5,000,000 bytes)"
    )
    with pytest.raises(InvalidInputError, match=r"5\.2 MB \(5,242,880 bytes\)"):
        check_file(b"%PDF-" + bytes(5 * 1024 * 1024 - 5))  # 5 MiB: over the DMP's 5 MB


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-" + bytes(1000), "PDF"),  # judged by its first bytes only, it passed
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "PDF"),  # no xref, no page
        (pdf()[: len(pdf()) // 2], "PDF"),  # cut in the middle
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32), "JPEG"),
        (image("JPEG", size=(640, 480))[:-400], "JPEG"),  # truncated
        (b"II*\x00\x08\x00\x00\x00" + bytes(16), "TIFF"),
        (image("TIFF", pages=3)[:-2000], "TIFF"),  # its last page cut
    ],
)
def test_a_file_that_only_starts_like_a_pdf_jpeg_or_tiff_is_refused(
    content: bytes, kind: str
) -> None:
    with pytest.raises(InvalidInputError, match=f"starts like a {kind} but cannot be read") as e:
        detect_format(content)
    assert e.value.field == "file"


def test_jpeg_and_tiff_of_every_page_open_with_pillow() -> None:
    assert detect_format(image("JPEG", size=(2480, 3508))).format is DocumentFormat.JPEG
    assert detect_format(image("TIFF", pages=3)).format is DocumentFormat.TIFF


def test_an_image_too_large_to_decode_is_refused_before_decoding() -> None:
    # 8000 × 6000 = 48 million pixels, a few kilobytes of TIFF (uniform, compressed).
    from PIL import Image  # noqa: PLC0415 - the test's own builder

    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="TIFF", compression="group4")
    with pytest.raises(InvalidInputError, match="8000 × 6000 pixels") as caught:
        detect_format(out.getvalue())
    assert caught.value.field == "file"


def test_an_encrypted_pdf_is_refused() -> None:
    from pypdf import PdfReader, PdfWriter  # noqa: PLC0415 - the test's own builder

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf())))
    writer.encrypt(user_password="", owner_password="secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(InvalidInputError, match="protected") as caught:
        detect_format(out.getvalue())
    assert caught.value.field == "file"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("PHOTO.JPG", DocumentFormat.JPEG),
        ("scan.tif", DocumentFormat.TIFF),
        ("cr.docx", None),
        ("notes", None),
        ("archive.tar.pdf", DocumentFormat.PDF),
    ],
)
def test_named_format_from_the_extension(name: str, expected: DocumentFormat | None) -> None:
    assert named_format(name) is expected


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": "  "}, "title", "mandatory"),
        ({"document_date": None}, "document_date", "YYYY-MM-DD"),
        ({"document_date": "0"}, "document_date", "YYYY-MM-DD"),
        ({"event_start": 0}, "event_start", "YYYY-MM-DD"),
        ({"document_date": "2026-02-30"}, "document_date", "valid date"),
        ({"document_date": str(date.today() + timedelta(days=2))}, "document_date", "future"),
        ({"comment": "x" * 1001}, "comment", "at most 1000"),
        ({"type": "00000-0"}, "type", "not a document type"),
        ({"type": "Bilan de psychologie"}, "type", "not a document type"),
        ({"visibility": "SECRET"}, "visibility", "Input should be"),
        ({"event_start": None}, "event_start", "YYYY-MM-DD"),
    ],
)
def test_form_refusals_name_the_field(change: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DepositForm(**{**FORM, **change})
    error = caught.value.errors()[0]
    assert error["loc"] == (field,)
    assert message in error["msg"]


def test_event_end_not_before_start() -> None:
    with pytest.raises(ValidationError) as caught:
        DepositForm(**FORM, event_end="2026-11-19")
    (error,) = caught.value.errors()
    assert error["loc"] == ("event_end",)
    assert error["msg"] == "the event ends before it starts (event_start)"
    assert DepositForm(**FORM, event_end="2026-11-20").event_end == date(2026, 11, 20)


def test_future_event_dates_are_refused() -> None:
    tomorrow = str(date.today() + timedelta(days=1))
    for field in ("event_start", "event_end", "document_date"):
        with pytest.raises(ValidationError) as caught:
            DepositForm(**{**FORM, "event_end": None, field: tomorrow})
        (error,) = caught.value.errors()
        assert error["loc"] == (field,)
        assert "is in the future" in error["msg"]
    today = str(date.today())
    form = DepositForm(**{**FORM, "document_date": today, "event_start": today, "event_end": today})
    assert form.event_end == date.today()


# The DMP's type value set JDV_J66, as the ANS correspondence ASS_X16 (types → classes,
# restricted to the DMP's value sets, version 2024-02-23) lists it, with the labels of
# JDV_J07 (ANS terminology IG 1.12.0): the three types the form refused for want of a code.
J66_CODES = {
    "Bilan psychologique": ("83901-9", "11"),
    "Formulaire de conciliation médicamenteuse (Hôpital)": ("80820-4", "11"),
    "Grille d'évaluation médico-social": ("34842-5", "11"),
}


def test_the_three_types_without_a_code_have_their_jdv_j66_codes() -> None:
    by_label = {entry.label: entry for entry in DOCUMENT_TYPES}
    for label, (code, class_code) in J66_CODES.items():
        entry = by_label[label]
        assert (entry.code, entry.class_code, entry.known) == (code, class_code, True)
        assert DepositForm(**{**FORM, "type": label}).type == label


def test_every_type_of_the_catalogue_is_accepted() -> None:
    for entry in DOCUMENT_TYPES:
        assert entry.known
        assert DepositForm(**{**FORM, "type": entry.code}).type == entry.code


AUTHOR = DocumentAuthor(
    national_id="810001234567",
    last_name="LE QUINIO",
    first_name="PIERRE",
    profession=CodedValue(code="10", system="1.2.250.1.71.1.2.7", display="Médecin"),
    specialty=None,
    structure_id="499700735741008",
    structure_name="CABINET",
    sector="SA07",
)


def test_metadata() -> None:
    author = AUTHOR
    content = SAMPLES[DocumentFormat.PDF]
    now = datetime(2026, 11, 20, 10, tzinfo=UTC)
    metadata = prepare_metadata(
        DepositForm(**FORM, visibility="MASQUE_PS"),
        "cr.pdf",
        content,
        patient_cx="295109912611193^^^&1.2.250.1.213.1.4.8&ISO^NH",
        author=author,
        now=now,
    )
    assert metadata.type_code.code == "11488-4"
    assert metadata.type_code.system == "2.16.840.1.113883.6.1"
    assert metadata.class_code.code == "10"
    assert metadata.format_code.code == "urn:ihe:iti:xds-sd:pdf:2008"
    assert [c.code for c in metadata.confidentiality_codes] == ["MASQUE_PS"]
    assert metadata.mime_type == "application/pdf"
    assert metadata.size == len(content)
    assert metadata.hash == hashlib.sha1(content).hexdigest()
    assert metadata.sha256 == hashlib.sha256(content).hexdigest()
    assert metadata.creation_time == date(2026, 11, 20)
    assert metadata.unique_id.startswith("2.25.")
    assert (metadata.detected_format, metadata.named_format) == ("pdf", "pdf")
    assert metadata.text_encoding is None


@pytest.mark.parametrize(
    ("name", "content", "detected", "named", "encoding"),
    [
        ("cr.txt", SAMPLES[DocumentFormat.PDF], "pdf", "txt", None),
        ("scan", SAMPLES[DocumentFormat.JPEG], "jpeg", None, None),
        ("cr.docx", FRENCH.encode("cp1252"), "txt", None, "windows-1252"),
        ("cr.pdf", FRENCH.encode(), "txt", "pdf", "utf-8"),
    ],
)
def test_the_content_decides_whatever_the_name(
    name: str, content: bytes, detected: str, named: str | None, encoding: str | None
) -> None:
    metadata = prepare_metadata(
        DepositForm(**FORM),
        name,
        content,
        patient_cx="295109912611193^^^&1.2.250.1.213.1.4.8&ISO^NH",
        author=AUTHOR,
        now=datetime(2026, 11, 20, 10, tzinfo=UTC),
    )
    assert metadata.detected_format == detected
    assert metadata.named_format == named
    assert metadata.text_encoding == encoding
    assert metadata.mime_type == DocumentFormat(detected).mime_type
