"""The CDA R2 level 1 wrapper of a deposit: its header rules and what it says.

Header (CI-SIS "Structuration minimale" v1.16.8, docs/dmp-sandbox.md "Deposits"):
realmCode FR, typeId POCD_HD000040, the three templateIds, id, code, title, effectiveTime
with a UTC offset, confidentialityCode, languageCode fr-FR, setId, versionNumber, the INS
as the first recordTarget id, author, custodian, legalAuthenticator, serviceEvent with a
performer's practice setting, the encounter's facility type, and a ``nonXMLBody`` whose
``text`` is base64 content of one of the five media types — content checked for what it
claims to be (a PDF that does not parse, text that is markup, are refused).
"""

from __future__ import annotations

import binascii
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pybase64
from lxml import etree

from cardbridge.domain.identifiers import NATIONAL_ID_OID, STRUCTURE_ID_OID
from cardbridge.sandbox.faults import RegistryError
from cardbridge.sandbox.xds_codes import MEDIA_FORMATS

HL7 = "urn:hl7-org:v3"
TEMPLATES = ("2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1", "1.3.6.1.4.1.19376.1.2.20")
_TIME = re.compile(r"(\d{14})([+-]\d{4})")
_METADATA = "XDSRegistryMetadataError"


@dataclass(frozen=True)
class CdaFacts:
    """What the XDS metadata of a CDA document must repeat."""

    unique_id: str
    type_code: tuple[str, str]
    title: str
    creation_time: str  # UTC, YYYYMMDDhhmmss
    confidentiality: str
    patient: tuple[str, str]  # (INS, OID)
    author_id: str
    custodian_id: str
    practice_setting: str
    facility_type: str
    media_type: str
    set_id: str
    version: int


def _h(path: str) -> str:
    return "/".join(f"{{{HL7}}}{part}" for part in path.split("/"))


def _need(root: etree._Element, path: str) -> etree._Element:
    found = root.find(_h(path))
    if found is None or found.get("nullFlavor"):
        raise RegistryError(_METADATA, f"CDA : {path} obligatoire", f"ClinicalDocument/{path}")
    return found


def _attr(root: etree._Element, path: str, name: str) -> str:
    value = _need(root, path).get(name, "")
    if not value:
        raise RegistryError(
            _METADATA, f"CDA : {path}/@{name} obligatoire", f"ClinicalDocument/{path}"
        )
    return value


def _utc(text: str, location: str) -> str:
    match = _TIME.fullmatch(text)
    if match is None:
        raise RegistryError(_METADATA, "date à la seconde avec décalage UTC attendue", location)
    moment = datetime.strptime(text, "%Y%m%d%H%M%S%z")
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def _identifier(element: etree._Element) -> str:
    root, extension = element.get("root", ""), element.get("extension")
    return f"{root}^{extension}" if extension else root


