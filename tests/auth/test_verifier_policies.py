"""The required-policy setting: from the configuration to the verifier, and its errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AuthorityInformationAccessOID

from cardbridge.auth.verifier import TokenVerifier
from cardbridge.config import Settings
from cardbridge.emulator.certificate_contents import AUTHENTICATION_POLICY, SIGNATURE_POLICY
from cardbridge.emulator.pki import TestPki
from cardbridge.errors import CertificatePolicyError, ConfigError
from cardbridge.service.authorities import CertificateAuthorities
from testkit.tokens import ORIGIN, issue_authentication_certificate, make_token, new_nonce


def test_a_policy_that_is_not_an_oid_is_a_config_error(test_pki: TestPki) -> None:
    authorities = CertificateAuthorities(
        (test_pki.root.certificate,), required_policies=("authentication",)
    )
    with pytest.raises(ConfigError, match="not a certificate policy OID"):
        _ = authorities.verifier


def test_the_setting_reaches_the_verifier(
    test_pki: TestPki,
    card_keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "CARDBRIDGE_REQUIRED_CERTIFICATE_POLICIES", f" {SIGNATURE_POLICY.dotted_string} ,"
    )
    settings = Settings()
    assert settings.required_certificate_policies == [SIGNATURE_POLICY.dotted_string]
    verifier = CertificateAuthorities.from_settings(settings, test_pki=test_pki).verifier
    now = datetime.now(UTC)
    certificate = issue_authentication_certificate(
        test_pki,
        card_keys[0].public_key(),
        validity=(now - timedelta(hours=1), now + timedelta(days=1)),
    )
    nonce = new_nonce()
    token = make_token(certificate, card_keys[0], nonce)
    # The authentication certificate carries the authentication policy, not the signature one.
    with pytest.raises(CertificatePolicyError):
        verifier.verify(token, nonce, ORIGIN)
    ours = TokenVerifier(verifier.trust, required_policies=[AUTHENTICATION_POLICY.dotted_string])
    assert ours.verify(token, nonce, ORIGIN).id_type == "RPPS"


def test_card_certificates_carry_policies_aia_and_crl_points(
    test_pki: TestPki, card_keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]
) -> None:
    now = datetime.now(UTC)
    certificate = issue_authentication_certificate(
        test_pki, card_keys[0].public_key(), validity=(now, now + timedelta(days=1))
    )
    extensions = certificate.extensions
    policies = extensions.get_extension_for_class(x509.CertificatePolicies).value
    assert [p.policy_identifier for p in policies] == [AUTHENTICATION_POLICY]
    assert AUTHENTICATION_POLICY.dotted_string.startswith("2.999.")  # the example arc
    access = extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    methods = {d.access_method for d in access}
    assert methods == {AuthorityInformationAccessOID.OCSP}
    points = extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name is not None
    urls = [d.access_location.value for d in access] + [n.value for n in points[0].full_name]
    assert {urlparse(url).hostname for url in urls} == {"127.0.0.1"}  # the test PKI, loopback
