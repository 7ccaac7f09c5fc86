"""Small documents of each format the DMP takes, written by hand."""

from __future__ import annotations

import struct

from tests.support.dmp_documents import minimal_pdf

TEXT = "Consultation du 2 décembre.\nTension 12/8, pas de changement de traitement.\n"
RTF = b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Helvetica;}}\\f0 Compte rendu de consultation.}"


def jpeg() -> bytes:
    """A 1×1 grey baseline JPEG: one quantization table, one-code Huffman tables, and a
    scan holding a DC difference of 0 and an end of block."""
    quantization = b"\xff\xdb\x00\x43\x00" + b"\x01" * 64
    frame = b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"
    one_code = b"\x01" + b"\x00" * 15 + b"\x00"
    huffman = b"\xff\xc4\x00\x14\x00" + one_code + b"\xff\xc4\x00\x14\x10" + one_code
    scan = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x3f"
    return b"\xff\xd8" + quantization + frame + huffman + scan + b"\xff\xd9"


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
