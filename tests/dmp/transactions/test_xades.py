"""The XAdES signature document of a deposit, verified by xmlsec1 against the test PKI's
root (the signature certificate chains to it), and its manifest's digests recomputed
from the CDA the DMP stores."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree

from cardbridge.dmp.transactions.deposit import DepositRequest
from cardbridge.emulator.pki import TestPki
from testkit.dmp_sandbox import Identity
from testkit.sample_files import pdf_of_size
from tests.dmp.transactions import media
from tests.dmp.transactions.conftest import DEMO_AUTHOR, PIERRE_TRAITS, Depositor, Recording, form

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
NS = {"ds": DS, "xades": XADES}


def xmlsec1_verify(
    signature: bytes, pki: TestPki, documents: dict[str, bytes]
) -> subprocess.CompletedProcess[str]:
    """``xmlsec1 --verify`` trusting the test root only (the issuing CA is given as an
    untrusted intermediate, the signer's certificate comes from the signature's KeyInfo),
    with each manifest reference ``urn:oid:<uniqueId>`` mapped to that document's bytes:
    xmlsec1 checks their digests too."""
    xmlsec1 = shutil.which("xmlsec1")
    assert xmlsec1, "xmlsec1 is installed by `make test` (Debian package xmlsec1)"
    with tempfile.TemporaryDirectory() as folder:
        files = Path(folder)
        (files / "root.pem").write_bytes(pki.trust_anchors_pem())
        (files / "issuing.pem").write_bytes(pki.intermediates_pem())
        (files / "signature.xml").write_bytes(signature)
        mapped: list[str] = []
        for number, (unique_id, data) in enumerate(documents.items()):
            (files / f"document{number}.xml").write_bytes(data)
            mapped += [f"--url-map:urn:oid:{unique_id}", str(files / f"document{number}.xml")]
        return subprocess.run(
            [
                xmlsec1,
                "--verify",
                "--trusted-pem",
                str(files / "root.pem"),
                "--untrusted-pem",
                str(files / "issuing.pem"),
                "--id-attr:Id",
                f"{DS}:Manifest",
                "--id-attr:Id",
                f"{XADES}:SignedProperties",
                "--enabled-reference-uris",
                "same-doc,remote",
                *mapped,
                str(files / "signature.xml"),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )


@pytest.fixture
def deposited(depositor: Depositor, demo_doctor: Identity) -> tuple[bytes, str, bytes]:
    """A PDF deposited by the demo doctor: the signature document sent, the document's
    uniqueId and the CDA the DMP stores."""
    recording = Recording(depositor.transport_for(demo_doctor))
    request = DepositRequest(form(), media.pdf(), PIERRE_TRAITS, DEMO_AUTHOR)
    receipt = depositor.deposit(demo_doctor, request, recording)
    (call,) = recording.calls
    signature = call.attachments["signature01@cardbridge"]
    return signature, receipt.unique_id, depositor.stored_cda(demo_doctor, receipt.unique_id)


def test_xmlsec1_verifies_the_signature_with_the_test_root(
    deposited: tuple[bytes, str, bytes], test_pki: TestPki
) -> None:
    signature, unique_id, stored = deposited
    result = xmlsec1_verify(signature, test_pki, {unique_id: stored})
    assert result.returncode == 0, result.stderr
    assert "SignedInfo References (ok/all): 2/2" in result.stderr
    assert "Manifests References (ok/all): 1/1" in result.stderr


def test_xmlsec1_refuses_a_manifest_whose_document_changed(
    deposited: tuple[bytes, str, bytes], test_pki: TestPki
) -> None:
    signature, unique_id, stored = deposited
    changed = stored.replace(b"Compte rendu de consultation</title>", b"Autre titre</title>")
    assert changed != stored
    result = xmlsec1_verify(signature, test_pki, {unique_id: changed})
    # XML-DSig core validation covers SignedInfo; a manifest's references are reported.
    assert "data and digest do not match" in result.stderr
    assert "Manifests References (ok/all): 0/1" in result.stderr


def test_xmlsec1_refuses_a_signature_whose_signed_properties_changed(
    deposited: tuple[bytes, str, bytes], test_pki: TestPki
) -> None:
    root = etree.fromstring(deposited[0])
    signing_time = root.find(".//xades:SigningTime", NS)
    assert signing_time is not None
    signing_time.text = "2020-01-01T00:00:00Z"
    result = xmlsec1_verify(etree.tostring(root), test_pki, {deposited[1]: deposited[2]})
    assert result.returncode != 0


def test_xmlsec1_refuses_a_signature_by_another_key(
    deposited: tuple[bytes, str, bytes], test_pki: TestPki, other_doctor: Identity
) -> None:
    root = etree.fromstring(deposited[0])
    certificate = root.find(".//ds:X509Certificate", NS)
    assert certificate is not None
    other = other_doctor.signer.certificate.public_bytes(serialization.Encoding.DER)
    certificate.text = base64.b64encode(other).decode()
    result = xmlsec1_verify(etree.tostring(root), test_pki, {deposited[1]: deposited[2]})
    assert result.returncode != 0


def test_the_manifest_holds_the_digest_of_the_stored_cda(
    deposited: tuple[bytes, str, bytes],
) -> None:
    signature, unique_id, stored = deposited
    root = etree.fromstring(signature)
    references = root.findall("ds:Object/ds:Manifest[@Id='IHEManifest']/ds:Reference", NS)
    assert [r.get("URI") for r in references] == [f"urn:oid:{unique_id}"]
    transforms = references[0].findall("ds:Transforms/ds:Transform", NS)
    assert [t.get("Algorithm") for t in transforms] == ["http://www.w3.org/2001/10/xml-exc-c14n#"]
    assert references[0].find("ds:DigestMethod", NS).get("Algorithm") == (  # type: ignore[union-attr]
        "http://www.w3.org/2001/04/xmlenc#sha256"
    )
    canonical = etree.tostring(
        etree.fromstring(stored, etree.XMLParser(huge_tree=True)), method="c14n", exclusive=True
    )
    expected = base64.b64encode(hashlib.sha256(canonical).digest()).decode()
    assert references[0].findtext("ds:DigestValue", namespaces=NS) == expected


def test_the_signature_states_its_purpose_and_policy(deposited: tuple[bytes, str, bytes]) -> None:
    root = etree.fromstring(deposited[0])
    purpose = root.find(".//ds:SignatureProperty[@Id='purposeOfSignature']", NS)
    assert purpose is not None
    assert purpose.text == "1.2.840.10065.1.12.1.14"
    assert root.find(".//xades:SignaturePolicyImplied", NS) is not None


def test_a_large_document_with_escaped_characters_in_its_header_verifies(
    depositor: Depositor, demo_doctor: Identity, test_pki: TestPki
) -> None:
    """The manifest digest is computed as the CDA is built (its base64 spliced into the
    canonical header): xmlsec1 recomputes it from the stored CDA, a 5 MB PDF's, whose
    title holds what XML and canonical XML escape."""
    title = "Compte rendu <urgent> & « suivi »\t\"2/2\" 'été'\r\nfin"
    content = pdf_of_size(5_000_000)
    recording = Recording(depositor.transport_for(demo_doctor))
    request = DepositRequest(form(title=title), content, PIERRE_TRAITS, DEMO_AUTHOR)
    receipt = depositor.deposit(demo_doctor, request, recording)
    stored = depositor.stored_cda(demo_doctor, receipt.unique_id)
    (call,) = recording.calls
    result = xmlsec1_verify(
        call.attachments["signature01@cardbridge"], test_pki, {receipt.unique_id: stored}
    )
    assert result.returncode == 0, result.stderr
    assert "Manifests References (ok/all): 1/1" in result.stderr
    root = etree.fromstring(stored, etree.XMLParser(huge_tree=True))
    assert root.findtext("{urn:hl7-org:v3}title") == title  # the CR kept as &#13;
    body = root.findtext(".//{urn:hl7-org:v3}nonXMLBody/{urn:hl7-org:v3}text")
    assert base64.b64decode(body or "", validate=True) == content
