"""The CDA R2 level 1 wrapper of a deposited document ("CDA R2 niveau 1", IHE XDS-SD).

The header follows the CI-SIS "Structuration minimale" rules (docs/dmp-client.md,
"Deposit (TD2.1)"): realm FR, typeId, the three templateIds, id (the document's uniqueId),
code (its type), title, effectiveTime to the second with the UTC offset, confidentiality
N, language fr-FR, setId and versionNumber; the patient (INS with its OID first, birth
names, sex, birth date); the author and its structure from the CPS and the practice
situation; custodian; legal authenticator; the care event's dates with the practice
setting (cadre d'exercice); the encounter's healthcare facility type; the document in a
``nonXMLBody`` as base64 with its media type. The XDS metadata of the deposit repeat
this header (cardbridge/dmp/transactions/document_entry.py).

The header is built with lxml; the document's base64 (megabytes, which need no XML
escaping) is spliced in as bytes, in the serialized CDA and in its exclusive canonical
form, whose SHA-256 the XAdES manifest signs: neither lxml nor a re-parse ever holds it
(docs/dmp-client.md, "Deposit (TD2.1)", "The deposit's cost").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from lxml import etree

from cardbridge.cards.models import Beneficiary
from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.results import PatientCandidate
from cardbridge.dmp.transactions.ebrim import Code
from cardbridge.dmp.transactions.submission import Author
from cardbridge.domain.identifiers import NATIONAL_ID_OID, STRUCTURE_ID_OID
from cardbridge.domain.nir import parse_nir

HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
TEMPLATES = ("2.16.840.1.113883.2.8.2.1", "1.2.250.1.213.1.1.1.1", "1.3.6.1.4.1.19376.1.2.20")
CONFIDENTIALITY_OID = "2.16.840.1.113883.5.25"
GENDER_OID = "2.16.840.1.113883.5.1"
PRACTICE_SETTING_OID = "1.2.250.1.213.1.1.4.9"
MEDIA_TYPES = frozenset({"application/pdf", "text/plain", "text/rtf", "image/jpeg", "image/tiff"})
Sex = Literal["M", "F", "U"]

# Cadres d'exercice (practice settings) of the DMP's value set, with their labels.
PRACTICE_SETTINGS = {
    "AMBULATOIRE": "Ambulatoire",
    "ETABLISSEMENT": "Etablissement de santé",
    "HAD": "Hospitalisation à domicile",
    "SAD": "Soins à domicile",
    "MAD": "Maintien à domicile",
    "PALLIATIF": "Soins palliatifs",
    "DEPISTAGE": "Dépistage",
    "SAMU_SMUR": "SAMU, SMUR",
    "EXP_PATIENT": "Expression personnelle du patient",
}


def practice_setting(code: str) -> Code:
    """The practice setting ``code`` of the DMP's value set; :class:`ValueError` if unknown."""
    if code not in PRACTICE_SETTINGS:
        raise ValueError(f"{code!r} is not a practice setting (cadre d'exercice) of the DMP")
    return Code(code, PRACTICE_SETTING_OID, PRACTICE_SETTINGS[code])


@dataclass(frozen=True, slots=True)
class CdaPatient:
    """The patient's traits the header states: with an INS, the birth names, sex and birth
    date are those of the INS record (or of the Vitale card, which carries them)."""

    ins: InsReference
    birth_family_name: str
    given_names: tuple[str, ...]  # all birth given names, the first one first
    sex: Sex
    birth_date: date
    used_family_name: str | None = None
    birth_place: str | None = None  # INSEE (COG) code of the birthplace

    @classmethod
    def from_beneficiary(cls, beneficiary: Beneficiary, ins: InsReference) -> CdaPatient:
        """The traits a Vitale card's beneficiary carries; sex from the NIR's first digit."""
        if beneficiary.birth_date is None:
            raise ValueError("the beneficiary's birth date is lunar: use the INS record")
        nir = parse_nir(ins.value[:13])
        birth_name = beneficiary.birth_name or beneficiary.last_name
        return cls(
            ins=ins,
            birth_family_name=birth_name,
            given_names=tuple(beneficiary.first_name.split()),
            sex="M" if nir.sex in {1, 7} else "F",
            birth_date=beneficiary.birth_date,
            used_family_name=beneficiary.last_name if beneficiary.last_name != birth_name else None,
        )

    @classmethod
    def from_candidate(cls, candidate: PatientCandidate) -> CdaPatient:
        """The traits of the patient's INS record, as a TD0.5 search answers them."""
        if candidate.birth_date is None or candidate.first_name is None:
            raise ValueError("the INS record lacks the birth date or the given names")
        birth_name = candidate.birth_name or candidate.last_name
        sex: Sex = "M" if candidate.sex == "M" else "F" if candidate.sex == "F" else "U"
        return cls(
            ins=InsReference(value=candidate.ins, oid=candidate.ins_oid),
            birth_family_name=birth_name,
            given_names=tuple(candidate.first_name.split()),
            sex=sex,
            birth_date=candidate.birth_date,
            used_family_name=candidate.last_name if candidate.last_name != birth_name else None,
        )


