"""DMP messages built by hand with lxml, from the ANS samples' shapes (not with cardbridge's
client, so that a mistake there is not repeated here): SOAP 1.2 envelopes with
WS-Addressing, VIHFs signed with signxml, and the bodies of each transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

# From the modules that define them: signxml's __init__ re-exports without ``__all__``.
from signxml.algorithms import DigestAlgorithm, SignatureConstructionMethod, SignatureMethod
from signxml.signer import XMLSigner

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XS = "http://www.w3.org/2001/XMLSchema"
HABILITATIONS = "urn:si-dmp-habilitations"
TEST_INS_OID = "1.2.250.1.213.1.4.10"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"

ACTIONS = {
    "TD0.2": "urn:hl7-org:v3:PRPA_IN201307UV02",
    "TD0.3": "urn:si-dmp-habilitations:HabilitationsEndPoint:setAuthorization",
    "TD0.4": "urn:si-dmp-patients:PatientSpecificEndPoint:patientList",
    "TD0.5": "urn:hl7-org:v3:PRPA_IN201305UV02",
    "TD1.6": "urn:si-dmp-habilitations:HabilitationsEndPoint:listAuthorizationByPatient",
    "TD2.1": "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b",
    "TD3.1": "urn:ihe:iti:2007:RegistryStoredQuery",
    "TD3.2": "urn:ihe:iti:2007:RetrieveDocumentSet",
    "TD3.3": "urn:ihe:iti:2010:UpdateDocumentSet",
}
PATHS = {
    "TD0.2": "patients",
    "TD0.3": "habilitations",
    "TD0.4": "patientsSpecific",
    "TD0.5": "patientsPDQ",
    "TD1.6": "habilitations",
    "TD2.1": "repository",
    "TD3.1": "registry",
    "TD3.2": "repository",
    "TD3.3": "registry",
}


@dataclass(frozen=True)
class Vihf:
    """What a test VIHF states; every field can be replaced to break one rule."""

    actor_id: str
    structure_id: str
    sector: str = "SA07"
    profession: str | None = "10"
    specialty: str | None = "SM26"
    mode: str = "DIRECTE"
    mode_attribute: str = "Authentification_mode"
    purpose: str = "normal"
    purpose_system: str = "1.2.250.1.213.1.1.4.248"
    reason: str | None = None
    patient: str | None = None
    patient_oid: str = TEST_INS_OID
    version: str = "3.0"
    resource_urn: str = "urn:dmp"
    subject_text: str | None = "LE QUINIO PIERRE"
    confidentiality: str | None = None
    issued: datetime = field(default_factory=lambda: datetime.now(UTC))
    lifetime: timedelta | None = timedelta(minutes=30)
    extra: tuple[tuple[str, str], ...] = ()

    def but(self, **changes: object) -> Vihf:
        return replace(self, **changes)  # type: ignore[arg-type]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _attribute(statement: etree._Element, name: str, value: str) -> None:
    attribute = etree.SubElement(statement, f"{{{SAML}}}Attribute", Name=name)
    value_element = etree.SubElement(attribute, f"{{{SAML}}}AttributeValue")
    value_element.set(f"{{{XSI}}}type", "xs:string")
    value_element.text = value


def _coded(statement: etree._Element, name: str, tag: str, values: list[dict[str, str]]) -> None:
    attribute = etree.SubElement(statement, f"{{{SAML}}}Attribute", Name=name)
    for attributes in values:
        holder = etree.SubElement(attribute, f"{{{SAML}}}AttributeValue")
        coded = etree.SubElement(holder, f"{{{HL7}}}{tag}", attributes)
        coded.set(f"{{{XSI}}}type", "CE")


def build_vihf(vihf: Vihf) -> etree._Element:
    """An unsigned VIHF assertion, attribute by attribute as in the ANS samples."""
    assertion = etree.Element(
        f"{{{SAML}}}Assertion",
        {"ID": f"_{uuid.uuid4()}", "IssueInstant": _iso(vihf.issued), "Version": "2.0"},
        nsmap={"saml2": SAML, "xsi": XSI, "xs": XS},
    )
    issuer = etree.SubElement(assertion, f"{{{SAML}}}Issuer")
    issuer.set("Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName")
    issuer.text = f"CN={vihf.actor_id}"
    subject = etree.SubElement(assertion, f"{{{SAML}}}Subject")
    etree.SubElement(subject, f"{{{SAML}}}NameID").text = vihf.actor_id
    if vihf.lifetime is not None:
        etree.SubElement(
            assertion,
            f"{{{SAML}}}Conditions",
            NotBefore=_iso(vihf.issued),
            NotOnOrAfter=_iso(vihf.issued + vihf.lifetime),
        )
    authn = etree.SubElement(assertion, f"{{{SAML}}}AuthnStatement", AuthnInstant=_iso(vihf.issued))
    context = etree.SubElement(authn, f"{{{SAML}}}AuthnContext")
    etree.SubElement(
        context, f"{{{SAML}}}AuthnContextClassRef"
    ).text = "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI"
    statement = etree.SubElement(assertion, f"{{{SAML}}}AttributeStatement")
    _attribute(statement, "Identifiant_Structure", vihf.structure_id)
    _attribute(statement, "Secteur_Activite", f"{vihf.sector}^1.2.250.1.71.4.2.4")
    if vihf.subject_text:
        _attribute(statement, "urn:oasis:names:tc:xspa:1.0:subject:subject-id", vihf.subject_text)
    roles = []
    if vihf.profession:
        roles.append({"code": vihf.profession, "codeSystem": "1.2.250.1.71.1.2.7"})
    if vihf.specialty:
        roles.append({"code": vihf.specialty, "codeSystem": "1.2.250.1.71.4.2.5"})
    _coded(statement, "urn:oasis:names:tc:xacml:2.0:subject:role", "Role", roles)
    _attribute(statement, "VIHF_Version", vihf.version)
    _attribute(statement, vihf.mode_attribute, vihf.mode)
    if vihf.patient:
        _attribute(
            statement,
            "urn:oasis:names:tc:xacml:2.0:resource:resource-id",
            f"{vihf.patient}^^^&{vihf.patient_oid}&ISO^NH",
        )
    _attribute(statement, "Ressource_URN", vihf.resource_urn)
    _coded(
        statement,
        "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse",
        "PurposeOfUse",
        [{"code": vihf.purpose, "codeSystem": vihf.purpose_system}],
    )
    if vihf.reason:
        _attribute(statement, "Mode_Acces_Raison", vihf.reason)
    if vihf.confidentiality:
        _attribute(
            statement,
            "urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code",
            vihf.confidentiality,
        )
    _attribute(statement, "LPS_Nom", "TESTS SANDBOX")
    _attribute(statement, "LPS_Version", "1.0")
    for name, value in vihf.extra:
        _attribute(statement, name, value)
    return assertion


class _LegacySigner(XMLSigner):
    """signxml refuses SHA-1 by default; the ANS samples (2019) are signed RSA-SHA1."""

    def check_deprecated_methods(self) -> None:
        return None


def sign_vihf(
    assertion: etree._Element,
    key: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    *,
    sha1: bool = False,
) -> etree._Element:
    """Enveloped XML-DSig (exclusive c14n) by signxml, as a card's signature key would."""
    signer = (_LegacySigner if sha1 else XMLSigner)(
        method=SignatureConstructionMethod.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA1 if sha1 else SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA1 if sha1 else DigestAlgorithm.SHA256,
        c14n_algorithm=EXC_C14N,
    )
    signer.namespaces = {"ds": "http://www.w3.org/2000/09/xmldsig#"}
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    signed: etree._Element = signer.sign(
        assertion,
        key=key_pem,
        cert=[cert_pem.decode()],
        reference_uri="#" + assertion.get("ID", ""),
    )
    return signed


