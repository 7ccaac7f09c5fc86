"""VIHF assertions: content, and signatures that xmlsec1 and signxml accept until tampered."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import InvalidSignature

from cardbridge.dmp.access import AccessMode
from cardbridge.dmp.vihf import (
    NSMAP,
    LabelledCode,
    LpsInfo,
    VihfRequest,
    build_assertion,
    issuer_from_certificate,
    sign_assertion,
)
from cardbridge.errors import InvalidInputError
from tests.support.xmldsig import attribute_texts, attribute_values, verify_signxml, verify_xmlsec1

NOW = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def signing_key() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR")]),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.TITLE, "Médecin")]),
            x509.RelativeDistinguishedName(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, "810001234567"),
                    x509.NameAttribute(NameOID.SURNAME, "LE QUINIO"),
                    x509.NameAttribute(NameOID.GIVEN_NAME, "PIERRE"),
                ]
            ),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return key, cert


LPS = LpsInfo("cardbridge-test", "cardbridge", "0.1.0", "HOMOLOG-1")
PATIENT_CX = "295109912611193^^^&1.2.250.1.213.1.4.10&ISO^NH"


REASON = "Patient inconscient admis aux urgences"


def request(
    issuer: str,
    mode: AccessMode = AccessMode.NORMAL,
    lps: LpsInfo = LPS,
    *,
    secret: bool = False,
    patient_cx: str | None = PATIENT_CX,
) -> VihfRequest:
    return VihfRequest(
        national_id="810001234567",
        last_name="LE QUINIO",
        first_name="PIERRE",
        profession=LabelledCode("10", "Médecin"),
        specialty=LabelledCode("SM26", "Qualifié en Médecine générale (SM)"),
        structure_id="499700735741008",
        sector="SA07",
        patient_cx=patient_cx,
        mode=mode,
        issuer=issuer,
        lps=lps,
        reason=None if mode is AccessMode.NORMAL else REASON,
        secret=secret,
    )


def signed(
    key: rsa.RSAPrivateKey,
    cert: x509.Certificate,
    mode: AccessMode,
    lps: LpsInfo = LPS,
    **options: Any,
) -> bytes:
    issuer = issuer_from_certificate(cert.public_bytes(serialization.Encoding.DER))
    assertion = build_assertion(
        request(issuer, mode, lps, **options),
        now=NOW,
        validity=dt.timedelta(minutes=30),
        assertion_id="_vihf-1",
    )
    return sign_assertion(
        assertion,
        lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA256()),
        cert.public_bytes(serialization.Encoding.DER),
    )


def test_content(signing_key: tuple[rsa.RSAPrivateKey, x509.Certificate]) -> None:
    key, cert = signing_key
    xml = signed(key, cert, AccessMode.EMERGENCY)
    root = etree.fromstring(xml)
    assert root.findtext("saml2:Subject/saml2:NameID", namespaces=NSMAP) == "810001234567"
    issuer = root.findtext("saml2:Issuer", namespaces=NSMAP) or ""
    first_rdn, title, country = issuer.split(",")
    assert sorted(first_rdn.split("+")) == ["CN=810001234567", "GN=PIERRE", "SN=LE QUINIO"]
    assert (title, country) == ("title=Médecin", "C=FR")
    assert root[1].tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"
    roles = attribute_values(xml, "urn:oasis:names:tc:xacml:2.0:subject:role")
    assert [(r[0].get("code"), r[0].get("codeSystem")) for r in roles] == [
        ("10", "1.2.250.1.71.1.2.7"),
        ("SM26", "1.2.250.1.71.4.2.5"),
    ]
    purpose = attribute_values(xml, "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse")[0][0]
    assert (purpose.get("code"), purpose.get("codeSystem")) == (
        "bris_de_glace",
        "1.2.250.1.213.1.1.4.248",
    )
    # The emergency's reason, which the DMP keeps in the access history the patient reads.
    assert attribute_texts(xml, "Mode_Acces_Raison") == [REASON]
    assert (
        attribute_values(
            xml, "urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code"
        )
        == []
    )  # no secret access asked
    assert attribute_values(xml, "Secteur_Activite")[0].text == "SA07^1.2.250.1.71.4.2.4"
    assert attribute_values(xml, "Authentification_mode")[0].text == "DIRECTE"
    assert attribute_values(xml, "VIHF_Version")[0].text == "3.0"
    assert attribute_texts(xml, "urn:oasis:names:tc:xacml:2.0:resource:resource-id") == [PATIENT_CX]
    assert attribute_texts(xml, "Ressource_URN") == ["urn:dmp"]
    assert root.findtext(".//saml2:AuthnContextClassRef", namespaces=NSMAP) == (
        "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI"
    )
    assert attribute_texts(xml, "LPS_ID") == ["cardbridge-test"]
    assert attribute_texts(xml, "LPS_Nom") == ["cardbridge"]
    assert attribute_texts(xml, "LPS_Version") == ["0.1.0"]
    assert attribute_texts(xml, "LPS_ID_HOMOLOGATION_DMP") == ["HOMOLOG-1"]
    conditions = root.find("saml2:Conditions", NSMAP)
    assert conditions is not None
    assert conditions.get("NotOnOrAfter") == "2026-11-26T10:00:00Z"


def test_normal_access_states_no_reason(
    signing_key: tuple[rsa.RSAPrivateKey, x509.Certificate],
) -> None:
    key, cert = signing_key
    xml = signed(key, cert, AccessMode.NORMAL)
    assert attribute_values(xml, "Mode_Acces_Raison") == []
    with pytest.raises(InvalidInputError, match="reason"):
        VihfRequest(**{**vars_of(request("CN=x")), "reason": "Sans objet"})
    with pytest.raises(InvalidInputError, match="reason"):
        VihfRequest(**{**vars_of(request("CN=x", AccessMode.REGULATION)), "reason": None})


def vars_of(value: VihfRequest) -> dict[str, Any]:
    return {name: getattr(value, name) for name in VihfRequest.__dataclass_fields__}


def test_secret_access_for_a_minor_states_the_confidentiality_code(
    signing_key: tuple[rsa.RSAPrivateKey, x509.Certificate],
) -> None:
    key, cert = signing_key
    xml = signed(key, cert, AccessMode.NORMAL, secret=True)
    # The one value of JDV_J64, as the ANS IG writes it (code^code system).
    assert attribute_texts(
        xml, "urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code"
    ) == ["INVISIBLE_REPRESENTANTS_LEGAUX^1.2.250.1.213.1.1.4.13"]
    assert verify_xmlsec1(xml, pem(cert))


def test_a_vihf_about_no_patient_has_no_resource(
    signing_key: tuple[rsa.RSAPrivateKey, x509.Certificate],
) -> None:
    """TD0.4 (one's authorized DMPs) is about no patient: no resource-id."""
    key, cert = signing_key
    xml = signed(key, cert, AccessMode.NORMAL, patient_cx=None)
    assert attribute_values(xml, "urn:oasis:names:tc:xacml:2.0:resource:resource-id") == []
    assert attribute_texts(xml, "Ressource_URN") == ["urn:dmp"]
    assert verify_xmlsec1(xml, pem(cert))


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_no_homologation_attribute_without_a_homologation(
    signing_key: tuple[rsa.RSAPrivateKey, x509.Certificate],
) -> None:
    key, cert = signing_key
    xml = signed(key, cert, AccessMode.NORMAL, LpsInfo("cardbridge", "cardbridge", "1.2.3"))
    assert attribute_values(xml, "LPS_ID_HOMOLOGATION_DMP") == []
    assert attribute_texts(xml, "LPS_Version") == ["1.2.3"]
    verify_signxml(xml, pem(cert))


@pytest.mark.parametrize("mode", list(AccessMode))
def test_signature_verifies_with_both_tools(
    signing_key: tuple[rsa.RSAPrivateKey, x509.Certificate], mode: AccessMode
) -> None:
    key, cert = signing_key
    xml = signed(key, cert, mode)
    verify_signxml(xml, pem(cert))
    assert verify_xmlsec1(xml, pem(cert))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"499700735741008", b"499700735741009"),
        (b"SA07^", b"SA01^"),
        (b'code="normal"', b'code="centre_15"'),
        (b"295109912611193", b"295109912611194"),
        (b"<saml2:NameID>810001234567", b"<saml2:NameID>810001234568"),
        (b"2026-11-26T10:00:00Z", b"2027-11-26T10:00:00Z"),
    ],
)
def test_tampering_breaks_the_signature(
    signing_key: tuple[rsa.RSAPrivateKey, x509.Certificate],
    old: bytes,
    new: bytes,
) -> None:
    key, cert = signing_key
    xml = signed(key, cert, AccessMode.NORMAL)
    assert old in xml
    tampered = xml.replace(old, new, 1)
    with pytest.raises(InvalidSignature):
        verify_signxml(tampered, pem(cert))
    assert not verify_xmlsec1(tampered, pem(cert))


def test_tampering_with_the_reason_breaks_the_signature(
    signing_key: tuple[rsa.RSAPrivateKey, x509.Certificate],
) -> None:
    key, cert = signing_key
    xml = signed(key, cert, AccessMode.EMERGENCY)
    tampered = xml.replace(b"admis aux urgences", b"admis en consultation", 1)
    assert tampered != xml
    assert verify_xmlsec1(xml, pem(cert))
    assert not verify_xmlsec1(tampered, pem(cert))
