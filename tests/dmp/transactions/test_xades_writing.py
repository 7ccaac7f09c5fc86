"""The signature document's builder (``xades.build_signature``), in process: xmlsec1
verifies what it writes against the test PKI's root, and each element the XMLDSig and XAdES
specifications name is checked against values written out here (algorithm URIs, the
signing time in UTC, digests computed with hashlib over bytes written in the test)."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from cardbridge.dmp.transactions.xades import build_signature, document_digest
from cardbridge.emulator.pki import TestPki
from tests.dmp.transactions.test_xades import xmlsec1_verify

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
NS = {"ds": DS, "xades": XADES}
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
# Two CDA-like documents; the second as a writer would send it, with a declaration, an
# unused namespace and a comment that the exclusive canonical form leaves out
# (Exclusive XML Canonicalization 1.0, section 3; "#WithComments" is not asked for).
FIRST = b'<ClinicalDocument xmlns="urn:hl7-org:v3"><title>Compte rendu</title></ClinicalDocument>'
SECOND = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:x="urn:unused">'
    b"<!-- note --><title>Ordonnance</title><id/></ClinicalDocument>"
)
SECOND_CANONICAL = (
    b'<ClinicalDocument xmlns="urn:hl7-org:v3">'
    b"<title>Ordonnance</title><id></id></ClinicalDocument>"
)
FIRST_ID = "1.2.250.1.213.1.1.9.1"
SECOND_ID = "1.2.250.1.213.1.1.9.2"
# 11:30 in Paris in winter is 10:30 UTC (XAdES SigningTime: xsd:dateTime, written in UTC).
NOW = datetime(2026, 12, 6, 11, 30, 5, tzinfo=timezone(timedelta(hours=1)))


def _b64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _der(pki: TestPki, which: str) -> bytes:
    certified = pki.issuing_ca if which == "issuing" else pki.root
    return certified.certificate.public_bytes(serialization.Encoding.DER)


def _sign(pki: TestPki, **overrides: object) -> bytes:
    """Signed by the test PKI's issuing CA (its certificate chains to the root)."""
    key = pki.issuing_ca.private_key

    def signer(data: bytes) -> bytes:
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    arguments: dict[str, object] = {
        "signature_id": "1.2.250.1.213.1.1.9.3",
        "signer": signer,
        "certificate_der": _der(pki, "issuing"),
        "now": NOW,
    }
    arguments.update(overrides)
    documents = arguments.pop("documents", [(FIRST_ID, FIRST), (SECOND_ID, SECOND)])
    return build_signature(documents, **arguments)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return TestPki.load_or_create(tmp_path_factory.mktemp("xades-pki"))


@pytest.fixture
def signature(pki: TestPki) -> etree._Element:
    """Built anew for each test: ``make mutation`` runs, for each mutant, the tests that
    called the changed function, and a module-scoped one would be called by the first only."""
    return etree.fromstring(_sign(pki))


def test_document_digest_is_the_sha256_of_the_exclusive_canonical_form() -> None:
    assert document_digest(SECOND) == _b64_sha256(SECOND_CANONICAL)
    assert document_digest(FIRST) == _b64_sha256(FIRST)


def test_a_document_with_a_text_over_libxml2s_limit_is_digested() -> None:
    """A 10.5 MB text node (the base64 of an 8 MB file) is above libxml2's default limit of
    10,000,000 bytes per text node: the parser must allow huge trees."""
    text = b"QUJD" * 2_625_000
    cda = b'<ClinicalDocument xmlns="urn:hl7-org:v3"><text>' + text + b"</text></ClinicalDocument>"
    assert document_digest(cda) == _b64_sha256(cda)


def test_xmlsec1_verifies_a_signature_over_two_documents(pki: TestPki) -> None:
    result = xmlsec1_verify(_sign(pki), pki, {FIRST_ID: FIRST, SECOND_ID: SECOND})
    assert result.returncode == 0, result.stderr
    assert "SignedInfo References (ok/all): 2/2" in result.stderr
    assert "Manifests References (ok/all): 2/2" in result.stderr


def test_xmlsec1_verifies_with_digests_computed_beforehand(pki: TestPki) -> None:
    digests = {SECOND_ID: _b64_sha256(SECOND_CANONICAL)}
    signed = _sign(pki, digests=digests)
    result = xmlsec1_verify(signed, pki, {FIRST_ID: FIRST, SECOND_ID: SECOND})
    assert result.returncode == 0, result.stderr
    assert "Manifests References (ok/all): 2/2" in result.stderr


def test_a_digest_given_beforehand_is_the_one_written(pki: TestPki) -> None:
    given = _b64_sha256(b"another document")
    root = etree.fromstring(_sign(pki, digests={FIRST_ID: given}))
    values = root.findall("ds:Object/ds:Manifest/ds:Reference/ds:DigestValue", NS)
    assert [v.text for v in values] == [given, _b64_sha256(SECOND_CANONICAL)]


def test_the_document_starts_with_an_utf8_declaration(pki: TestPki) -> None:
    # The prefixes of the XMLDSig and XAdES specifications' examples.
    signed = _sign(pki)
    assert signed.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<ds:Signature ")
    assert b"<xades:QualifyingProperties " in signed


