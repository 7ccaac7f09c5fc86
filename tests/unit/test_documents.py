"""Deposit preparation: formats by content, limits, catalogue codes, metadata."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from cardbridge.dmp.catalogue import DOCUMENT_TYPES, DocumentFormat
from cardbridge.dmp.documents import (
    MAX_DOCUMENT_BYTES,
    CodedValue,
    DepositForm,
    DocumentAuthor,
    check_file,
    detect_format,
    prepare_metadata,
)
from cardbridge.errors import InvalidInputError

SAMPLES = {
    DocumentFormat.PDF: b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
    DocumentFormat.JPEG: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32),
    DocumentFormat.TIFF: b"II*\x00\x08\x00\x00\x00" + bytes(16),
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
    assert detect_format(content) is fmt


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cr.pdf", b"", "empty"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + bytes(20), "not a PDF, JPEG"),
        ("cr.pdf", SAMPLES[DocumentFormat.JPEG], "named .pdf but its content is JPEG"),
        ("cr.docx", SAMPLES[DocumentFormat.PDF], "must end in"),
        ("notes", SAMPLES[DocumentFormat.TEXT], "must end in"),
        ("binary.txt", b"abc\x00def", "not a PDF"),
        ("big.pdf", b"%PDF-" + bytes(MAX_DOCUMENT_BYTES), "at most 5 MB"),
    ],
)
def test_refused_files_name_the_field(name: str, content: bytes, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message) as caught:
        check_file(name, content)
    assert caught.value.field == "file"


def test_extensions_are_case_insensitive_and_aliases_work() -> None:
    assert check_file("PHOTO.JPG", SAMPLES[DocumentFormat.JPEG]) is DocumentFormat.JPEG
    assert check_file("scan.tif", SAMPLES[DocumentFormat.TIFF]) is DocumentFormat.TIFF
    assert check_file("max.pdf", b"%PDF-" + bytes(MAX_DOCUMENT_BYTES - 5)) is DocumentFormat.PDF


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
        ({"type": "Bilan psychologique"}, "type", "official code of 'Bilan psychologique'"),
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


def test_every_flagged_type_is_refused_and_every_known_type_accepted() -> None:
    for entry in DOCUMENT_TYPES:
        if entry.known:
            assert DepositForm(**{**FORM, "type": entry.code}).type == entry.code
        else:
            with pytest.raises(ValidationError, match="not known yet"):
                DepositForm(**{**FORM, "type": entry.label})


def test_metadata() -> None:
    author = DocumentAuthor(
        national_id="810001234567",
        last_name="LE QUINIO",
        first_name="PIERRE",
        profession=CodedValue(code="10", system="1.2.250.1.71.1.2.7", display="Médecin"),
        specialty=None,
        structure_id="499700735741008",
        structure_name="CABINET",
        sector="SA07",
    )
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
