"""The emulator's test PKI: created once per data dir, IGC-Santé subjects, chains that verify."""

from __future__ import annotations

import stat
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import (
    ClientVerifier,
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from cardbridge.emulator.pki import (
    DEFAULT_OCSP_URL,
    PKI_DIRNAME,
    CardCertificates,
    CardHolderIdentity,
    TestPki,
)
from cardbridge.errors import ConfigError, InvalidInputError

Keys = tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]

HOLDER = CardHolderIdentity(
    national_id="810002813839",
    last_name="DONNAT-GADY",
    first_name="ISABELLE",
    profession="Médecin",
    email="isabelle.donnat-gady@test.invalid",
)


def issue(
    pki: TestPki, keys: Keys, holder: CardHolderIdentity = HOLDER, **kw: Any
) -> CardCertificates:
    return pki.issue_card_certificates(holder, keys[0].public_key(), keys[1].public_key(), **kw)


def client_verifier(pki: TestPki, when: datetime, *, san_optional: bool = False) -> ClientVerifier:
    """The verifier the brief asks for; ``san_optional`` relaxes WebPKI's SAN requirement."""
    builder = PolicyBuilder().store(Store([pki.root.certificate])).time(when)
    if san_optional:
        ee = ExtensionPolicy.webpki_defaults_ee().may_be_present(
            x509.SubjectAlternativeName, Criticality.AGNOSTIC, None
        )
        builder = builder.extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee
        )
    return builder.build_client_verifier()


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


# --- created once, reused ------------------------------------------------------------


def test_second_load_gives_the_same_pki(test_pki: TestPki, data_dir: Path) -> None:
    again = TestPki.load_or_create(data_dir)
    for mine, theirs in [
        (test_pki.root, again.root),
        (test_pki.issuing_ca, again.issuing_ca),
        (test_pki.ocsp_responder, again.ocsp_responder),
    ]:
        assert der(mine.certificate) == der(theirs.certificate)
        assert mine.private_key.private_numbers() == theirs.private_key.private_numbers()


def test_files_and_modes(test_pki: TestPki, data_dir: Path) -> None:
    directory = data_dir / PKI_DIRNAME
    assert test_pki.directory == directory
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    keys = sorted(p.name for p in directory.glob("*.key"))
    assert keys == ["issuing-ca.key", "ocsp-responder.key", "root-ca.key"]
    for key in directory.glob("*.key"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert not list(data_dir.glob(f".{PKI_DIRNAME}-*")), "no build directory left behind"


def test_independent_pki_in_another_data_dir(test_pki: TestPki, tmp_path: Path) -> None:
    other = TestPki.load_or_create(tmp_path)
    assert der(other.root.certificate) != der(test_pki.root.certificate)
    assert other.root.certificate.subject == test_pki.root.certificate.subject


def test_concurrent_first_starts_make_one_pki(tmp_path: Path) -> None:
    go = tmp_path / "go"
    data_dir = tmp_path / "data"
    script = textwrap.dedent(
        """
        import sys, time
        from pathlib import Path
        from cryptography.hazmat.primitives.hashes import SHA256
        from cardbridge.emulator.pki import TestPki
        go = Path(sys.argv[1])
        while not go.exists():
            time.sleep(0.001)
        pki = TestPki.load_or_create(Path(sys.argv[2]))
        print(pki.root.certificate.fingerprint(SHA256()).hex())
        """
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(go), str(data_dir)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    time.sleep(1.0)  # all three are importing or waiting on the go file
    go.touch()
    fingerprints = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert all(process.returncode == 0 for process in processes)
    assert len(fingerprints) == 1
    on_disk = TestPki.load_or_create(data_dir).root.certificate
    assert fingerprints == {on_disk.fingerprint(SHA256()).hex()}
    assert [p.name for p in data_dir.iterdir() if p.name.startswith(".")] == []


def test_damaged_pki_is_a_config_error(tmp_path: Path) -> None:
    TestPki.load_or_create(tmp_path)
    (tmp_path / PKI_DIRNAME / "issuing-ca.key").write_bytes(b"not a key")
    with pytest.raises(ConfigError, match=r"damaged \(issuing-ca\).*delete"):
        TestPki.load_or_create(tmp_path)


def test_mismatched_key_is_a_config_error(tmp_path: Path) -> None:
    TestPki.load_or_create(tmp_path)
    directory = tmp_path / PKI_DIRNAME
    (directory / "root-ca.key").write_bytes((directory / "issuing-ca.key").read_bytes())
    with pytest.raises(ConfigError, match=r"damaged \(root-ca\)"):
        TestPki.load_or_create(tmp_path)


def test_unwritable_data_dir_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="Cannot create"):
        TestPki.load_or_create(blocker / "data")


# --- CA certificates -------------------------------------------------------------------


def test_ca_names_follow_igc_sante_and_say_test(test_pki: TestPki) -> None:
    issuer = test_pki.issuing_ca.certificate.subject
    assert issuer.rfc4514_string() == (
        "CN=TEST AC IGC-SANTE ELEMENTAIRE PERSONNES,OU=IGC-SANTE TEST,OU=0002 187512751,"
        "O=ASIP-SANTE,C=FR"
    )
    root_cn = test_pki.root.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert root_cn[0].value == "TEST AC RACINE IGC-SANTE ELEMENTAIRE"


@pytest.mark.parametrize(("attribute", "path_length"), [("root", 1), ("issuing_ca", 0)])
def test_ca_extensions(test_pki: TestPki, attribute: str, path_length: int) -> None:
    certificate = getattr(test_pki, attribute).certificate
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert constraints.value.ca
    assert constraints.value.path_length == path_length
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.key_cert_sign
    assert usage.value.crl_sign
    assert not usage.value.digital_signature
    assert isinstance(certificate.public_key(), rsa.RSAPublicKey)
    assert certificate.public_key().key_size == 2048


def test_issuing_ca_is_issued_by_root(test_pki: TestPki) -> None:
    issuing = test_pki.issuing_ca.certificate
    issuing.verify_directly_issued_by(test_pki.root.certificate)
    aki = issuing.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = test_pki.root.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert aki.key_identifier == ski.value.digest


def test_ocsp_responder(test_pki: TestPki) -> None:
    responder = test_pki.ocsp_responder.certificate
    responder.verify_directly_issued_by(test_pki.issuing_ca.certificate)
    eku = responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.OCSP_SIGNING]
    assert responder.extensions.get_extension_for_class(x509.OCSPNoCheck)
    assert not responder.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_pem_exports(test_pki: TestPki) -> None:
    anchors = x509.load_pem_x509_certificates(test_pki.trust_anchors_pem())
    assert anchors == [test_pki.root.certificate]
    intermediates = x509.load_pem_x509_certificates(test_pki.intermediates_pem())
    assert intermediates == [test_pki.issuing_ca.certificate]
    chain = x509.load_pem_x509_certificates(test_pki.chain_pem())
    assert chain == [test_pki.issuing_ca.certificate, test_pki.root.certificate]


