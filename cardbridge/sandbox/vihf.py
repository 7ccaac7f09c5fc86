"""The VIHF's content rules: version, mode, roles, structure, purpose of use, patient, dates.

:func:`read_claims` reads a SAML 2.0 assertion (already signature-checked or unsigned)
into :class:`Claims` and refuses, with the service's fault, each rule of
docs/dmp-sandbox.md, "VIHF". Who signed it and whether that matches the TLS client is
:mod:`cardbridge.sandbox.authentication`'s business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from lxml import etree

from cardbridge.domain import terminologies
from cardbridge.domain.nir import INS_CX
from cardbridge.sandbox.faults import Fault, ServiceFault
from cardbridge.sandbox.wire import HL7, SAML

VIHF_VERSION = "3.0"
ROLE = "urn:oasis:names:tc:xacml:2.0:subject:role"
PURPOSE = "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse"
RESOURCE_ID = "urn:oasis:names:tc:xacml:2.0:resource:resource-id"
SUBJECT_ID = "urn:oasis:names:tc:xspa:1.0:subject:subject-id"
CONFIDENTIALITY = "urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code"
PURPOSE_SYSTEM = "1.2.250.1.213.1.1.4.248"  # TRE_R248 ModeAcces
SECRET_ACCESS = "INVISIBLE_REPRESENTANTS_LEGAUX^1.2.250.1.213.1.1.4.13"  # noqa: S105 - a code
# Without Conditions (the ANS samples have none) an assertion is valid this long after
# its IssueInstant; clocks may differ by the skew. Both durations are choices of ours.
VALIDITY_WITHOUT_CONDITIONS = timedelta(hours=1)
CLOCK_SKEW = timedelta(minutes=5)

_SECTOR = re.compile(rf"(SA\d\d)\^{re.escape(terminologies.SECTOR_OID)}")
_CX_OID = re.compile(r"\^\^\^&([0-9.]+)&ISO\^NH$")


class AuthenticationMode(StrEnum):
    DIRECT = "DIRECTE"
    INDIRECT = "INDIRECTE"
    INDIRECT_REINFORCED = "INDIRECTE_RENFORCEE"

    @property
    def direct(self) -> bool:
        return self is AuthenticationMode.DIRECT


class Purpose(StrEnum):
    """TRE_R248 access modes."""

    NORMAL = "normal"
    EMERGENCY = "bris_de_glace"
    CENTRE_15 = "centre_15"


@dataclass(frozen=True)
class Patient:
    """The INS of the VIHF's resource-id."""

    ins: str
    oid: str


@dataclass(frozen=True)
class Claims:
    """What a VIHF states."""

    actor_id: str
    issuer: str
    authentication_mode: AuthenticationMode
    structure_id: str
    sector: str
    profession: str
    specialty: str | None
    purpose: Purpose
    reason: str | None
    patient: Patient | None
    secret: bool
    subject_text: str | None


def _q(tag: str) -> str:
    return f"{{{SAML}}}{tag}"


def _where(name: str) -> str:
    return f"Assertion/AttributeStatement/Attribute[@Name='{name}']"


def _invalid(location: str, detail: str) -> ServiceFault:
    return ServiceFault(Fault.VIHF_INVALID, location, detail)


def _attributes(assertion: etree._Element) -> dict[str, list[etree._Element]]:
    found: dict[str, list[etree._Element]] = {}
    for attribute in assertion.iterfind(f"{_q('AttributeStatement')}/{_q('Attribute')}"):
        name = attribute.get("Name", "")
        # The ANS samples write Authentification_mode, the kit Authentification_Mode.
        if name == "Authentification_mode":
            name = "Authentification_Mode"
        found.setdefault(name, []).extend(attribute.iterfind(_q("AttributeValue")))
    return found


def _text(attributes: dict[str, list[etree._Element]], name: str, *, required: bool) -> str | None:
    values = attributes.get(name, [])
    text = (values[0].text or "").strip() if values else ""
    if required and not text:
        raise _invalid(_where(name), f"attribut {name} absent ou vide")
    if len(values) > 1:
        raise _invalid(_where(name), f"attribut {name} répété")
    return text or None