def envelope(
    transaction: str,
    body: etree._Element,
    vihf: etree._Element | None,
    *,
    omit: tuple[str, ...] = (),
    action: str | None = None,
    message_id: str | None = None,
) -> bytes:
    """A SOAP 1.2 request: WS-Addressing headers (minus ``omit``), then wsse:Security."""
    root = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP, "wsa": WSA})
    header = etree.SubElement(root, f"{{{SOAP}}}Header")
    values = {
        "MessageID": message_id or f"urn:uuid:{uuid.uuid4()}",
        "To": "",
        "ReplyTo": None,
        "Action": action or ACTIONS[transaction],
    }
    for name, value in values.items():
        if name in omit:
            continue
        element = etree.SubElement(header, f"{{{WSA}}}{name}")
        if name == "ReplyTo":
            etree.SubElement(
                element, f"{{{WSA}}}Address"
            ).text = "http://www.w3.org/2005/08/addressing/anonymous"
        else:
            element.text = value
        if name in ("ReplyTo", "Action"):
            element.set(f"{{{SOAP}}}mustUnderstand", "true")
    if vihf is not None:
        security = etree.SubElement(header, f"{{{WSSE}}}Security", nsmap={"wsse": WSSE})
        security.append(vihf)
    etree.SubElement(root, f"{{{SOAP}}}Body").append(body)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def hl7_root(tag: str, **attributes: str) -> etree._Element:
    """An HL7v3 root element with HL7 as its default namespace, as in the ANS samples."""
    # lxml takes None as the default namespace's prefix; lxml-stubs types the keys as str only.
    namespaces: dict[str | None, str] = {None: HL7, "xsi": XSI}
    return etree.Element(f"{{{HL7}}}{tag}", attributes, nsmap=namespaces)  # type: ignore[arg-type]


