"""The format of a document, decided by its content alone.

PDF, JPEG, TIFF and RTF are recognised by their first bytes; a PDF must then open with
pypdf (its cross-reference table, trailer and pages read; not encrypted, which PDF/A
forbids), a JPEG or TIFF must decode with Pillow (every page of a TIFF), so that a file
that only starts like one is refused. RTF is checked by its first bytes. Anything else must be
plain text: UTF-8 (with or without BOM) or, as Windows editors still save it,
Windows-1252 — accepted only when it decodes cleanly and holds no control character
besides tab, CR, LF and form feed, and not empty. Text that is really markup (an HTML
page, an SVG or XML image, a ``<script>``, an event handler attribute) or a program
(``#!``) is refused: a viewer could run it.
The file name plays no part; what it suggested is only reported.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from cardbridge.dmp.catalogue import EXTENSIONS, DocumentFormat
from cardbridge.errors import InvalidInputError
from cardbridge.messages import Text
from cardbridge.messages import inputs as say

if TYPE_CHECKING:
    from PIL.ImageFile import ImageFile

TextEncoding = Literal["utf-8", "windows-1252"]

_SIGNATURES = (
    (b"%PDF-", DocumentFormat.PDF),
    (b"\xff\xd8\xff", DocumentFormat.JPEG),
    (b"II*\x00", DocumentFormat.TIFF),
    (b"MM\x00*", DocumentFormat.TIFF),
    (b"{\\rtf", DocumentFormat.RTF),
)
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_TEXT_CONTROLS = frozenset("\t\n\r\f")
# What starts an HTML document for a browser's sniffing (WHATWG MIME Sniffing §7.1),
# plus XML and SVG.
_MARKUP_START = re.compile(
    r"<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p"
    r"|svg|\?xml)[\s>/]|<!--",
    re.IGNORECASE,
)
# Elements that run or pull in code, wherever they are, event handler attributes
# (``<img src=x onerror=…>``) and XML processing instructions (``<?xml-stylesheet …?>``).
_ACTIVE_MARKUP = re.compile(
    r"<\s*(?:script|iframe|object|embed|svg|html|body|meta|link|form|img|image)\b"
    r"|<[a-z][^>]*\son[a-z]+\s*="
    r"|<\?xml",
    re.IGNORECASE,
)
_ACCEPTED = Text(
    "document PDF, JPEG, TIFF, RTF ou texte brut", "PDF, JPEG, TIFF, RTF or plain-text document"
)
# An image is refused above this many pixels before it is decoded: a 5 MB file can
# describe gigapixels. An A4 page scanned at 600 dpi has 35 million. Ours.
MAX_IMAGE_PIXELS = 40_000_000
# Pages of a TIFF decoded at most (a scanned document of 200 pages is already rare). Ours.
MAX_TIFF_PAGES = 200
_PILLOW_FORMATS = {DocumentFormat.JPEG: "JPEG", DocumentFormat.TIFF: "TIFF"}


@dataclass(frozen=True, slots=True)
class DetectedFormat:
    """What the content is: its format, and for text the encoding it was read in."""

    format: DocumentFormat
    text_encoding: TextEncoding | None = None


def named_format(filename: str) -> DocumentFormat | None:
    """The format the file name's extension suggests (``None``: none it knows)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return EXTENSIONS.get(extension)


def detect_format(content: bytes) -> DetectedFormat:
    """The accepted format of ``content``; :class:`InvalidInputError` (``file``) if none."""
    for signature, found in _SIGNATURES:
        if content.startswith(signature):
            if found is DocumentFormat.PDF:
                _check_pdf(content)
            elif found in _PILLOW_FORMATS:
                _check_image(content, found)
            return DetectedFormat(found)
    if content.startswith(_UTF16_BOMS):
        raise _refused(say.FILE_UTF16)
    decoded = _decode(content)
    if decoded is None or any(
        unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS for ch in decoded[0]
    ):
        raise _refused(say.FILE_FORMAT.format(accepted=_ACCEPTED))
    text, encoding = decoded
    start = text.lstrip()
    if not start:
        raise _refused(say.FILE_BLANK)
    if _MARKUP_START.match(start) or _ACTIVE_MARKUP.search(text):
        raise _refused(say.FILE_MARKUP)
    if start.startswith("#!"):
        raise _refused(say.FILE_PROGRAM)
    return DetectedFormat(DocumentFormat.TEXT, encoding)


def _damaged(name: str) -> InvalidInputError:
    return _refused(say.FILE_DAMAGED.format(name=name))


def _check_pdf(content: bytes) -> None:
    """Open the PDF with pypdf: cross-reference table, trailer, catalogue, every page."""
    from pypdf import PdfReader  # noqa: PLC0415 - loaded at the first deposit only

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else sum(1 for page in reader.pages if page.mediabox)
    # A parser of bytes from outside may fail in any way; each way means "not a PDF we can
    # deposit".
    except Exception:
        raise _damaged("PDF") from None
    if encrypted:
        raise _refused(say.PDF_ENCRYPTED)
    if pages == 0:
        raise _refused(say.PDF_NO_PAGE)


def _check_image(content: bytes, found: DocumentFormat) -> None:
    """Decode the JPEG or every page of the TIFF with Pillow, after checking their size."""
    from PIL import Image  # noqa: PLC0415 - loaded at the first deposit only

    name = _PILLOW_FORMATS[found]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[name]) as image:
                _decode_pages(image, found)
    except InvalidInputError:
        raise
    except Exception:  # see _check_pdf
        raise _damaged(name) from None


def _decode_pages(image: ImageFile, found: DocumentFormat) -> None:
    name = _PILLOW_FORMATS[found]
    pages = getattr(image, "n_frames", 1)
    if pages > MAX_TIFF_PAGES:
        raise _refused(say.TOO_MANY_PAGES.format(name=name, pages=pages, maximum=MAX_TIFF_PAGES))
    for page in range(pages):
        image.seek(page)
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise _refused(
                say.IMAGE_TOO_LARGE.format(
                    width=width, height=height, millions=MAX_IMAGE_PIXELS // 1_000_000
                )
            )
        if found is DocumentFormat.JPEG:
            # Decoded at 1/8 scale: every byte is still read, in 1/64 of the memory.
            image.draft(image.mode, (width // 8, height // 8))
        image.load()


def _decode(content: bytes) -> tuple[str, TextEncoding] | None:
    """The text of ``content`` read as UTF-8, else as Windows-1252; ``None``: neither."""
    try:
        return content.removeprefix(_UTF8_BOM).decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Strict: the five bytes Windows-1252 leaves undefined make it fail.
        return content.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return None


def _refused(message: Text) -> InvalidInputError:
    return InvalidInputError(message, field="file")
