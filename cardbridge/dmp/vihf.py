"""The VIHF: the SAML 2.0 assertion attached to each DMP call, signed by the CPS.

:func:`build_assertion` writes the attributes of docs/domain.md §4 (practitioner, practice
situation's structure and sector, both roles, patient INS in CX form, purpose of use and,
for an emergency or centre 15 access, its reason in ``Mode_Acces_Raison``, the
secret-access confidentiality code when asked, LPS fields, validity window);
:func:`sign_assertion` adds an enveloped XML-DSig signature (exclusive
c14n, RSA-SHA256). The signature value comes from a ``signer`` callable: in
production the CPS **signature** key through the card (the DMP refuses the
authentication key), in tests a software key. Nothing here talks to a card.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.x509.oid import NameOID

from cardbridge.dmp.access import PURPOSE_OF_USE_OID, AccessMode
from cardbridge.domain.terminologies import PROFESSION_OID, SECTOR_OID, SPECIALTY_OID
from cardbridge.errors import InvalidInputError
from cardbridge.messages import inputs as say

if TYPE_CHECKING:
    from lxml import etree

# lxml is imported by the functions that build XML, at the first assertion: imported with
# the module it would cost the idle bridge ~7 MB (its memory target is 80 MB).


SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"saml2": SAML, "ds": DS, "hl7": HL7, "xsi": XSI}

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
X509_SUBJECT = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
SMARTCARD_PKI = "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI"
VIHF_VERSION = "3.0"
ROLE = "urn:oasis:names:tc:xacml:2.0:subject:role"
PURPOSE_OF_USE = "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse"
ACCESS_REASON = "Mode_Acces_Raison"
RESOURCE_ID = "urn:oasis:names:tc:xacml:2.0:resource:resource-id"
CONFIDENTIALITY = "urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code"
# "Connexion secrète": the access's trace is hidden from the patient's legal representatives
# (the only value of JDV_J64; docs/domain.md §4).
SECRET_ACCESS = "INVISIBLE_REPRESENTANTS_LEGAUX^1.2.250.1.213.1.1.4.13"  # noqa: S105 - a code

Signer = Callable[[bytes], bytes]
"""Signs bytes with RSASSA-PKCS1-v1_5 over SHA-256 and returns the raw signature."""


@dataclass(frozen=True, slots=True)
class LabelledCode:
    """A code and its label as the VIHF carries them (profession, specialty)."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class LpsInfo:
    """The software declared to the DMP (Logiciel de Professionnel de Santé)."""

    id: str
    name: str
    version: str
    homologation_id: str | None = None


@dataclass(frozen=True, slots=True)
class VihfRequest:
    """Everything an assertion states."""

    national_id: str
    last_name: str
    first_name: str
    profession: LabelledCode
    specialty: LabelledCode | None
    structure_id: str
    sector: str
    # The patient's INS in CX form: the DMP the call is about. ``None`` only for the list of
    # one's authorized DMPs (TD0.4), which is about no patient.
    patient_cx: str | None
    mode: AccessMode
    issuer: str
    lps: LpsInfo
    authentication_mode: str = "DIRECTE"
    # Why an emergency or centre 15 access is made (mandatory then, never sent otherwise).
    reason: str | None = None
    # Secret access to a minor's DMP: the trace is hidden from the legal representatives.
    secret: bool = False

    def __post_init__(self) -> None:
        if (self.mode is AccessMode.NORMAL) != (self.reason is None):
            raise InvalidInputError(say.REASON_NOT_NORMAL, field="reason")


# Short names IGC-Santé subjects use, so that the issuer reads "CN=…+SN=…+GN=…".
_NAME_OVERRIDES = {NameOID.SURNAME: "SN", NameOID.GIVEN_NAME: "GN", NameOID.TITLE: "title"}


def issuer_from_certificate(certificate_der: bytes) -> str:
    """The VIHF issuer: the signing certificate's subject as an RFC 2253 string."""
    subject = x509.load_der_x509_certificate(certificate_der).subject
    return subject.rfc4514_string(_NAME_OVERRIDES)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _el(
    parent: etree._Element, ns: str, tag: str, text: str | None = None, **attrib: str
) -> etree._Element:
    element = parent.makeelement(f"{{{ns}}}{tag}", attrib)
    parent.append(element)
    if text is not None:
        element.text = text
    return element


def _attribute(statement: etree._Element, name: str, *values: str) -> etree._Element:
    attribute = _el(statement, SAML, "Attribute", Name=name)
    for value in values:
        _el(attribute, SAML, "AttributeValue", value)
    return attribute


def _coded_value(
    attribute: etree._Element, tag: str, code: str, system: str, label: str, **extra: str
) -> None:
    value = _el(attribute, SAML, "AttributeValue")
    _el(
        value,
        HL7,
        tag,
        code=code,
        codeSystem=system,
        displayName=label,
        **{f"{{{XSI}}}type": "CE"},
        **extra,
    )


