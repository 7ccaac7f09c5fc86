"""The format of a document, decided by its content alone.

PDF, JPEG, TIFF and RTF are recognised by their first bytes. Anything else must be
plain text: UTF-8 (with or without BOM) or, as Windows editors still save it,
Windows-1252 — accepted only when it decodes cleanly and holds no control character
besides tab, CR, LF and form feed, and not empty. Text that is really markup (an HTML
page, an SVG or XML image, a ``<script>``, an event handler attribute) or a program
(``#!``) is refused: a viewer could run it.
The file name plays no part; what it suggested is only reported.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from cardbridge.dmp.catalogue import EXTENSIONS, DocumentFormat
from cardbridge.errors import InvalidInputError

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
_ACCEPTED = "PDF, JPEG, TIFF, RTF or plain-text document"


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
            return DetectedFormat(found)
    if content.startswith(_UTF16_BOMS):
        raise _refused(
            "the text is in UTF-16; save it as UTF-8 (or Windows-1252) plain text, or as PDF"
        )
    decoded = _decode(content)
    if decoded is None or any(
        unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS for ch in decoded[0]
    ):
        raise _refused(f"the file is not a {_ACCEPTED}")
    text, encoding = decoded
    start = text.lstrip()
    if not start:
        raise _refused("the file is empty (or holds only blank space)")
    if _MARKUP_START.match(start) or _ACTIVE_MARKUP.search(text):
        raise _refused(
            "the file is web markup (HTML, SVG or XML), not plain text: a viewer could run "
            "what it holds. Save the document as PDF"
        )
    if start.startswith("#!"):
        raise _refused("the file is a program (it starts with #!), not a document")
    return DetectedFormat(DocumentFormat.TEXT, encoding)


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


def _refused(message: str) -> InvalidInputError:
    return InvalidInputError(message, field="file")
