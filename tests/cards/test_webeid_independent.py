"""Tokens of every emulated CPS, checked as Web eID's own validator checks them.

The independent check re-reads the rules of web-eid-authtoken-validation-java (3.x):
token fields and format, certificate validity, purpose (EKU clientAuth), policies (the
certificatePolicies extension is read on every certificate, and none may be a disallowed
one), the chain up to the trust anchor by signature, then the signature over
``SHA-256(origin) || SHA-256(nonce)``. It uses ``json``, ``base64`` and ``cryptography``
primitives only; cardbridge's own verifier must agree, including its required-policy
setting.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from cardbridge.auth.signing import sign_challenge
from cardbridge.auth.trust import TrustStore
from cardbridge.auth.verifier import TokenVerifier
from cardbridge.cards.cps import CpsSession
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.profiles import CpsProfile, list_profiles, load_profile
from cardbridge.errors import CertificatePolicyError
from testkit.tokens import ORIGIN, independently_valid, new_nonce
from tests.cards.conftest import connected

CPS_PROFILES = [name for name in list_profiles() if isinstance(load_profile(name), CpsProfile)]
# Web eID's default disallowed policies: the Estonian Mobile-ID ones (a mobile-ID
# certificate must not pass for a card's).
DISALLOWED_POLICIES = {
    "1.3.6.1.4.1.10015.1.3",
    "1.3.6.1.4.1.10015.18.1",
    "1.3.6.1.4.1.10015.17.2",
}


def web_eid_refusal(token: dict[str, Any], origin: str, nonce: str, pki: TestPki) -> str | None:
    """Why Web eID's validator would refuse ``token`` (``None``: it accepts it)."""
    if token.get("format", "").split(":")[0] != "web-eid" or not token["format"].startswith(
        "web-eid:1"
    ):
        return "format"
    certificate = x509.load_der_x509_certificate(base64.b64decode(token["unverifiedCertificate"]))
    now = datetime.now(UTC)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        return "validity"
    try:
        purposes = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return "purpose missing"
    if ExtendedKeyUsageOID.CLIENT_AUTH not in purposes:
        return "wrong purpose"
    try:
        policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value
    except x509.ExtensionNotFound:
        return "policies missing"
    if {p.policy_identifier.dotted_string for p in policies} & DISALLOWED_POLICIES:
        return "disallowed policy"
    issuing, root = pki.issuing_ca.certificate, pki.root.certificate
    try:
        certificate.verify_directly_issued_by(issuing)
        issuing.verify_directly_issued_by(root)
    except (InvalidSignature, ValueError, TypeError):
        return "untrusted"
    if not independently_valid(json.dumps(token), origin, nonce):
        return "signature"
    return None


@pytest.fixture(scope="module")
def tokens(key_pool: KeyPool, issuer: PkiIssuer) -> dict[str, tuple[dict[str, Any], str]]:
    """A token of each emulated CPS, signed by the card for :data:`ORIGIN`."""
    made: dict[str, tuple[dict[str, Any], str]] = {}
    for name in CPS_PROFILES:
        profile = load_profile(name)
        assert isinstance(profile, CpsProfile)
        nonce = new_nonce()
        with connected(build_card(profile, keys=key_pool, issuer=issuer)) as connection:
            token = sign_challenge(CpsSession(connection), ORIGIN, nonce, pin=profile.pin)
        made[name] = (token.to_json(), nonce)
    return made


def test_every_cps_profile_is_covered() -> None:
    assert len(CPS_PROFILES) >= 4


@pytest.mark.parametrize("name", CPS_PROFILES)
def test_web_eid_accepts_the_token(
    name: str, tokens: dict[str, tuple[dict[str, Any], str]], test_pki: TestPki
) -> None:
    token, nonce = tokens[name]
    assert web_eid_refusal(token, ORIGIN, nonce, test_pki) is None


@pytest.mark.parametrize("name", CPS_PROFILES)
def test_web_eid_refuses_for_the_right_reasons(
    name: str, tokens: dict[str, tuple[dict[str, Any], str]], test_pki: TestPki
) -> None:
    token, nonce = tokens[name]
    signature = bytearray(base64.b64decode(token["signature"]))
    signature[-1] ^= 1
    tampered = {**token, "signature": base64.b64encode(bytes(signature)).decode()}
    assert web_eid_refusal(token, "https://other.example", nonce, test_pki) == "signature"
    assert web_eid_refusal(token, ORIGIN, new_nonce(), test_pki) == "signature"
    assert web_eid_refusal(tampered, ORIGIN, nonce, test_pki) == "signature"


def test_a_certificate_without_policies_is_refused_by_both(
    tokens: dict[str, tuple[dict[str, Any], str]], test_pki: TestPki
) -> None:
    token, nonce = tokens["demo-cps"]
    certificate = x509.load_der_x509_certificate(base64.b64decode(token["unverifiedCertificate"]))
    builder = (
        x509.CertificateBuilder()
        .subject_name(certificate.subject)
        .issuer_name(certificate.issuer)
        .public_key(certificate.public_key())  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(certificate.not_valid_before_utc)
        .not_valid_after(certificate.not_valid_after_utc)
    )
    for extension in certificate.extensions:
        if not isinstance(extension.value, x509.CertificatePolicies):
            builder = builder.add_extension(extension.value, extension.critical)
    bare = builder.sign(test_pki.issuing_ca.private_key, hashes.SHA256())
    without = {
        **token,
        "unverifiedCertificate": base64.b64encode(
            bare.public_bytes(serialization.Encoding.DER)
        ).decode(),
    }
    assert web_eid_refusal(without, ORIGIN, nonce, test_pki) == "policies missing"
    trust = TrustStore.from_pem(test_pki.trust_anchors_pem(), test_pki.intermediates_pem())
    policy = _authentication_policy(certificate)
    with pytest.raises(CertificatePolicyError):
        TokenVerifier(trust, required_policies=[policy]).verify(without, nonce, ORIGIN)
    # Without the setting the bridge keeps accepting it (the setting is opt-in).
    TokenVerifier(trust).verify(without, nonce, ORIGIN)


@pytest.mark.parametrize("name", CPS_PROFILES)
def test_the_bridge_verifier_requires_the_configured_policy(
    name: str, tokens: dict[str, tuple[dict[str, Any], str]], test_pki: TestPki
) -> None:
    token, nonce = tokens[name]
    certificate = x509.load_der_x509_certificate(base64.b64decode(token["unverifiedCertificate"]))
    trust = TrustStore.from_pem(test_pki.trust_anchors_pem(), test_pki.intermediates_pem())
    policy = _authentication_policy(certificate)
    accepted = TokenVerifier(trust, required_policies=[policy]).verify(token, nonce, ORIGIN)
    assert accepted.id_type in ("RPPS", "ADELI", "STRUCTURE")
    with pytest.raises(CertificatePolicyError):
        TokenVerifier(trust, required_policies=["1.2.3.4"]).verify(token, nonce, ORIGIN)


def _authentication_policy(certificate: x509.Certificate) -> str:
    policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value
    return next(iter(policies)).policy_identifier.dotted_string
