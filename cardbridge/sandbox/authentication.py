"""Who is calling: the VIHF's signature, its signing certificate, the TLS client, the directory.

Rules (docs/dmp-sandbox.md, "VIHF"):

- the assertion is the ``saml2:Assertion`` of ``wsse:Security``;
- a signature is an enveloped XML-DSig (exclusive c14n; RSA-SHA256 or RSA-SHA1) over the
  assertion, whose KeyInfo certificate chains to the test PKI and has nonRepudiation —
  an authentication certificate there is ``DMPInvalidCertificate``; it is required in
  indirect modes, optional in direct mode (the ANS kit and sample send unsigned VIHFs with
  CPS cards, the TLS certificate identifying the practitioner);
- direct mode: the TLS client is the practitioner's authentication certificate (CN = the
  VIHF's NameID), the signer the same practitioner, and the structure and sector one of
  that practitioner's situations in the directory;
- indirect modes: the TLS client is a structure's AUTH_CLI certificate, the signer that
  structure's SIGN certificate, and both name the VIHF's ``Identifiant_Structure``.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CertificateSignatureError
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, InvalidSignature
from signxml.verifier import SignatureConfiguration, XMLVerifier

from cardbridge.emulator.pki_organisations import OrganisationPki, structure_id_of
from cardbridge.sandbox.faults import Fault, ServiceFault
from cardbridge.sandbox.store import Store
from cardbridge.sandbox.tls import ClientIdentity, ClientKind
from cardbridge.sandbox.vihf import Claims, read_claims
from cardbridge.sandbox.wire import DS, SAML, WSSE

# signxml logs, at DEBUG, the canonical XML it verifies: a VIHF names the patient (INS) and
# the practitioner, a deposit's signature document digests the CDA. Health data is never
# logged (docs/dmp-sandbox.md, "Logging"): its records stop at WARNING whatever the root
# logger's level (``cardbridge -vv dmp-sandbox`` sets DEBUG).
logging.getLogger("signxml").setLevel(logging.WARNING)

_SIGNATURE_CONFIGURATION = SignatureConfiguration(
    require_x509=True,
    signature_methods=frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA1}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA256, DigestAlgorithm.SHA1}),
)
_SIGNATURE = "Assertion/ds:Signature"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: the VIHF's claims and the TLS client behind them."""

    claims: Claims
    client: ClientIdentity

    @property
    def actor_id(self) -> str:
        """Who the rights apply to: the practitioner (direct) or the structure (indirect)."""
        if self.claims.authentication_mode.direct:
            return self.claims.actor_id
        return self.claims.structure_id


def find_assertion(security: etree._Element | None) -> etree._Element:
    """The VIHF of a ``wsse:Security`` header; :class:`ServiceFault` when absent."""
    assertion = None if security is None else security.find(f"{{{SAML}}}Assertion")
    if assertion is None:
        raise ServiceFault(Fault.VIHF_MISSING, f"/Envelope/Header/{{{WSSE}}}Security")
    return assertion


def _signing_certificate(signature: etree._Element) -> x509.Certificate:
    text = signature.findtext(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")
    try:
        return x509.load_der_x509_certificate(base64.b64decode(text or "", validate=False))
    except ValueError:
        raise ServiceFault(
            Fault.SIGNATURE_CERTIFICATE, f"{_SIGNATURE}/KeyInfo", "certificat illisible"
        ) from None


def _check_signing_certificate(
    certificate: x509.Certificate, pki: OrganisationPki, now: datetime
) -> None:
    issuers = (pki.root.issuing_ca.certificate, pki.ca.certificate)
    issuer = next((ca for ca in issuers if ca.subject == certificate.issuer), None)
    location = f"{_SIGNATURE}/KeyInfo"
    outside = ServiceFault(
        Fault.SIGNATURE_CERTIFICATE, location, "certificat hors de l'IGC de test"
    )
    if issuer is None:
        raise outside
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, CertificateSignatureError):
        raise outside from None
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise ServiceFault(Fault.SIGNATURE_CERTIFICATE, location, "certificat expiré")
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or not usage.content_commitment:
        raise ServiceFault(Fault.SIGNATURE_CERTIFICATE, location)


