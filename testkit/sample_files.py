"""Documents to deposit, written by third-party software (pypdf, Pillow), not by cardbridge."""

from __future__ import annotations

import io
from functools import cache

from PIL import Image
from pypdf import PdfWriter


@cache
def pdf() -> bytes:
    """A one-page A4 PDF."""
    return pdf_of_size(None)


def pdf_of_size(size: int | None) -> bytes:
    """A valid one-page PDF of exactly ``size`` bytes (an attached file fills it)."""
    filler = 0
    for _ in range(4):  # the offsets' digits grow with the filler: converges in two rounds
        writer = PdfWriter()
        writer.add_blank_page(595, 842)
        if size is not None:
            writer.add_attachment("filler.bin", bytes(filler))
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
        if size is None or len(data) == size:
            return data
        filler += size - len(data)
    raise AssertionError(f"no PDF of exactly {size} bytes")


def image(kind: str, *, size: tuple[int, int] = (64, 48), pages: int = 1) -> bytes:
    """A JPEG or (multi-page) TIFF image."""
    frames = [Image.new("RGB", size, (40 * n % 256, 120, 200)) for n in range(pages)]
    out = io.BytesIO()
    frames[0].save(out, format=kind, save_all=pages > 1, append_images=frames[1:])
    return out.getvalue()