def test_private_keys_stay_out_of_repr(test_pki: TestPki) -> None:
    assert "private_key" not in repr(test_pki.root)
    assert "DONNAT" not in repr(HOLDER)


# --- card certificates --------------------------------------------------------------


def test_subject_is_one_multi_valued_rdn_then_title_and_country(
    test_pki: TestPki, card_keys: Keys
) -> None:
    certificate = issue(test_pki, card_keys).authentication
    # Read back from the DER with another parser than the one that wrote it.
    parsed = asn1_x509.Certificate.load(der(certificate))
    rdns = [
        [(atv["type"].native, atv["value"].native) for atv in rdn]
        for rdn in parsed["tbs_certificate"]["subject"].chosen
    ]
    assert rdns[0] == [("country_name", "FR")]
    assert rdns[1] == [("title", "Médecin")]
    assert len(rdns) == 3
    assert sorted(rdns[2]) == [
        ("common_name", "810002813839"),
        ("given_name", "ISABELLE"),
        ("surname", "DONNAT-GADY"),
    ]
    title_value = parsed["tbs_certificate"]["subject"].chosen[1][0]["value"]
    assert title_value.name == "utf8_string"


def test_authentication_and_signature_usages(test_pki: TestPki, card_keys: Keys) -> None:
    certificates = issue(test_pki, card_keys, serial_number=4242)
    authentication, signature = certificates.authentication, certificates.signature
    usage = authentication.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature
    assert not usage.value.content_commitment
    eku = authentication.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    usage = signature.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.content_commitment
    assert usage.value.digital_signature
    with pytest.raises(x509.ExtensionNotFound):
        signature.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert (authentication.serial_number, signature.serial_number) == (4242, 4243)
    assert authentication.public_key() == card_keys[0].public_key()
    assert signature.public_key() == card_keys[1].public_key()
    for certificate in (authentication, signature):
        assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        aia = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
        assert [d.access_location.value for d in aia.value] == [DEFAULT_OCSP_URL]
        crl = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints)
        assert crl.value[0].full_name
        assert crl.value[0].full_name[0].value.startswith("http://127.0.0.1/")
        aki = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
        issuer_ski = test_pki.issuing_ca.certificate.extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier
        )
        assert aki.value.key_identifier == issuer_ski.value.digest


