"""Who is calling, in process: :func:`authenticate` on the VIHF of a ``wsse:Security``
header, the TLS client the server saw, the test PKI and the default seed's directory.

Each refusal is checked to the fault, the location and the detail the service answers
(docs/dmp-sandbox.md, "VIHF"): the signature (exclusive c14n, a signing certificate of the
test PKI with nonRepudiation, valid now), the TLS client against the VIHF (the practitioner
in direct mode, the structure in indirect modes) and the directory. Signatures are made by
signxml (testkit/dmp_messages.py), certificates by cryptography.
(test_vihf_rules.py checks the same rules over mutual TLS.)
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner, methods  # type: ignore[attr-defined]

from cardbridge.emulator.pki import CertifiedKey, TestPki
from cardbridge.emulator.pki_organisations import OrganisationPki
from cardbridge.sandbox.app import build_sandbox
from cardbridge.sandbox.authentication import Caller, authenticate
from cardbridge.sandbox.faults import Fault, ServiceFault
from cardbridge.sandbox.service import Sandbox
from cardbridge.sandbox.tls import ClientIdentity, ClientKind, identify_client
from testkit.dmp_messages import build_vihf, sign_vihf
from testkit.dmp_sandbox import Identity, practitioner

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
SIGNATURE = "Assertion/ds:Signature"
KEY_INFO = "Assertion/ds:Signature/KeyInfo"
STRUCTURE = "Assertion/AttributeStatement/Attribute[@Name='Identifiant_Structure']"
NAME_ID = "Assertion/Subject/NameID"


@pytest.fixture(scope="module")
def sandbox(
    tmp_path_factory: pytest.TempPathFactory, data_dir: Path, organisations: OrganisationPki
) -> Iterator[Sandbox]:
    """The default seed's sandbox (its PKI is the session's ``organisations``)."""
    built = build_sandbox(tmp_path_factory.mktemp("authentication"), pki_dir=data_dir)
    yield built
    built.store.close()


def security(assertion: etree._Element | None) -> etree._Element:
    header = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE})
    if assertion is not None:
        header.append(assertion)
    return header


def client_of(identity: Identity, sandbox: Sandbox) -> ClientIdentity:
    der = identity.tls.certificate.public_bytes(serialization.Encoding.DER)
    return identify_client(der, sandbox.pki)


def call(
    sandbox: Sandbox,
    vihf: etree._Element | None,
    client: ClientIdentity,
    *,
    now: datetime | None = None,
    patient_required: bool = True,
    header: etree._Element | None = None,
) -> Caller:
    return authenticate(
        header if header is not None else security(vihf),
        client,
        sandbox.pki,
        sandbox.store,
        now or datetime.now(UTC),
        patient_required=patient_required,
    )


def refusal(
    sandbox: Sandbox, vihf: etree._Element | None, client: ClientIdentity, **options: object
) -> tuple[Fault, str, str | None]:
    with pytest.raises(ServiceFault) as caught:
        call(sandbox, vihf, client, **options)  # type: ignore[arg-type]
    return caught.value.kind, caught.value.location, caught.value.detail


def issue(
    issuer: CertifiedKey,
    subject: x509.Name,
    *,
    key_usage: x509.KeyUsage | None,
    validity: tuple[datetime, datetime] | None = None,
) -> CertifiedKey:
    """A certificate for a new key, issued by ``issuer`` with only the key usage given."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start, end = validity or (
        datetime.now(UTC) - timedelta(days=1),
        datetime.now(UTC) + timedelta(days=30),
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
    )
    if key_usage is not None:
        builder = builder.add_extension(key_usage, critical=True)
    return CertifiedKey(builder.sign(issuer.private_key, hashes.SHA256()), key)


def usage(*, content_commitment: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def practitioner_name(national_id: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, national_id)])


def signed_by(identity: Identity, signer: CertifiedKey) -> etree._Element:
    return sign_vihf(build_vihf(identity.vihf), signer.private_key, signer.certificate)


# --- accepted -------------------------------------------------------------------------


def test_a_signed_direct_vihf(sandbox: Sandbox, demo_doctor: Identity) -> None:
    caller = call(sandbox, demo_doctor.signed(), client_of(demo_doctor, sandbox))
    assert caller.actor_id == "899700735741"
    assert caller.claims.structure_id == "499700735741008"
    assert caller.client.identifier == "899700735741"