def _parse_instant(text: str | None, location: str) -> datetime:
    try:
        moment = datetime.fromisoformat((text or "").replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(location, "date invalide") from None
    if moment.tzinfo is None:
        raise _invalid(location, "date sans fuseau (UTC attendu)")
    return moment.astimezone(UTC)


def _check_window(assertion: etree._Element, now: datetime) -> None:
    issued = _parse_instant(assertion.get("IssueInstant"), "Assertion/@IssueInstant")
    if issued > now + CLOCK_SKEW:
        raise _invalid("Assertion/@IssueInstant", "VIHF émis dans le futur")
    conditions = assertion.find(_q("Conditions"))
    start, end = issued, issued + VALIDITY_WITHOUT_CONDITIONS
    if conditions is not None:
        if conditions.get("NotBefore"):
            start = _parse_instant(conditions.get("NotBefore"), "Conditions/@NotBefore")
        if conditions.get("NotOnOrAfter"):
            end = _parse_instant(conditions.get("NotOnOrAfter"), "Conditions/@NotOnOrAfter")
    if now + CLOCK_SKEW < start:
        raise _invalid("Assertion/Conditions/@NotBefore", "VIHF pas encore valide")
    if now - CLOCK_SKEW >= end:
        raise _invalid("Assertion/Conditions/@NotOnOrAfter", "VIHF expiré")


def _coded(value: etree._Element, tag: str) -> tuple[str, str]:
    coded = value.find(f"{{{HL7}}}{tag}")
    if coded is None:
        return "", ""
    return coded.get("code", ""), coded.get("codeSystem", "")


def _roles(attributes: dict[str, list[etree._Element]]) -> tuple[str, str | None]:
    roles = [_coded(value, "Role") for value in attributes.get(ROLE, [])]
    if not roles:
        raise _invalid(_where(ROLE), "aucun rôle")
    profession, system = roles[0]
    if system != terminologies.PROFESSION_OID or profession not in terminologies.PROFESSIONS:
        raise _invalid(_where(ROLE), "le premier rôle doit être une profession G15 connue")
    specialties = [code for code, sys in roles[1:] if sys == terminologies.SPECIALTY_OID]
    specialty = specialties[0] if specialties else None
    if specialty is not None and terminologies.SPECIALTY_PROFESSIONS.get(specialty) != profession:
        raise _invalid(_where(ROLE), f"spécialité {specialty} incompatible avec la profession")
    if specialty is None and profession in terminologies.PROFESSIONS_REQUIRING_SPECIALTY:
        raise ServiceFault(Fault.SPECIALTY_MISSING, _where(ROLE))
    return profession, specialty


def _purpose(attributes: dict[str, list[etree._Element]]) -> tuple[Purpose, str | None]:
    values = attributes.get(PURPOSE, [])
    code, system = _coded(values[0], "PurposeOfUse") if values else ("", "")
    if system != PURPOSE_SYSTEM or code not in set(Purpose):
        raise _invalid(_where(PURPOSE), "mode d'accès attendu : normal, bris_de_glace, centre_15")
    purpose = Purpose(code)
    reason = _text(attributes, "Mode_Acces_Raison", required=purpose is not Purpose.NORMAL)
    return purpose, reason


def _patient(attributes: dict[str, list[etree._Element]], *, required: bool) -> Patient | None:
    cx = _text(attributes, RESOURCE_ID, required=required)
    if cx is None:
        return None
    match = _CX_OID.search(cx)
    if not INS_CX.fullmatch(cx) or match is None:
        raise _invalid(_where(RESOURCE_ID), "INS attendu sous la forme CX matricule^^^&OID&ISO^NH")
    return Patient(cx[:15], match.group(1))


def read_claims(assertion: etree._Element, now: datetime, *, patient_required: bool) -> Claims:
    """The claims of a VIHF; :class:`ServiceFault` at the first rule it breaks."""
    if assertion.get("Version") != "2.0" or not assertion.get("ID"):
        raise _invalid("Assertion/@Version", "assertion SAML 2.0 avec un ID attendue")
    _check_window(assertion, now)
    issuer = (assertion.findtext(_q("Issuer")) or "").strip()
    actor_id = (assertion.findtext(f"{_q('Subject')}/{_q('NameID')}") or "").strip()
    if not actor_id:
        raise _invalid("Assertion/Subject/NameID", "identifiant de l'utilisateur absent")
    attributes = _attributes(assertion)
    if _text(attributes, "VIHF_Version", required=True) != VIHF_VERSION:
        raise _invalid(_where("VIHF_Version"), f"version {VIHF_VERSION} attendue")
    mode_text = _text(attributes, "Authentification_Mode", required=True)
    try:
        mode = AuthenticationMode(mode_text or "")
    except ValueError:
        raise _invalid(_where("Authentification_Mode"), "mode inconnu") from None
    if _text(attributes, "Ressource_URN", required=True) != "urn:dmp":
        raise _invalid(_where("Ressource_URN"), "urn:dmp attendu")
    structure_id = _text(attributes, "Identifiant_Structure", required=True) or ""
    sector_match = _SECTOR.fullmatch(_text(attributes, "Secteur_Activite", required=True) or "")
    if sector_match is None or sector_match.group(1) not in terminologies.SECTORS:
        raise _invalid(_where("Secteur_Activite"), f"SAxx^{terminologies.SECTOR_OID} attendu")
    profession, specialty = _roles(attributes)
    purpose, reason = _purpose(attributes)
    subject_text = _text(attributes, SUBJECT_ID, required=not mode.direct)
    _text(attributes, "LPS_Nom", required=True)
    confidentiality = _text(attributes, CONFIDENTIALITY, required=False)
    if confidentiality is not None and confidentiality != SECRET_ACCESS:
        raise _invalid(_where(CONFIDENTIALITY), f"seule valeur admise : {SECRET_ACCESS}")
    return Claims(
        actor_id=actor_id,
        issuer=issuer,
        authentication_mode=mode,
        structure_id=structure_id,
        sector=sector_match.group(1),
        profession=profession,
        specialty=specialty,
        purpose=purpose,
        reason=reason,
        patient=_patient(attributes, required=patient_required),
        secret=confidentiality is not None,
        subject_text=subject_text,
    )