def test_signed_info_names_exclusive_c14n_and_rsa_sha256(signature: etree._Element) -> None:
    assert signature.tag == f"{{{DS}}}Signature"
    assert signature.get("Id") == "1.2.250.1.213.1.1.9.3"
    info = signature.find("ds:SignedInfo", NS)
    assert info is not None
    assert info.find("ds:CanonicalizationMethod", NS).get("Algorithm") == EXC_C14N  # type: ignore[union-attr]
    assert info.find("ds:SignatureMethod", NS).get("Algorithm") == RSA_SHA256  # type: ignore[union-attr]
    references = info.findall("ds:Reference", NS)
    assert [(r.get("URI"), r.get("Type")) for r in references] == [
        ("#IHEManifest", "http://www.w3.org/2000/09/xmldsig#Manifest"),
        ("#S0-SignedProperties", "http://uri.etsi.org/01903#SignedProperties"),
    ]
    for reference in references:
        transforms = reference.findall("ds:Transforms/ds:Transform", NS)
        assert [t.get("Algorithm") for t in transforms] == [EXC_C14N]
        assert reference.find("ds:DigestMethod", NS).get("Algorithm") == SHA256  # type: ignore[union-attr]


def test_the_manifest_has_one_reference_per_document(signature: etree._Element) -> None:
    (manifest,) = signature.findall("ds:Object/ds:Manifest", NS)
    assert manifest.get("Id") == "IHEManifest"
    references = manifest.findall("ds:Reference", NS)
    assert [dict(r.attrib) for r in references] == [
        {"URI": f"urn:oid:{FIRST_ID}"},
        {"URI": f"urn:oid:{SECOND_ID}"},
    ]
    for reference in references:
        transforms = reference.findall("ds:Transforms/ds:Transform", NS)
        assert [t.get("Algorithm") for t in transforms] == [EXC_C14N]
        assert reference.find("ds:DigestMethod", NS).get("Algorithm") == SHA256  # type: ignore[union-attr]
    digests = [r.findtext("ds:DigestValue", namespaces=NS) for r in references]
    assert digests == [_b64_sha256(FIRST), _b64_sha256(SECOND_CANONICAL)]


def test_key_info_holds_the_signer_then_the_chain(pki: TestPki) -> None:
    root = etree.fromstring(_sign(pki, chain=[_der(pki, "root")]))
    certificates = root.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    assert [base64.b64decode(c.text or "") for c in certificates] == [
        _der(pki, "issuing"),
        _der(pki, "root"),
    ]


def test_the_signature_value_is_rsa_sha256_over_canonical_signed_info(
    signature: etree._Element, pki: TestPki
) -> None:
    info = signature.find("ds:SignedInfo", NS)
    assert info is not None
    canonical = etree.tostring(info, method="c14n", exclusive=True)
    value = base64.b64decode(signature.findtext("ds:SignatureValue", namespaces=NS) or "")
    # Raises InvalidSignature unless the value is RSASSA-PKCS1-v1_5 with SHA-256.
    pki.issuing_ca.private_key.public_key().verify(
        value, canonical, padding.PKCS1v15(), hashes.SHA256()
    )


def test_the_signed_properties_name_time_certificate_and_policy(
    signature: etree._Element, pki: TestPki
) -> None:
    (qualifying,) = signature.findall("ds:Object/xades:QualifyingProperties", NS)
    assert dict(qualifying.attrib) == {"Target": "#1.2.250.1.213.1.1.9.3"}
    (signed,) = qualifying.findall("xades:SignedProperties", NS)
    assert dict(signed.attrib) == {"Id": "S0-SignedProperties"}
    properties = signed.find("xades:SignedSignatureProperties", NS)
    assert properties is not None
    assert properties.findtext("xades:SigningTime", namespaces=NS) == "2026-12-06T10:30:05Z"
    cert = properties.find("xades:SigningCertificate/xades:Cert", NS)
    assert cert is not None
    assert cert.find("xades:CertDigest/ds:DigestMethod", NS).get("Algorithm") == SHA256
    assert cert.findtext("xades:CertDigest/ds:DigestValue", namespaces=NS) == _b64_sha256(
        _der(pki, "issuing")
    )
    issuer = cert.findtext("xades:IssuerSerial/ds:X509IssuerName", namespaces=NS) or ""
    # The issuing CA's issuer is the test root, as RFC 4514 writes a DN: "CN=...,O=...,C=FR".
    assert re.fullmatch(r"CN=[^,]+(,[A-Z]+=[^,]+)*", issuer)
    assert issuer == pki.root.certificate.subject.rfc4514_string()
    serial = cert.findtext("xades:IssuerSerial/ds:X509SerialNumber", namespaces=NS)
    assert serial == str(pki.issuing_ca.certificate.serial_number)
    policy = properties.find("xades:SignaturePolicyIdentifier", NS)
    assert policy is not None
    assert [child.tag for child in policy] == [f"{{{XADES}}}SignaturePolicyImplied"]


def test_the_purpose_of_signature_is_source(signature: etree._Element) -> None:
    properties = signature.findall("ds:Object/ds:SignatureProperties/ds:SignatureProperty", NS)
    assert [(dict(p.attrib), p.text) for p in properties] == [
        (
            {"Id": "purposeOfSignature", "Target": "#1.2.250.1.213.1.1.9.3"},
            "1.2.840.10065.1.12.1.14",
        )
    ]


@pytest.fixture
def far_east_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone is UTC+14 (Line Islands) for the test."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("far_east_clock")
def test_the_signing_time_is_utc_whatever_the_local_zone(pki: TestPki) -> None:
    root = etree.fromstring(_sign(pki))
    signing_time = root.findtext(".//xades:SigningTime", namespaces=NS)
    assert signing_time == "2026-12-06T10:30:05Z"
