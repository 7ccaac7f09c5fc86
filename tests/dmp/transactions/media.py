"""Small documents of each format the DMP takes: text and RTF written by hand, images by
Pillow (the deposit form decodes them with Pillow)."""

from __future__ import annotations

from testkit.dmp_documents import minimal_pdf
from testkit.sample_files import image

TEXT = "Consultation du 2 décembre.\nTension 12/8, pas de changement de traitement.\n"
RTF = b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Helvetica;}}\\f0 Compte rendu de consultation.}"


def jpeg() -> bytes:
    """A JPEG written by Pillow (the form opens images with Pillow)."""
    return image("JPEG")


def tiff() -> bytes:
    """A TIFF written by Pillow."""
    return image("TIFF")


def pdf() -> bytes:
    return minimal_pdf("Compte rendu de consultation")
