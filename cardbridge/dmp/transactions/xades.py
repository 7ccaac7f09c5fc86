"""The signature document of a deposit (IHE DSG): a detached XAdES signature of the
submission's documents, signed by the CPS **signature** key.

Layout (docs/dmp-client.md, "Deposit (TD2.1)"): a ``ds:Signature`` whose ``Id`` is the
signature document's uniqueId; its SignedInfo references the ``IHEManifest`` (type
Manifest) and the XAdES ``SignedProperties``; the manifest has one reference per document,
``URI="urn:oid:<uniqueId>"`` with the digest of the canonical CDA; a signature property
states the purpose of signature (``1.2.840.10065.1.12.1.14``, "Source"); the XAdES
qualifying properties give the signing time, the signing certificate's digest and issuer
serial, and an implied signature policy. Exclusive c14n, SHA-256 and RSA-SHA256, as the
CI-SIS asks of document signatures (ours: the 2019 ANS sample still used SHA-1).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from cryptography import x509
from lxml import etree

from cardbridge.dmp.transactions.names import DS, XADES
from cardbridge.dmp.vihf import EXC_C14N, RSA_SHA256, SHA256, Signer

MANIFEST_ID = "IHEManifest"
SIGNED_PROPERTIES_ID = "S0-SignedProperties"
PURPOSE_OF_SIGNATURE = "1.2.840.10065.1.12.1.14"  # "Source" (ASTM E1762)
MANIFEST_TYPE = "http://www.w3.org/2000/09/xmldsig#Manifest"
SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _add(
    parent: etree._Element, ns: str, tag: str, text: str | None = None, **attrib: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", attrib)
    if text is not None:
        element.text = text
    return element


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


def _digest(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def document_digest(cda: bytes) -> str:
    """The manifest's digest of a CDA document: SHA-256 of its exclusive canonical form."""
    return _digest(_c14n(etree.fromstring(cda, _PARSER)))


def _reference(
    parent: etree._Element, uri: str, digest: str, reference_type: str | None = None
) -> None:
    attributes = {"URI": uri} | ({"Type": reference_type} if reference_type else {})
    reference = _add(parent, DS, "Reference", **attributes)
    _add(_add(reference, DS, "Transforms"), DS, "Transform", Algorithm=EXC_C14N)
    _add(reference, DS, "DigestMethod", Algorithm=SHA256)
    _add(reference, DS, "DigestValue", digest)


def _qualifying_properties(
    signature: etree._Element, signature_id: str, certificate_der: bytes, now: datetime
) -> etree._Element:
    certificate = x509.load_der_x509_certificate(certificate_der)
    obj = _add(signature, DS, "Object")
    qualifying = _add(obj, XADES, "QualifyingProperties", Target=f"#{signature_id}")
    signed = _add(qualifying, XADES, "SignedProperties", Id=SIGNED_PROPERTIES_ID)
    properties = _add(signed, XADES, "SignedSignatureProperties")
    _add(properties, XADES, "SigningTime", now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    cert = _add(_add(properties, XADES, "SigningCertificate"), XADES, "Cert")
    digest = _add(cert, XADES, "CertDigest")
    _add(digest, DS, "DigestMethod", Algorithm=SHA256)
    _add(digest, DS, "DigestValue", _digest(certificate_der))
    serial = _add(cert, XADES, "IssuerSerial")
    _add(serial, DS, "X509IssuerName", certificate.issuer.rfc4514_string())
    _add(serial, DS, "X509SerialNumber", str(certificate.serial_number))
    policy = _add(properties, XADES, "SignaturePolicyIdentifier")
    _add(policy, XADES, "SignaturePolicyImplied")
    return signed


def build_signature(
    documents: Sequence[tuple[str, bytes]],
    *,
    signature_id: str,
    signer: Signer,
    certificate_der: bytes,
    chain: Sequence[bytes] = (),
    now: datetime,
    digests: Mapping[str, str] | None = None,
) -> bytes:
    """The signature document over ``documents`` (``(uniqueId, CDA bytes)`` each), signed
    through ``signer`` (RSASSA-PKCS1-v1_5 over SHA-256: in production the CPS signature key
    through the card); ``chain`` adds the issuing CAs' certificates (DER) to ``KeyInfo``.
    ``digests`` (by uniqueId) are manifest digests already computed, as
    :func:`document_digest` gives them (:func:`~cardbridge.dmp.transactions.cda.build_cda`
    computes it without parsing the CDA again); the others are computed here."""
    known = digests or {}
    signature = etree.Element(
        f"{{{DS}}}Signature", {"Id": signature_id}, nsmap={"ds": DS, "xades": XADES}
    )
    signed_info = _add(signature, DS, "SignedInfo")
    _add(signed_info, DS, "CanonicalizationMethod", Algorithm=EXC_C14N)
    _add(signed_info, DS, "SignatureMethod", Algorithm=RSA_SHA256)
    signature_value = _add(signature, DS, "SignatureValue")
    x509_data = _add(_add(signature, DS, "KeyInfo"), DS, "X509Data")
    for der in (certificate_der, *chain):
        _add(x509_data, DS, "X509Certificate", base64.b64encode(der).decode("ascii"))

    signed = _qualifying_properties(signature, signature_id, certificate_der, now)
    purpose = _add(_add(signature, DS, "Object"), DS, "SignatureProperties")
    _add(
        purpose,
        DS,
        "SignatureProperty",
        PURPOSE_OF_SIGNATURE,
        Id="purposeOfSignature",
        Target=f"#{signature_id}",
    )
    manifest = _add(_add(signature, DS, "Object"), DS, "Manifest", Id=MANIFEST_ID)
    for unique_id, cda in documents:
        digest = known.get(unique_id) or document_digest(cda)
        _reference(manifest, f"urn:oid:{unique_id}", digest)

    _reference(signed_info, f"#{MANIFEST_ID}", _digest(_c14n(manifest)), MANIFEST_TYPE)
    _reference(
        signed_info, f"#{SIGNED_PROPERTIES_ID}", _digest(_c14n(signed)), SIGNED_PROPERTIES_TYPE
    )
    signature_value.text = base64.b64encode(signer(_c14n(signed_info))).decode("ascii")
    return etree.tostring(signature, xml_declaration=True, encoding="UTF-8")