def verify_signature(
    assertion: etree._Element, pki: OrganisationPki, now: datetime
) -> tuple[etree._Element, x509.Certificate] | None:
    """The signed assertion (as verified) and its signer, or None when it is unsigned."""
    signature = assertion.find(f"{{{DS}}}Signature")
    if signature is None:
        return None
    method = signature.find(f"{{{DS}}}SignedInfo/{{{DS}}}CanonicalizationMethod")
    if method is None or method.get("Algorithm") != EXC_C14N:
        raise ServiceFault(Fault.SIGNATURE_INVALID, _SIGNATURE, "c14n exclusive attendue")
    certificate = _signing_certificate(signature)
    _check_signing_certificate(certificate, pki, now)
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    try:
        result = XMLVerifier().verify(
            etree.tostring(assertion), x509_cert=pem, expect_config=_SIGNATURE_CONFIGURATION
        )
    except (InvalidSignature, InvalidDigest, InvalidInput, InvalidCertificate) as error:
        raise ServiceFault(Fault.SIGNATURE_INVALID, _SIGNATURE, str(error)) from None
    if isinstance(result, list):
        raise ServiceFault(Fault.SIGNATURE_INVALID, _SIGNATURE, "une seule référence attendue")
    signed = result.signed_xml
    if signed is None or signed.tag != assertion.tag or signed.get("ID") != assertion.get("ID"):
        raise ServiceFault(
            Fault.SIGNATURE_INVALID, _SIGNATURE, "la signature ne couvre pas le VIHF"
        )
    return signed, certificate


def _common_name(certificate: x509.Certificate) -> str | None:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else None


def _check_direct(claims: Claims, client: ClientIdentity, signer: x509.Certificate | None) -> None:
    if client.kind is not ClientKind.PRACTITIONER or client.identifier != claims.actor_id:
        raise ServiceFault(
            Fault.TLS_CERTIFICATE,
            "Assertion/Subject/NameID",
            client.reason or "le certificat TLS n'est pas celui de ce professionnel",
        )
    if signer is not None and (
        structure_id_of(signer) is not None or _common_name(signer) != claims.actor_id
    ):
        raise ServiceFault(Fault.SIGNATURE_CERTIFICATE, f"{_SIGNATURE}/KeyInfo", "autre signataire")


def _check_indirect(
    claims: Claims, client: ClientIdentity, signer: x509.Certificate | None
) -> None:
    where = "Assertion/AttributeStatement/Attribute[@Name='Identifiant_Structure']"
    if client.kind is not ClientKind.STRUCTURE or client.identifier != claims.structure_id:
        raise ServiceFault(Fault.LEGAL_PERSON, where, "certificat TLS d'une autre structure")
    if signer is None:
        raise ServiceFault(Fault.VIHF_INVALID, _SIGNATURE, "signature obligatoire en indirect")
    if structure_id_of(signer) != claims.structure_id:
        raise ServiceFault(Fault.LEGAL_PERSON, where, "VIHF signé par une autre structure")


def _check_directory(claims: Claims, store: Store) -> None:
    where = "Assertion/AttributeStatement/Attribute[@Name='Identifiant_Structure']"
    if store.one("SELECT 1 FROM structure WHERE structure_id = ?", claims.structure_id) is None:
        raise ServiceFault(Fault.STRUCTURE_UNKNOWN, where)
    if not claims.authentication_mode.direct:
        return
    linked = store.one(
        "SELECT 1 FROM situation WHERE national_id = ? AND structure_id = ? AND sector = ?",
        claims.actor_id,
        claims.structure_id,
        claims.sector,
    )
    if linked is None:
        raise ServiceFault(Fault.PS_STRUCTURE_UNLINKED, where)


def authenticate(
    security: etree._Element | None,
    client: ClientIdentity,
    pki: OrganisationPki,
    store: Store,
    now: datetime,
    *,
    patient_required: bool = True,
) -> Caller:
    """Check the VIHF against the TLS client and the directory; :class:`ServiceFault` else."""
    assertion = find_assertion(security)
    verified = verify_signature(assertion, pki, now)
    signed, signer = verified if verified else (assertion, None)
    claims = read_claims(signed, now, patient_required=patient_required)
    if claims.authentication_mode.direct:
        _check_direct(claims, client, signer)
    else:
        _check_indirect(claims, client, signer)
    _check_directory(claims, store)
    return Caller(claims, client)