def test_an_unsigned_direct_vihf(sandbox: Sandbox, demo_doctor: Identity) -> None:
    caller = call(sandbox, build_vihf(demo_doctor.vihf), client_of(demo_doctor, sandbox))
    assert caller.actor_id == "899700735741"


def test_an_indirect_vihf_acts_for_the_structure(sandbox: Sandbox, hospital: Identity) -> None:
    """The structure is in the directory without situations: none is looked for."""
    caller = call(sandbox, hospital.signed(), client_of(hospital, sandbox))
    assert caller.actor_id == "10B0307377"
    assert caller.claims.actor_id == "LOCAL-USER-42"


def test_the_patient_only_where_the_transaction_needs_one(
    sandbox: Sandbox, demo_doctor: Identity
) -> None:
    vihf = demo_doctor.signed(demo_doctor.vihf.but(patient=None))
    client = client_of(demo_doctor, sandbox)
    assert call(sandbox, vihf, client, patient_required=False).claims.patient is None
    with pytest.raises(ServiceFault):  # by default, a patient is required
        authenticate(security(vihf), client, sandbox.pki, sandbox.store, datetime.now(UTC))
    kind, location, _ = refusal(sandbox, vihf, client)
    assert (kind, location) == (
        Fault.VIHF_INVALID,
        "Assertion/AttributeStatement/Attribute"
        "[@Name='urn:oasis:names:tc:xacml:2.0:resource:resource-id']",
    )


# --- the header and the signature ------------------------------------------------------


def test_no_vihf(sandbox: Sandbox, demo_doctor: Identity) -> None:
    client = client_of(demo_doctor, sandbox)
    expected = (Fault.VIHF_MISSING, f"/Envelope/Header/{{{WSSE}}}Security", None)
    assert refusal(sandbox, None, client) == expected
    with pytest.raises(ServiceFault) as caught:
        authenticate(None, client, sandbox.pki, sandbox.store, datetime.now(UTC))
    assert (caught.value.kind, caught.value.location) == expected[:2]


@pytest.mark.parametrize("algorithm", ["http://www.w3.org/TR/2001/REC-xml-c14n-20010315", None])
def test_exclusive_canonicalisation_only(
    sandbox: Sandbox, demo_doctor: Identity, algorithm: str | None
) -> None:
    vihf = demo_doctor.signed()
    method = vihf.find(f".//{{{DS}}}CanonicalizationMethod")
    assert method is not None
    if algorithm is None:
        method.getparent().remove(method)  # type: ignore[union-attr]
    else:
        method.set("Algorithm", algorithm)
    assert refusal(sandbox, vihf, client_of(demo_doctor, sandbox)) == (
        Fault.SIGNATURE_INVALID,
        SIGNATURE,
        "c14n exclusive attendue",
    )


@pytest.mark.parametrize("text", [base64.b64encode(b"not a certificate").decode(), None])
def test_an_unreadable_signing_certificate(
    sandbox: Sandbox, demo_doctor: Identity, text: str | None
) -> None:
    vihf = demo_doctor.signed()
    element = vihf.find(f".//{{{DS}}}X509Certificate")
    assert element is not None
    if text is None:
        element.getparent().remove(element)  # type: ignore[union-attr]
    else:
        element.text = text
    assert refusal(sandbox, vihf, client_of(demo_doctor, sandbox)) == (
        Fault.SIGNATURE_CERTIFICATE,
        KEY_INFO,
        "certificat illisible",
    )


OUTSIDE = (Fault.SIGNATURE_CERTIFICATE, KEY_INFO, "certificat hors de l'IGC de test")


def test_a_signer_of_another_pki(
    sandbox: Sandbox, demo_doctor: Identity, tmp_path_factory: pytest.TempPathFactory
) -> None:
    stranger = practitioner(
        TestPki.load_or_create(tmp_path_factory.mktemp("foreign")),
        "899700735741",
        "LE QUINIO",
        "PIERRE",
        "Médecin",
        demo_doctor.vihf,
    )
    assert refusal(sandbox, stranger.signed(), client_of(demo_doctor, sandbox)) == OUTSIDE