def build_assertion(
    request: VihfRequest, *, now: datetime, validity: timedelta, assertion_id: str | None = None
) -> etree._Element:
    """The unsigned assertion; ``now`` is timezone-aware."""
    from lxml import etree  # noqa: PLC0415 - lazy, see above

    assertion = etree.Element(
        f"{{{SAML}}}Assertion",
        {"Version": "2.0", "IssueInstant": _iso(now), "ID": assertion_id or f"_{uuid.uuid4()}"},
        nsmap=NSMAP,
    )
    _el(assertion, SAML, "Issuer", request.issuer, Format=X509_SUBJECT)
    subject = _el(assertion, SAML, "Subject")
    _el(subject, SAML, "NameID", request.national_id)
    _el(assertion, SAML, "Conditions", NotBefore=_iso(now), NotOnOrAfter=_iso(now + validity))
    authn = _el(assertion, SAML, "AuthnStatement", AuthnInstant=_iso(now))
    context = _el(authn, SAML, "AuthnContext")
    _el(context, SAML, "AuthnContextClassRef", SMARTCARD_PKI)

    statement = _el(assertion, SAML, "AttributeStatement")
    _attribute(statement, "Identifiant_Structure", request.structure_id)
    _attribute(statement, "Secteur_Activite", f"{request.sector}^{SECTOR_OID}")
    _attribute(
        statement,
        "urn:oasis:names:tc:xspa:1.0:subject:subject-id",
        f"{request.last_name} {request.first_name}",
    )
    roles = _el(statement, SAML, "Attribute", Name=ROLE)
    _coded_value(roles, "Role", request.profession.code, PROFESSION_OID, request.profession.label)
    if request.specialty is not None:
        _coded_value(roles, "Role", request.specialty.code, SPECIALTY_OID, request.specialty.label)
    _attribute(statement, "VIHF_Version", VIHF_VERSION)
    _attribute(statement, "Authentification_mode", request.authentication_mode)
    if request.patient_cx is not None:
        _attribute(statement, RESOURCE_ID, request.patient_cx)
    _attribute(statement, "Ressource_URN", "urn:dmp")
    if request.secret:
        _attribute(statement, CONFIDENTIALITY, SECRET_ACCESS)
    purpose = _el(statement, SAML, "Attribute", Name=PURPOSE_OF_USE)
    _coded_value(
        purpose,
        "PurposeOfUse",
        request.mode.value,
        PURPOSE_OF_USE_OID,
        request.mode.label,
        codeSystemName="mode acces VIHF 2.0",
    )
    if request.reason is not None:
        _attribute(statement, ACCESS_REASON, request.reason)
    _attribute(statement, "LPS_ID", request.lps.id)
    _attribute(statement, "LPS_Nom", request.lps.name)
    _attribute(statement, "LPS_Version", request.lps.version)
    if request.lps.homologation_id:
        _attribute(statement, "LPS_ID_HOMOLOGATION_DMP", request.lps.homologation_id)
    return assertion


def _c14n(element: etree._Element) -> bytes:
    from lxml import etree  # noqa: PLC0415 - lazy, see above

    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


def sign_assertion(assertion: etree._Element, signer: Signer, certificate_der: bytes) -> bytes:
    """Sign ``assertion`` in place (enveloped, exc-c14n, RSA-SHA256); return the XML bytes."""
    from lxml import etree  # noqa: PLC0415 - lazy, see above

    reference_uri = "#" + assertion.get("ID", "")
    digest = base64.b64encode(hashlib.sha256(_c14n(deepcopy(assertion))).digest()).decode()

    signature = etree.Element(f"{{{DS}}}Signature", nsmap={"ds": DS})
    signed_info = _el(signature, DS, "SignedInfo")
    _el(signed_info, DS, "CanonicalizationMethod", Algorithm=EXC_C14N)
    _el(signed_info, DS, "SignatureMethod", Algorithm=RSA_SHA256)
    reference = _el(signed_info, DS, "Reference", URI=reference_uri)
    transforms = _el(reference, DS, "Transforms")
    _el(transforms, DS, "Transform", Algorithm=ENVELOPED)
    _el(transforms, DS, "Transform", Algorithm=EXC_C14N)
    _el(reference, DS, "DigestMethod", Algorithm=SHA256)
    _el(reference, DS, "DigestValue", digest)
    signature_value = _el(signature, DS, "SignatureValue")
    key_info = _el(signature, DS, "KeyInfo")
    x509 = _el(key_info, DS, "X509Data")
    _el(x509, DS, "X509Certificate", base64.b64encode(certificate_der).decode())

    # SAML places the signature right after the Issuer.
    assertion.insert(1, signature)
    signature_value.text = base64.b64encode(signer(_c14n(signed_info))).decode()
    return etree.tostring(assertion, xml_declaration=True, encoding="UTF-8")
