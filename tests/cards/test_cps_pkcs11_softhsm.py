"""The PKCS#11 CPS session against SoftHSM2 holding a CPS's objects under the Cryptolib's
labels (the ``softhsm`` fixture, tests/support/softhsm.py). Signatures are checked with
``cryptography``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cardbridge.cards.cps_pkcs11 import Pkcs11CpsSession
from cardbridge.errors import (
    CardError,
    CardRemovedError,
    ConfigError,
    PinInvalidError,
    PinRequiredError,
)
from tests.support.softhsm import USER_PIN as PIN
from tests.support.softhsm import SoftHsmCps


def _verifies(certificate: x509.Certificate, signature: bytes, message: bytes) -> None:
    key = certificate.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())


def test_practitioner_and_certificates_from_the_token(
    softhsm: SoftHsmCps,
) -> None:
    profile, authentication, signature = softhsm.profile, softhsm.authentication, softhsm.signature
    session = Pkcs11CpsSession(softhsm.module)
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
    softhsm: SoftHsmCps,
) -> None:
    profile, authentication, signature = softhsm.profile, softhsm.authentication, softhsm.signature
    session = Pkcs11CpsSession(softhsm.module)
    try:
        assert session.pin_status().tries_left == 3
        with pytest.raises(PinInvalidError):
            session.verify_pin("9999")
        session.verify_pin(PIN)
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


def test_a_wrong_pin_spends_one_try_and_logout_locks_the_keys(softhsm: SoftHsmCps) -> None:
    session = Pkcs11CpsSession(softhsm.module)
    try:
        assert session.pin_status().tries_left == 3
        with pytest.raises(PinInvalidError) as refused:
            session.verify_pin("9999")
        assert refused.value.tries_left == 2
        assert session.pin_status().tries_left == 2
        session.verify_pin(PIN)
        assert session.pin_status().tries_left == 3
        session.authenticate(b"before the logout")
        assert session.deauthenticate()
        with pytest.raises(PinRequiredError):
            session.authenticate(b"after the logout")
    finally:
        session.close()


def test_unblocking_is_left_to_the_middleware(softhsm: SoftHsmCps) -> None:
    session = Pkcs11CpsSession(softhsm.module)
    try:
        with pytest.raises(CardError, match="card_backend = pcsc"):
            session.unblock_pin("12345678", "1234")
    finally:
        session.close()


# python-pkcs11's object search, failing on the dead session, fails again in its finaliser
# (C_FindObjectsFinal on the same session): Python reports that one as unraisable.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_session_gone_with_its_card_answers_card_removed(softhsm: SoftHsmCps) -> None:
    session = Pkcs11CpsSession(softhsm.module)
    session.close()  # what the module does to the sessions of a card taken out
    with pytest.raises(CardRemovedError):
        session.read_practitioner()
