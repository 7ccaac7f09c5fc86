"""What a DMP document deposit may be: types, formats and visibility codes.

Document types are the deposit form's list (docs/domain.md §4) with their codes: LOINC
unless the code is from TRE_A05, each in the DMP's type value set JDV_J66. Each type's
class (TRE_A03 ClasseDocument, 1.2.250.1.213.1.1.4.1) is the one the ANS correspondence
ASS_X16 (type → class, restricted to the DMP's value sets) gives. A type whose official
code were not known would be kept in the catalogue, flagged (``code is None``), and
refused with a clear error rather than sent with an invented code; none is today.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

LOINC_OID = "2.16.840.1.113883.6.1"
TRE_A05_OID = "1.2.250.1.213.1.1.4.12"
CLASS_OID = "1.2.250.1.213.1.1.4.1"
VISIBILITY_OID = "1.2.250.1.213.1.1.4.13"

CLASSES = MappingProxyType(
    {
        "10": "Compte rendu",
        "11": "Synthèse",
        "31": "Imagerie",
        "42": "Prescription",
        "43": "Dispensation",
        "44": "Plan de soins, protocole de soins",
        "45": "Traitement administré",
        "52": "Certificat, déclaration",
    }
)


@dataclass(frozen=True, slots=True)
class DocumentType:
    """An entry of the deposit form's list."""

    label: str
    code: str | None
    system: str
    class_code: str

    @property
    def known(self) -> bool:
        return self.code is not None


def _loinc(label: str, code: str | None, class_code: str) -> DocumentType:
    return DocumentType(label, code, LOINC_OID, class_code)


DOCUMENT_TYPES: tuple[DocumentType, ...] = (
    DocumentType("Synthèse", "SYNTH", TRE_A05_OID, "11"),
    _loinc("Synthèse d'épisode de soins", "34133-9", "11"),
    _loinc("Synthèse du dossier médical", "60591-5", "11"),
    _loinc("Bilan de santé et de prévention de l'enfant", "68817-6", "11"),
    _loinc("Synthèse psychiatrique", "68599-0", "11"),
    _loinc("Bilan psychologique", "83901-9", "11"),
    _loinc("Note de transfert (dont lettre de liaison à l'entrée)", "18761-7", "11"),
    _loinc("Bilan médicamenteux (Officine)", "56445-0", "11"),
    _loinc("Formulaire de conciliation médicamenteuse (Hôpital)", "80820-4", "11"),
    _loinc("Dossier de liaison d'urgence", "74207-2", "11"),
    _loinc("Grille d'évaluation médico-social", "34842-5", "11"),
    _loinc("Schéma dentaire", "83836-7", "11"),
    _loinc("CR d'administration de médicaments", "80565-5", "45"),
    _loinc("CR ou fiche de suivi de soins par auxiliaire médical", "11506-3", "10"),
    _loinc("Dispensation médicamenteuse", "60593-1", "43"),
    DocumentType("Dispensation (autre)", "DISP_AUT", TRE_A05_OID, "43"),
    _loinc("Plan personnalisé de soins", "18776-5", "44"),
    _loinc("CR de consultation", "11488-4", "10"),
    _loinc("CR hospitalier", "34112-3", "10"),
    _loinc("Lettre de liaison à la sortie", "11490-0", "10"),
    _loinc("CR de biologie", "11502-2", "10"),
    _loinc("CR de passage aux urgences", "15507-7", "10"),
    _loinc("CR opératoire", "34874-8", "10"),
    _loinc("CR d'imagerie", "18748-4", "31"),
    _loinc("Prescription de produits de santé", "57833-6", "42"),
    _loinc("Note de vaccination", "87273-9", "52"),
)

TYPES_BY_CODE = MappingProxyType({t.code: t for t in DOCUMENT_TYPES if t.code is not None})
TYPES_BY_LABEL = MappingProxyType({t.label: t for t in DOCUMENT_TYPES})


class DocumentFormat(StrEnum):
    """Accepted file formats, recognised by content."""

    PDF = "pdf"
    JPEG = "jpeg"
    TEXT = "txt"
    RTF = "rtf"
    TIFF = "tiff"

    @property
    def format_code(self) -> str:
        return _FORMAT_CODES[self]

    @property
    def mime_type(self) -> str:
        return _MIME_TYPES[self]


_FORMAT_CODES = {
    DocumentFormat.PDF: "urn:ihe:iti:xds-sd:pdf:2008",
    DocumentFormat.TEXT: "urn:ihe:iti:xds-sd:text:2008",
    DocumentFormat.JPEG: "urn:ihe:iti-fr:xds-sd:jpeg:2010",
    DocumentFormat.RTF: "urn:ihe:iti-fr:xds-sd:rtf:2010",
    DocumentFormat.TIFF: "urn:ihe:iti-fr:xds-sd:tiff:2010",
}
_MIME_TYPES = {
    DocumentFormat.PDF: "application/pdf",
    DocumentFormat.TEXT: "text/plain",
    DocumentFormat.JPEG: "image/jpeg",
    DocumentFormat.RTF: "text/rtf",
    DocumentFormat.TIFF: "image/tiff",
}
# File name extensions that may name each format.
EXTENSIONS = MappingProxyType(
    {
        "pdf": DocumentFormat.PDF,
        "jpeg": DocumentFormat.JPEG,
        "jpg": DocumentFormat.JPEG,
        "txt": DocumentFormat.TEXT,
        "rtf": DocumentFormat.RTF,
        "tif": DocumentFormat.TIFF,
        "tiff": DocumentFormat.TIFF,
    }
)


class Visibility(StrEnum):
    """Who may see the document (code system 1.2.250.1.213.1.1.4.13)."""

    NORMAL = "N"
    HIDDEN_FROM_PROFESSIONALS = "MASQUE_PS"
    INVISIBLE_TO_PATIENT = "INVISIBLE_PATIENT"
    INVISIBLE_TO_LEGAL_REPRESENTATIVES = "INVISIBLE_REPRESENTANTS_LEGAUX"