def test_a_signer_of_an_unknown_ca(sandbox: Sandbox, demo_doctor: Identity) -> None:
    """Issued by a CA whose name is none of the test PKI's."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    unknown = issue(
        CertifiedKey(sandbox.pki.ca.certificate, ca_key),
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "AC INCONNUE")]),
        key_usage=None,
    )
    signer = issue(
        unknown, practitioner_name("899700735741"), key_usage=usage(content_commitment=True)
    )
    vihf = signed_by(demo_doctor, signer)
    assert refusal(sandbox, vihf, client_of(demo_doctor, sandbox)) == OUTSIDE


@pytest.mark.parametrize("which", ["practitioners", "structures"])
def test_a_signer_naming_a_test_ca_without_its_signature(
    sandbox: Sandbox, demo_doctor: Identity, which: str
) -> None:
    """The issuer's name is the test CA's, the signature another key's."""
    ca = sandbox.pki.root.issuing_ca if which == "practitioners" else sandbox.pki.ca
    impostor = CertifiedKey(
        ca.certificate, rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    signer = issue(
        impostor, practitioner_name("899700735741"), key_usage=usage(content_commitment=True)
    )
    vihf = signed_by(demo_doctor, signer)
    assert refusal(sandbox, vihf, client_of(demo_doctor, sandbox)) == OUTSIDE


def test_signers_of_both_test_cas_are_accepted(sandbox: Sandbox, hospital: Identity) -> None:
    """The practitioners' CA signs the cards, the structures' CA the structures' SIGN."""
    direct = call(sandbox, hospital.signed(), client_of(hospital, sandbox))
    assert direct.actor_id == "10B0307377"


@pytest.mark.parametrize(
    "key_usage", [usage(content_commitment=False), None], ids=["no nonRepudiation", "no usage"]
)
def test_the_signer_must_have_non_repudiation(
    sandbox: Sandbox, demo_doctor: Identity, key_usage: x509.KeyUsage | None
) -> None:
    signer = issue(
        sandbox.pki.root.issuing_ca, practitioner_name("899700735741"), key_usage=key_usage
    )
    vihf = signed_by(demo_doctor, signer)
    assert refusal(sandbox, vihf, client_of(demo_doctor, sandbox)) == (
        Fault.SIGNATURE_CERTIFICATE,
        KEY_INFO,
        None,
    )


def test_the_signers_validity_to_the_second(sandbox: Sandbox, demo_doctor: Identity) -> None:
    # Around the real time: signxml checks the certificate against the clock too.
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    end = start + timedelta(days=2)
    signer = issue(
        sandbox.pki.root.issuing_ca,
        practitioner_name("899700735741"),
        key_usage=usage(content_commitment=True),
        validity=(start, end),
    )
    client = client_of(demo_doctor, sandbox)
    expired = (Fault.SIGNATURE_CERTIFICATE, KEY_INFO, "certificat expiré")
    for now, accepted in (
        (start - timedelta(seconds=1), False),
        (start, True),
        (end, True),
        (end + timedelta(seconds=1), False),
    ):
        vihf = sign_vihf(
            build_vihf(demo_doctor.vihf.but(issued=now)), signer.private_key, signer.certificate
        )
        if accepted:
            assert call(sandbox, vihf, client, now=now).actor_id == "899700735741"
        else:
            assert refusal(sandbox, vihf, client, now=now) == expired


def test_a_changed_signed_attribute(sandbox: Sandbox, demo_doctor: Identity) -> None:
    vihf = demo_doctor.signed()
    software = vihf.find(".//{urn:oasis:names:tc:SAML:2.0:assertion}Attribute[@Name='LPS_Nom']")
    assert software is not None
    software[0].text = "AUTRE LOGICIEL"
    kind, location, detail = refusal(sandbox, vihf, client_of(demo_doctor, sandbox))
    assert (kind, location) == (Fault.SIGNATURE_INVALID, SIGNATURE)
    assert detail is not None
    assert "Digest mismatch" in detail  # signxml's own words, passed on


def test_a_signature_over_another_assertion_inside(sandbox: Sandbox, demo_doctor: Identity) -> None:
    """Signature wrapping: the signature's reference names an assertion nested in the VIHF,
    not the VIHF itself; what was signed is not what would be read."""
    outer, inner = build_vihf(demo_doctor.vihf), build_vihf(demo_doctor.vihf)
    advice = etree.SubElement(outer, "{urn:oasis:names:tc:SAML:2.0:assertion}Advice")
    advice.append(inner)
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
    )
    key = demo_doctor.signer.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert = demo_doctor.signer.certificate.public_bytes(serialization.Encoding.PEM).decode()
    wrapped = signer.sign(outer, key=key, cert=[cert], reference_uri="#" + inner.get("ID", ""))
    assert refusal(sandbox, wrapped, client_of(demo_doctor, sandbox)) == (
        Fault.SIGNATURE_INVALID,
        SIGNATURE,
        "la signature ne couvre pas le VIHF",
    )