@dataclass(frozen=True, slots=True)
class ParentDocument:
    """The version a deposit replaces: its uniqueId, setId and versionNumber."""

    unique_id: str
    set_id: str
    version: int


@dataclass(frozen=True, slots=True)
class CdaDocument:
    """Everything the wrapper states. Times are timezone-aware; the service stop is
    optional; ``content`` is the document itself, of ``media_type``."""

    unique_id: str
    set_id: str
    version: int
    type: Code
    title: str
    created: datetime
    service_start: date | datetime
    service_stop: date | datetime | None
    patient: CdaPatient
    author: Author
    practice_setting: Code
    facility: Code
    media_type: str
    content: bytes
    parent: ParentDocument | None = None


def hl7_time(moment: date | datetime) -> str:
    """An HL7 TS: ``YYYYMMDD`` for a date, ``YYYYMMDDhhmmss±zzzz`` for an aware time."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("CDA times are written from timezone-aware datetimes")
        return moment.strftime("%Y%m%d%H%M%S%z")
    return moment.strftime("%Y%m%d")


class _Writer:
    """Appends HL7 v3 elements."""

    @staticmethod
    def add(
        parent: etree._Element, tag: str, text: str | None = None, **attrib: str
    ) -> etree._Element:
        element = etree.SubElement(parent, f"{{{HL7}}}{tag}", attrib)
        if text is not None:
            element.text = text
        return element

    @classmethod
    def code(cls, parent: etree._Element, tag: str, code: Code) -> etree._Element:
        return cls.add(parent, tag, code=code.code, codeSystem=code.scheme, displayName=code.label)

    @classmethod
    def person(cls, parent: etree._Element, tag: str, author: Author) -> None:
        name = cls.add(cls.add(parent, tag), "name")
        cls.add(name, "family", author.last_name)
        cls.add(name, "given", author.first_name)

    @classmethod
    def ps_id(cls, parent: etree._Element, author: Author) -> None:
        cls.add(parent, "id", root=NATIONAL_ID_OID, extension=author.national_id)

    @classmethod
    def organization(cls, parent: etree._Element, tag: str, author: Author) -> etree._Element:
        organization = cls.add(parent, tag)
        cls.add(organization, "id", root=STRUCTURE_ID_OID, extension=author.structure_id)
        cls.add(organization, "name", author.structure_name)
        return organization


_w = _Writer


def _record_target(root: etree._Element, patient: CdaPatient) -> None:
    role = _w.add(_w.add(root, "recordTarget"), "patientRole")
    _w.add(role, "id", root=patient.ins.oid, extension=patient.ins.value)
    person = _w.add(role, "patient")
    name = _w.add(person, "name")
    _w.add(name, "family", patient.birth_family_name, qualifier="BR")
    if patient.used_family_name:
        _w.add(name, "family", patient.used_family_name, qualifier="SP")
    _w.add(name, "given", " ".join(patient.given_names))
    _w.add(name, "given", patient.given_names[0], qualifier="BR")
    _w.add(person, "administrativeGenderCode", code=patient.sex, codeSystem=GENDER_OID)
    _w.add(person, "birthTime", value=hl7_time(patient.birth_date))
    if patient.birth_place:
        place = _w.add(_w.add(person, "birthplace"), "place")
        _w.add(_w.add(place, "addr"), "county", patient.birth_place)


def _author(root: etree._Element, document: CdaDocument) -> None:
    author = document.author
    element = _w.add(root, "author")
    _w.add(element, "time", value=hl7_time(document.created))
    assigned = _w.add(element, "assignedAuthor")
    _w.ps_id(assigned, author)
    _w.code(assigned, "code", author.specialty or author.profession)
    _w.person(assigned, "assignedPerson", author)
    _w.organization(assigned, "representedOrganization", author)

    custodian = _w.add(_w.add(root, "custodian"), "assignedCustodian")
    _w.organization(custodian, "representedCustodianOrganization", author)

    legal = _w.add(root, "legalAuthenticator")
    _w.add(legal, "time", value=hl7_time(document.created))
    _w.add(legal, "signatureCode", code="S")
    entity = _w.add(legal, "assignedEntity")
    _w.ps_id(entity, author)
    _w.person(entity, "assignedPerson", author)
    _w.organization(entity, "representedOrganization", author)


def _period(parent: etree._Element, start: date | datetime, stop: date | datetime | None) -> None:
    period = _w.add(parent, "effectiveTime")
    _w.add(period, "low", value=hl7_time(start))
    if stop is not None:
        _w.add(period, "high", value=hl7_time(stop))


def _context(root: etree._Element, document: CdaDocument) -> None:
    event = _w.add(_w.add(root, "documentationOf"), "serviceEvent")
    _period(event, document.service_start, document.service_stop)
    performer = _w.add(event, "performer", typeCode="PRF")
    entity = _w.add(performer, "assignedEntity")
    _w.ps_id(entity, document.author)
    organization = _w.organization(entity, "representedOrganization", document.author)
    _w.code(organization, "standardIndustryClassCode", document.practice_setting)
    if document.parent is not None:
        related = _w.add(root, "relatedDocument", typeCode="RPLC")
        _w.add(_w.add(related, "parentDocument"), "id", root=document.parent.unique_id)
    encounter = _w.add(_w.add(root, "componentOf"), "encompassingEncounter")
    _period(encounter, document.service_start, document.service_stop)
    location = _w.add(encounter, "location")
    _w.code(_w.add(location, "healthCareFacility"), "code", document.facility)


@dataclass(frozen=True, slots=True)
class BuiltCda:
    """A serialized CDA (UTF-8, with its XML declaration) and the manifest digest of it:
    base64 of the SHA-256 of its exclusive canonical form (XML-DSig's ``exc-c14n``)."""

    data: bytes
    canonical_digest: str


def _header(document: CdaDocument, body_text: str) -> etree._Element:
    # The stubs type nsmap keys as str; lxml takes None for the default namespace.
    namespaces: dict[str | None, str] = {None: HL7, "xsi": XSI}
    root = etree.Element(f"{{{HL7}}}ClinicalDocument", nsmap=namespaces)  # type: ignore[arg-type]
    _w.add(root, "realmCode", code="FR")
    _w.add(root, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
    for template in TEMPLATES:
        _w.add(root, "templateId", root=template)
    _w.add(root, "id", root=document.unique_id)
    _w.code(root, "code", document.type)
    _w.add(root, "title", document.title)
    _w.add(root, "effectiveTime", value=hl7_time(document.created))
    _w.add(
        root, "confidentialityCode", code="N", codeSystem=CONFIDENTIALITY_OID, displayName="Normal"
    )
    _w.add(root, "languageCode", code="fr-FR")
    _w.add(root, "setId", root=document.set_id)
    _w.add(root, "versionNumber", value=str(document.version))
    _record_target(root, document.patient)
    _author(root, document)
    _context(root, document)
    body = _w.add(_w.add(root, "component"), "nonXMLBody")
    _w.add(body, "text", body_text, mediaType=document.media_type, representation="B64")
    return root


def _around(text: bytes, marker: bytes) -> tuple[bytes, bytes]:
    before, found, after = text.partition(marker)
    if not found or marker in after:  # pragma: no cover - the marker is a fresh UUID
        raise AssertionError("the CDA's body marker is not found once")
    return before, after


def build_cda(document: CdaDocument) -> BuiltCda:
    """The CDA R2 level 1 document wrapping ``document.content``, serialized in UTF-8,
    with its manifest digest.

    The body's text is a marker while lxml serializes the header and canonicalizes it;
    the marker is then replaced by the base64 (one pass of :mod:`binascii`, no line
    breaks) in both. Base64's alphabet needs no escaping in XML text nor in canonical
    XML, so both are exactly what serializing (or canonicalizing) the whole tree would
    give."""
    if document.media_type not in MEDIA_TYPES:
        raise ValueError(f"the DMP takes no {document.media_type} document")
    marker = f"cardbridge-body-{uuid.uuid4().hex}"
    root = _header(document, marker)
    serialized = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    canonical = etree.tostring(root, method="c14n", exclusive=True, with_comments=False)
    encoded = binascii.b2a_base64(document.content, newline=False)
    before, after = _around(serialized, marker.encode("ascii"))
    canonical_before, canonical_after = _around(canonical, marker.encode("ascii"))
    digest = hashlib.sha256(canonical_before)
    digest.update(encoded)
    digest.update(canonical_after)
    return BuiltCda(
        b"".join((before, encoded, after)), base64.b64encode(digest.digest()).decode("ascii")
    )