def test_authentication_chain_verifies_with_the_root_as_only_anchor(
    test_pki: TestPki, card_keys: Keys
) -> None:
    certificate = issue(test_pki, card_keys).authentication
    verifier = client_verifier(test_pki, datetime.now(UTC))
    verified = verifier.verify(certificate, [test_pki.issuing_ca.certificate])
    assert verified.chain == [
        certificate,
        test_pki.issuing_ca.certificate,
        test_pki.root.certificate,
    ]


def test_certificates_without_email_need_a_policy_that_allows_no_san(
    test_pki: TestPki, card_keys: Keys
) -> None:
    holder = CardHolderIdentity("810002813839", "DONNAT-GADY", "ISABELLE", "Médecin")
    certificate = issue(test_pki, card_keys, holder).authentication
    now = datetime.now(UTC)
    with pytest.raises(VerificationError, match=r"2\.5\.29\.17"):
        client_verifier(test_pki, now).verify(certificate, [test_pki.issuing_ca.certificate])
    verified = client_verifier(test_pki, now, san_optional=True).verify(
        certificate, [test_pki.issuing_ca.certificate]
    )
    assert verified.subjects is None


def test_chain_validation_alone_accepts_the_signature_certificate(
    test_pki: TestPki, card_keys: Keys
) -> None:
    """WebPKI accepts a leaf without EKU for client auth: a verifier checks usages itself."""
    signature = issue(test_pki, card_keys).signature
    verified = client_verifier(test_pki, datetime.now(UTC)).verify(
        signature, [test_pki.issuing_ca.certificate]
    )
    assert verified.chain[0] == signature


def test_controlled_dates_make_expired_and_not_yet_valid_certificates(
    test_pki: TestPki, card_keys: Keys
) -> None:
    now = datetime.now(UTC)
    expired = issue(
        test_pki, card_keys, not_before=now - timedelta(days=400), not_after=now - timedelta(days=1)
    ).authentication
    future = issue(
        test_pki, card_keys, not_before=now + timedelta(days=1), not_after=now + timedelta(days=400)
    ).authentication
    assert expired.not_valid_after_utc < now < future.not_valid_before_utc
    verifier = client_verifier(test_pki, now)
    for certificate in (expired, future):
        with pytest.raises(VerificationError, match="not valid at validation time"):
            verifier.verify(certificate, [test_pki.issuing_ca.certificate])


def test_other_pki_certificate_does_not_verify(
    test_pki: TestPki, card_keys: Keys, tmp_path: Path
) -> None:
    other = TestPki.load_or_create(tmp_path)
    certificate = issue(other, card_keys).authentication
    with pytest.raises(VerificationError):
        client_verifier(test_pki, datetime.now(UTC)).verify(
            certificate, [other.issuing_ca.certificate]
        )


def test_ocsp_url_can_point_at_a_test_responder(test_pki: TestPki, card_keys: Keys) -> None:
    url = "http://127.0.0.1:50123/ocsp"
    certificate = issue(test_pki, card_keys, ocsp_url=url).authentication
    aia = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    assert aia.value[0].access_location.value == url


def test_structure_bound_card_names_its_structure(test_pki: TestPki, card_keys: Keys) -> None:
    holder = CardHolderIdentity(
        national_id="",
        last_name="MARTIN",
        first_name="CLAIRE",
        profession="Secrétaire médicale",
        structure_id="10B0307377",
        internal_id="CPA0042",
    )
    certificate = issue(test_pki, card_keys, holder, card_type=3).authentication
    common_name = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert common_name[0].value == "10B0307377/CPA0042"


@pytest.mark.parametrize(
    ("changes", "card_type", "field"),
    [
        ({"national_id": "810002813838"}, 0, "national_id"),
        ({"last_name": ""}, 0, "last_name"),
        ({"first_name": "X" * 65}, 0, "first_name"),
        ({"profession": ""}, 0, "profession"),
        ({"structure_id": None}, 2, "structure_id"),
        ({"structure_id": "999"}, 3, "structure_id"),
        ({"structure_id": "10B0307377", "internal_id": None}, 3, "internal_id"),
    ],
)
def test_refused_holders_name_the_field(
    test_pki: TestPki, card_keys: Keys, changes: dict[str, str | None], card_type: int, field: str
) -> None:
    values: dict[str, Any] = {**HOLDER.__dict__, **changes}
    with pytest.raises(InvalidInputError) as caught:
        issue(test_pki, card_keys, CardHolderIdentity(**values), card_type=card_type)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"not_before": datetime(2030, 1, 1)}, "not_before"),  # naive
        ({"not_after": datetime(2020, 1, 1, tzinfo=UTC)}, "not_after"),
        ({"serial_number": 0}, "serial_number"),
    ],
)
def test_refused_dates_and_serials_name_the_field(
    test_pki: TestPki, card_keys: Keys, kw: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        issue(test_pki, card_keys, **kw)
    assert caught.value.field == field