def test_rsa_sha1_signatures_of_the_ans_samples(sandbox: Sandbox, demo_doctor: Identity) -> None:
    """The ANS samples (2019) are signed RSA-SHA1, which signxml refuses unless told."""
    caller = call(sandbox, demo_doctor.signed(sha1=True), client_of(demo_doctor, sandbox))
    assert caller.actor_id == "899700735741"


def test_the_claims_are_read_from_what_was_signed(sandbox: Sandbox, demo_doctor: Identity) -> None:
    """A signed VIHF is read as signxml verified it: an attribute added after signing
    breaks the signature rather than being read."""
    vihf = demo_doctor.signed()
    statement = vihf.find("{urn:oasis:names:tc:SAML:2.0:assertion}AttributeStatement")
    assert statement is not None
    statement.append(
        etree.fromstring(
            '<saml2:Attribute xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" Name="X">'
            "<saml2:AttributeValue>1</saml2:AttributeValue></saml2:Attribute>"
        )
    )
    kind, location, _ = refusal(sandbox, vihf, client_of(demo_doctor, sandbox))
    assert (kind, location) == (Fault.SIGNATURE_INVALID, SIGNATURE)


# --- direct mode: the TLS client and the signer are the practitioner -------------------

NOT_THIS_PRACTITIONER = "le certificat TLS n'est pas celui de ce professionnel"


def test_direct_with_another_practitioners_tls_certificate(
    sandbox: Sandbox, demo_doctor: Identity, other_doctor: Identity
) -> None:
    assert refusal(sandbox, demo_doctor.signed(), client_of(other_doctor, sandbox)) == (
        Fault.TLS_CERTIFICATE,
        NAME_ID,
        NOT_THIS_PRACTITIONER,
    )


def test_direct_with_a_structures_tls_certificate(
    sandbox: Sandbox, demo_doctor: Identity, hospital: Identity
) -> None:
    """A structure's certificate naming the practitioner's id is still not his."""
    client = ClientIdentity(ClientKind.STRUCTURE, "899700735741", None)
    assert refusal(sandbox, demo_doctor.signed(), client) == (
        Fault.TLS_CERTIFICATE,
        NAME_ID,
        NOT_THIS_PRACTITIONER,
    )
    assert refusal(sandbox, demo_doctor.signed(), client_of(hospital, sandbox))[:2] == (
        Fault.TLS_CERTIFICATE,
        NAME_ID,
    )


def test_direct_without_a_usable_tls_certificate_says_why(
    sandbox: Sandbox, demo_doctor: Identity
) -> None:
    client = ClientIdentity(ClientKind.REFUSED, None, None, "aucun certificat client")
    assert refusal(sandbox, demo_doctor.signed(), client) == (
        Fault.TLS_CERTIFICATE,
        NAME_ID,
        "aucun certificat client",
    )


@pytest.mark.parametrize("signer", ["other_doctor", "hospital"])
def test_direct_signed_by_someone_else(
    sandbox: Sandbox, demo_doctor: Identity, signer: str, request: pytest.FixtureRequest
) -> None:
    other: Identity = request.getfixturevalue(signer)
    vihf = signed_by(demo_doctor, other.signer)
    assert refusal(sandbox, vihf, client_of(demo_doctor, sandbox)) == (
        Fault.SIGNATURE_CERTIFICATE,
        KEY_INFO,
        "autre signataire",
    )


def test_direct_signed_by_a_certificate_without_common_name(
    sandbox: Sandbox, demo_doctor: Identity
) -> None:
    signer = issue(
        sandbox.pki.root.issuing_ca,
        x509.Name([x509.NameAttribute(NameOID.SURNAME, "LE QUINIO")]),
        key_usage=usage(content_commitment=True),
    )
    assert refusal(sandbox, signed_by(demo_doctor, signer), client_of(demo_doctor, sandbox)) == (
        Fault.SIGNATURE_CERTIFICATE,
        KEY_INFO,
        "autre signataire",
    )


