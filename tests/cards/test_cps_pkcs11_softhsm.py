"""The PKCS#11 CPS session against SoftHSM2 holding a CPS's objects under the Cryptolib's labels.

SoftHSM2 (Debian package, installed by scripts/ensure-system-packages) stands for a
middleware whose token shows the CPS as the ANS Cryptolib names its objects:
certificates "Certificat d'Authentification CPS" / "Certificat de Signature CPS", keys
CPS_PRIV_AUT / CPS_PRIV_SIG, data objects CPS_ID_CARD, CPS_NAME_PS, CPS_INFO_PS and the
private CPS_ACTIVITY_xx_PS. Signatures are checked with ``cryptography``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pkcs11 import Attribute, CertificateType, ObjectClass
from pkcs11.util.rsa import decode_rsa_private_key

from cardbridge.cards.cps_pkcs11 import Pkcs11CpsSession
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.profiles import CpsProfile, load_profile
from cardbridge.errors import ConfigError, PinInvalidError, PinRequiredError
from cardbridge.layouts import cps, cps_pkcs15

SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"
USER_PIN, SO_PIN = "1234", "12345678"


def _public(label: str, value: bytes, *, private: bool = False) -> dict[Attribute, object]:
    return {
        Attribute.CLASS: ObjectClass.DATA,
        Attribute.TOKEN: True,
        Attribute.PRIVATE: private,
        Attribute.LABEL: label,
        Attribute.APPLICATION: "CPS",
        Attribute.VALUE: value,
    }


@pytest.fixture(scope="module")
def softhsm_cps(
    tmp_path_factory: pytest.TempPathFactory, issuer: PkiIssuer
) -> Iterator[tuple[CpsProfile, x509.Certificate, x509.Certificate]]:
    """A SoftHSM2 token holding the demo CPS's objects."""
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(config)  # read when the module initialises
    subprocess.run(
        [
            *("softhsm2-util", "--init-token", "--free", "--label", "CPS3v3-0123456789"),
            *("--pin", USER_PIN, "--so-pin", SO_PIN),
        ],
        check=True,
        capture_output=True,
    )
    profile = load_profile("demo-cps")
    assert isinstance(profile, CpsProfile)
    keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2)]
    authentication, signature = issuer.issue(profile, keys[0].public_key(), keys[1].public_key())
    holder = profile.holder
    token = pkcs11.lib(SOFTHSM).get_token(token_label="CPS3v3-0123456789")
    with token.open(rw=True, user_pin=USER_PIN) as session:
        for label, key, certificate, key_id in (
            (cps_pkcs15.AUTHENTICATION_KEY_LABEL, keys[0], authentication, b"\x02"),
            (cps_pkcs15.SIGNATURE_KEY_LABEL, keys[1], signature, b"\x01"),
        ):
            der = key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
            attributes = decode_rsa_private_key(der)
            attributes.update({Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: key_id})
            session.create_object(attributes)
            cert_label = (
                cps_pkcs15.AUTHENTICATION_CERT_LABEL
                if certificate is authentication
                else cps_pkcs15.SIGNATURE_CERT_LABEL
            )
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: cert_label,
                    Attribute.ID: key_id,
                    Attribute.SUBJECT: certificate.subject.public_bytes(),
                    Attribute.VALUE: certificate.public_bytes(serialization.Encoding.DER),
                }
            )
        identity = cps.CardIdentity(profile.card_type, profile.serial, profile.expires, True)
        name = cps.HolderName(
            holder.national_id, holder.civility, holder.last_name, holder.first_name
        )
        info = cps.ProfessionalInfo(holder.profession, holder.specialty)
        for label, value in (
            (cps_pkcs15.ID_CARD_LABEL, identity.to_bytes()),
            (cps_pkcs15.NAME_LABEL, name.to_bytes()),
            (cps_pkcs15.INFO_LABEL, info.to_bytes()),
        ):
            session.create_object(_public(label, value))
        for index, place in enumerate(profile.situations):
            value = cps.Situation(place.structure_id, place.name, place.sector).to_bytes()
            session.create_object(_public(cps_pkcs15.activity_label(index), value, private=True))
    yield profile, authentication, signature
    del os.environ["SOFTHSM2_CONF"]


def _verifies(certificate: x509.Certificate, signature: bytes, message: bytes) -> None:
    key = certificate.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())


def test_practitioner_and_certificates_from_the_token(
    softhsm_cps: tuple[CpsProfile, x509.Certificate, x509.Certificate],
) -> None:
    profile, authentication, signature = softhsm_cps
    session = Pkcs11CpsSession(SOFTHSM)
    try:
        practitioner = session.read_practitioner()
        assert practitioner.national_id == profile.holder.national_id
        assert practitioner.last_name == profile.holder.last_name
        assert practitioner.card.serial == profile.serial
        assert practitioner.situations is None
        certificates = session.certificates()
        assert certificates.authentication == authentication.public_bytes(
            serialization.Encoding.DER
        )
        assert certificates.signature == signature.public_bytes(serialization.Encoding.DER)
        with pytest.raises(PinRequiredError):
            session.read_situations()
        with pytest.raises(PinRequiredError):
            session.authenticate(b"challenge")
    finally:
        session.close()


def test_login_situations_and_both_signatures(
    softhsm_cps: tuple[CpsProfile, x509.Certificate, x509.Certificate],
) -> None:
    profile, authentication, signature = softhsm_cps
    session = Pkcs11CpsSession(SOFTHSM)
    try:
        assert session.pin_status().tries_left == 3
        with pytest.raises(PinInvalidError):
            session.verify_pin("9999")
        session.verify_pin(USER_PIN)
        situations = session.read_situations()
        assert [s.structure_id for s in situations] == [s.structure_id for s in profile.situations]
        message = b"signed through PKCS#11"
        _verifies(authentication, session.authenticate(message), message)
        _verifies(signature, session.sign(message), message)
    finally:
        session.close()


def test_the_module_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot load the PKCS#11 module"):
        Pkcs11CpsSession(str(tmp_path / "missing.so"))
