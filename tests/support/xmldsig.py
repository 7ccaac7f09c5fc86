"""Two independent verifiers of an enveloped XML-DSig (a VIHF): signxml and xmlsec1."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier

from cardbridge.dmp.vihf import NSMAP

SAML_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"


def verify_signxml(xml: bytes, certificate_pem: str) -> None:
    """Raise ``signxml.InvalidSignature`` unless ``certificate_pem``'s key signed ``xml``."""
    XMLVerifier().verify(
        xml, x509_cert=certificate_pem, expect_config=SignatureConfiguration(require_x509=True)
    )


def verify_xmlsec1(xml: bytes, certificate_pem: str) -> bool:
    """Whether ``xmlsec1 --verify`` accepts ``xml`` with ``certificate_pem``'s key."""
    xmlsec1 = shutil.which("xmlsec1")
    assert xmlsec1, "xmlsec1 is installed by `make test` (Debian package xmlsec1)"
    with tempfile.TemporaryDirectory() as folder:
        document, certificate = Path(folder, "vihf.xml"), Path(folder, "cert.pem")
        document.write_bytes(xml)
        certificate.write_text(certificate_pem)
        result = subprocess.run(
            [
                xmlsec1,
                "--verify",
                "--pubkey-cert-pem",
                str(certificate),
                "--id-attr:ID",
                SAML_ASSERTION,
                str(document),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    return result.returncode == 0


def attribute_values(xml: bytes, name: str) -> list[etree._Element]:
    """The ``AttributeValue`` elements of the SAML attribute ``name``."""
    root = etree.fromstring(xml)
    return root.findall(f".//saml2:Attribute[@Name='{name}']/saml2:AttributeValue", NSMAP)


def attribute_texts(xml: bytes, name: str) -> list[str | None]:
    return [value.text for value in attribute_values(xml, name)]