def test_direct_in_an_unknown_structure(sandbox: Sandbox, demo_doctor: Identity) -> None:
    vihf = demo_doctor.signed(demo_doctor.vihf.but(structure_id="499999999999999"))
    assert refusal(sandbox, vihf, client_of(demo_doctor, sandbox)) == (
        Fault.STRUCTURE_UNKNOWN,
        STRUCTURE,
        None,
    )


@pytest.mark.parametrize(
    "change",
    [{"structure_id": "410002813839001"}, {"sector": "SA01"}],
    ids=["another practitioner's structure", "another sector"],
)
def test_direct_outside_the_practitioners_situations(
    sandbox: Sandbox, demo_doctor: Identity, change: dict[str, str]
) -> None:
    vihf = demo_doctor.signed(demo_doctor.vihf.but(**change))
    assert refusal(sandbox, vihf, client_of(demo_doctor, sandbox)) == (
        Fault.PS_STRUCTURE_UNLINKED,
        STRUCTURE,
        None,
    )


def test_the_situation_of_another_practitioner(
    sandbox: Sandbox, demo_doctor: Identity, other_doctor: Identity
) -> None:
    """The other doctor's structure and sector, claimed by the demo doctor: his own
    situation is looked for, not any situation of that structure."""
    vihf = demo_doctor.signed(
        demo_doctor.vihf.but(structure_id=other_doctor.vihf.structure_id, sector="SA07")
    )
    assert refusal(sandbox, vihf, client_of(demo_doctor, sandbox))[0] is Fault.PS_STRUCTURE_UNLINKED
    assert call(sandbox, other_doctor.signed(), client_of(other_doctor, sandbox)).actor_id == (
        "810002813839"
    )


# --- indirect modes: the TLS client and the signer are the structure -------------------

OTHER_STRUCTURE_TLS = (Fault.LEGAL_PERSON, STRUCTURE, "certificat TLS d'une autre structure")


def test_indirect_with_a_practitioners_tls_certificate(
    sandbox: Sandbox, hospital: Identity, demo_doctor: Identity
) -> None:
    assert refusal(sandbox, hospital.signed(), client_of(demo_doctor, sandbox)) == (
        OTHER_STRUCTURE_TLS
    )
    named = ClientIdentity(ClientKind.PRACTITIONER, "10B0307377", None)
    assert refusal(sandbox, hospital.signed(), named) == OTHER_STRUCTURE_TLS


def test_indirect_with_another_structures_tls_certificate(
    sandbox: Sandbox, hospital: Identity
) -> None:
    other = ClientIdentity(ClientKind.STRUCTURE, "10B0307378", None)
    assert refusal(sandbox, hospital.signed(), other) == OTHER_STRUCTURE_TLS


def test_indirect_must_be_signed(sandbox: Sandbox, hospital: Identity) -> None:
    assert refusal(sandbox, build_vihf(hospital.vihf), client_of(hospital, sandbox)) == (
        Fault.VIHF_INVALID,
        SIGNATURE,
        "signature obligatoire en indirect",
    )


@pytest.mark.parametrize("signer", ["demo_doctor", "other structure"])
def test_indirect_signed_by_another(
    sandbox: Sandbox, hospital: Identity, signer: str, request: pytest.FixtureRequest
) -> None:
    if signer == "demo_doctor":
        key = request.getfixturevalue("demo_doctor").signer
    else:
        key = sandbox.pki.issue_structure_certificates("10B0307378", "AUTRE").signature
    vihf = signed_by(hospital, key)
    assert refusal(sandbox, vihf, client_of(hospital, sandbox)) == (
        Fault.LEGAL_PERSON,
        STRUCTURE,
        "VIHF signé par une autre structure",
    )


def test_indirect_for_a_structure_outside_the_directory(
    sandbox: Sandbox, hospital: Identity
) -> None:
    pair = sandbox.pki.issue_structure_certificates("10B0307379", "INCONNUE")
    stranger = Identity(
        "10B0307379",
        pair.authentication,
        pair.signature,
        hospital.vihf.but(structure_id="10B0307379"),
    )
    assert refusal(sandbox, stranger.signed(), client_of(stranger, sandbox)) == (
        Fault.STRUCTURE_UNKNOWN,
        STRUCTURE,
        None,
    )
