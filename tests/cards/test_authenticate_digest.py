"""``authenticate_digest``: the authentication key's RS256 signature of a SHA-256 digest
already made (a TLS handshake's), by both sessions; checked with cryptography's verifier
against the card's own certificate."""

from __future__ import annotations

import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from cardbridge.cards.cps import CpsSession
from cardbridge.cards.cps_pkcs11 import Pkcs11CpsSession
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import load_profile
from tests.cards.conftest import connected
from tests.support.softhsm import SoftHsmCps

DIGEST = hashlib.sha256(b"the handshake messages").digest()


def _verifies(certificate: bytes, signature: bytes) -> None:
    key = x509.load_der_x509_certificate(certificate).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature, DIGEST, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))


def test_the_apdu_session_signs_a_digest(key_pool: KeyPool, issuer: PkiIssuer) -> None:
    card = build_card(load_profile("demo-cps"), keys=key_pool, issuer=issuer)
    with connected(card) as connection:
        session = CpsSession(connection)
        session.verify_pin("1234")
        _verifies(session.authentication_certificate(), session.authenticate_digest(DIGEST))
        with pytest.raises(ValueError, match="32 bytes"):
            session.authenticate_digest(DIGEST[:20])


def test_the_pkcs11_session_signs_a_digest(softhsm: SoftHsmCps) -> None:
    session = Pkcs11CpsSession(softhsm.module)
    try:
        session.verify_pin(softhsm.profile.pin)
        _verifies(session.authentication_certificate(), session.authenticate_digest(DIGEST))
        with pytest.raises(ValueError, match="32 bytes"):
            session.authenticate_digest(DIGEST + b"x")
    finally:
        session.close()
