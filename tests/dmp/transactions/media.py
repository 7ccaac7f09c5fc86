"""Small documents of each format the DMP takes, written by hand."""

from __future__ import annotations

import io
import struct

from PIL import Image

from tests.support.dmp_documents import minimal_pdf

TEXT = "Consultation du 2 décembre.\nTension 12/8, pas de changement de traitement.\n"
RTF = b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Helvetica;}}\\f0 Compte rendu de consultation.}"


def jpeg() -> bytes:
    """An 8×8 JPEG written by Pillow (the bridge opens a JPEG before depositing it)."""
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 120, 120)).save(picture, "JPEG")
    return picture.getvalue()


def tiff() -> bytes:
    """A 1×1 8-bit grey uncompressed little-endian TIFF."""
    entries = [
        (256, 3, 1, 1),  # ImageWidth
        (257, 3, 1, 1),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample
        (259, 3, 1, 1),  # Compression: none
        (262, 3, 1, 1),  # PhotometricInterpretation: BlackIsZero
        (273, 4, 1, 8 + 2 + 12 * 9 + 4),  # StripOffsets: right after the IFD
        (277, 3, 1, 1),  # SamplesPerPixel
        (278, 3, 1, 1),  # RowsPerStrip
        (279, 4, 1, 1),  # StripByteCounts
    ]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack("<HHII", tag, kind, count, value)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + b"\x80"


def pdf() -> bytes:
    return minimal_pdf("Compte rendu de consultation")