def _hl7(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{HL7}}}{tag}", attributes)


def existence_test(ins: str, oid: str = TEST_INS_OID, reason: str = "TEST_EXST") -> etree._Element:
    """TD0.2's ``PRPA_IN201307UV02``, as in the ANS sample."""
    message = hl7_root("PRPA_IN201307UV02", ITSVersion="XML_1.0")
    _hl7(message, "id", root="1.3.6.1.4.1.48364.1.1", extension=str(uuid.uuid4()))
    _hl7(message, "creationTime", value=datetime.now(UTC).strftime("%Y%m%d%H%M%S"))
    _hl7(message, "interactionId", root="2.16.840.1.113883.1.6", extension="PRPA_IN201307UV02")
    _hl7(message, "processingCode", code="D")
    _hl7(message, "processingModeCode", code="T")
    _hl7(message, "acceptAckCode", code="AL")
    receiver = _hl7(_hl7(message, "receiver", typeCode="RCV"), "device", classCode="DEV")
    _hl7(receiver, "id", root="1.2.250.1.213.4.1.1.1")
    sender = _hl7(_hl7(message, "sender", typeCode="SND"), "device", classCode="DEV")
    _hl7(sender, "id", root="1.3.6.1.4.1.48364")
    control = _hl7(message, "controlActProcess", classCode="CACT", moodCode="EVN")
    _hl7(control, "reasonCode", code=reason, codeSystem="1.2.250.1.213.1.1.4.11")
    query = _hl7(control, "queryByParameter")
    _hl7(query, "queryId", root="1.3.6.1.4.1.48364.2", extension=str(uuid.uuid4()))
    _hl7(query, "statusCode", code="new")
    parameters = _hl7(query, "parameterList")
    identifier = _hl7(parameters, "patientIdentifier")
    _hl7(identifier, "value", root=oid, extension=ins)
    etree.SubElement(identifier, f"{{{HL7}}}semanticsText").text = "Patient.id"
    return message


def set_authorization(action: str, role: str | None = None) -> etree._Element:
    """TD0.3's ``setAuthorization``."""
    body = etree.Element(f"{{{HABILITATIONS}}}setAuthorization", nsmap={"hab": HABILITATIONS})
    etree.SubElement(body, "action").text = action
    if role:
        etree.SubElement(body, "role").text = role
    return body


def list_authorizations(mode: str) -> etree._Element:
    """TD1.6's ``listAuthorizationByPatient``."""
    body = etree.Element(
        f"{{{HABILITATIONS}}}listAuthorizationByPatient", nsmap={"hab": HABILITATIONS}
    )
    etree.SubElement(body, "mode").text = mode
    return body


def patient_list(start: str, kind: str = "LASTAUTORIZATION") -> etree._Element:
    """TD0.4's ``patientList``."""
    patients = "urn:si-dmp-patients"
    body = etree.Element(f"{{{patients}}}patientList", nsmap={"pat": patients})
    etree.SubElement(body, "startDate").text = start
    etree.SubElement(body, "dateType").text = kind
    return body


def patient_search(
    family: str, given: str | None = None, birth: str | None = None
) -> etree._Element:
    """TD0.5's ``PRPA_IN201305UV02`` (PDQv3) with the traits given."""
    message = hl7_root("PRPA_IN201305UV02", ITSVersion="XML_1.0")
    _hl7(message, "id", root="1.3.6.1.4.1.48364.1.1", extension=str(uuid.uuid4()))
    _hl7(message, "interactionId", root="2.16.840.1.113883.1.6", extension="PRPA_IN201305UV02")
    control = _hl7(message, "controlActProcess", classCode="CACT", moodCode="EVN")
    _hl7(control, "code", code="PRPA_TE201305UV02", codeSystem="2.16.840.1.113883.1.6")
    query = _hl7(control, "queryByParameter")
    _hl7(query, "queryId", root="1.3.6.1.4.1.48364.2", extension=str(uuid.uuid4()))
    parameters = _hl7(query, "parameterList")
    name = _hl7(_hl7(parameters, "livingSubjectName"), "value")
    etree.SubElement(name, f"{{{HL7}}}family").text = family
    if given:
        etree.SubElement(name, f"{{{HL7}}}given").text = given
    if birth:
        _hl7(_hl7(parameters, "livingSubjectBirthTime"), "value", value=birth)
    return message