def read_cda(data: bytes) -> tuple[CdaFacts, bytes]:
    """The facts of a CDA R2 level 1 document and its embedded content."""
    try:
        root = etree.fromstring(
            data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        )
    except etree.XMLSyntaxError as error:
        if getattr(error, "code", None) == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
            # libxml2 caps a text node at 10,000,000 characters unless told otherwise
            # (huge_tree, which lifts its other limits too): a PDF of about 7.5 MB.
            raise RegistryError(
                "XDSRepositoryError",
                "document trop volumineux : contenu base64 de plus de 10 000 000 caractères",
                "nonXMLBody/text",
            ) from None
        raise RegistryError(_METADATA, "le document n'est pas un XML lisible", "Document") from None
    if root.tag != f"{{{HL7}}}ClinicalDocument":
        raise RegistryError(_METADATA, "ClinicalDocument attendu", "Document")
    if _attr(root, "realmCode", "code") != "FR":
        raise RegistryError(_METADATA, "realmCode FR attendu", "ClinicalDocument/realmCode")
    if _attr(root, "typeId", "extension") != "POCD_HD000040":
        raise RegistryError(_METADATA, "typeId POCD_HD000040 attendu", "ClinicalDocument/typeId")
    templates = {t.get("root") for t in root.iterfind(_h("templateId"))}
    missing = [t for t in TEMPLATES if t not in templates]
    if missing:
        raise RegistryError(
            _METADATA, f"templateId {missing[0]} absent", "ClinicalDocument/templateId"
        )
    if _attr(root, "languageCode", "code") != "fr-FR":
        raise RegistryError(
            _METADATA, "languageCode fr-FR attendu", "ClinicalDocument/languageCode"
        )
    title = (_need(root, "title").text or "").strip()
    if not title:
        raise RegistryError(_METADATA, "CDA : title vide", "ClinicalDocument/title")
    patient = _need(root, "recordTarget/patientRole/id")
    author = _need(root, "author/assignedAuthor/id")
    custodian = _need(root, "custodian/assignedCustodian/representedCustodianOrganization/id")
    if author.get("root") != NATIONAL_ID_OID or custodian.get("root") != STRUCTURE_ID_OID:
        raise RegistryError(_METADATA, "identifiants nationaux attendus", "ClinicalDocument/author")
    _need(root, "legalAuthenticator/assignedEntity/id")
    _need(root, "documentationOf/serviceEvent/effectiveTime")
    text = _need(root, "component/nonXMLBody/text")
    media_type = text.get("mediaType", "")
    if media_type not in MEDIA_FORMATS or text.get("representation") != "B64":
        raise RegistryError(_METADATA, f"type de contenu {media_type!r} refusé", "nonXMLBody/text")
    try:
        content = decode_base64(text.text or "")
    except (binascii.Error, ValueError):
        raise RegistryError(_METADATA, "contenu base64 illisible", "nonXMLBody/text") from None
    check_content(media_type, content)
    version = _attr(root, "versionNumber", "value")
    facts = CdaFacts(
        unique_id=_identifier(_need(root, "id")),
        type_code=(_attr(root, "code", "code"), _attr(root, "code", "codeSystem")),
        title=title,
        creation_time=_utc(_attr(root, "effectiveTime", "value"), "ClinicalDocument/effectiveTime"),
        confidentiality=_attr(root, "confidentialityCode", "code"),
        patient=(patient.get("extension", ""), patient.get("root", "")),
        author_id=author.get("extension", ""),
        custodian_id=custodian.get("extension", ""),
        practice_setting=_attr(
            root,
            "documentationOf/serviceEvent/performer/assignedEntity/representedOrganization/"
            "standardIndustryClassCode",
            "code",
        ),
        facility_type=_attr(
            root, "componentOf/encompassingEncounter/location/healthCareFacility/code", "code"
        ),
        media_type=media_type,
        set_id=_identifier(_need(root, "setId")),
        version=int(version) if version.isdigit() else 0,
    )
    return facts, content


_WHITESPACE = " \t\r\n"


def decode_base64(encoded: str | bytes) -> bytes:
    """Strict base64 with whitespace (line breaks) allowed between characters.

    Anything else outside the alphabet (non-ASCII included), or padding anywhere but in
    the last quantum (RFC 4648 §4), raises :class:`ValueError` (:class:`binascii.Error`
    mostly): what ``binascii.a2b_base64`` refuses in strict mode, and ``QUJD==`` too. At
    SIMD speed (pybase64), from an element's text as it is: a 5 MB PDF's 7 MB of base64
    took ``binascii`` 16 ms, most of a deposit's work (docs/dmp-sandbox.md, "Performance").
    """
    spaces = _WHITESPACE if isinstance(encoded, str) else _WHITESPACE.encode()
    if any(space in encoded for space in spaces):
        data = encoded.encode("ascii") if isinstance(encoded, str) else encoded
        encoded = data.translate(None, _WHITESPACE.encode())
    return pybase64.b64decode(encoded, validate=True)


_MARKUP = re.compile(rb"<\s*(?:html|body|script|svg|\?xml|!doctype|[a-z]+[^>]*>)", re.IGNORECASE)


def check_content(media_type: str, content: bytes) -> None:
    """Refuse content that is not what its media type says (``XDSRepositoryError``)."""
    if not content:
        raise RegistryError("XDSRepositoryError", "document vide", "nonXMLBody/text")
    if media_type == "application/pdf":
        _check_pdf(content)
    elif media_type == "text/plain":
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise RegistryError(
                "XDSRepositoryError", "texte non UTF-8", "nonXMLBody/text"
            ) from None
        if _MARKUP.search(text.encode()):
            raise RegistryError(
                "XDSRepositoryError", "balisage refusé dans un texte", "nonXMLBody/text"
            )
    else:
        magic = {"text/rtf": b"{\\rtf", "image/jpeg": b"\xff\xd8\xff"}.get(media_type)
        if media_type == "image/tiff":
            valid = content[:4] in (b"II*\x00", b"MM\x00*")
        else:
            valid = magic is not None and content.startswith(magic)
        if not valid:
            raise RegistryError(
                "XDSRepositoryError", f"le contenu n'est pas {media_type}", "nonXMLBody/text"
            )


def _check_pdf(content: bytes) -> None:
    from pypdf import PdfReader  # noqa: PLC0415 - only deposits need it
    from pypdf.errors import PdfReadError  # noqa: PLC0415

    unreadable = RegistryError("XDSRepositoryError", "PDF illisible", "nonXMLBody/text")
    try:
        pages = len(PdfReader(io.BytesIO(content), strict=True).pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        raise unreadable from None
    if pages < 1:
        raise unreadable
