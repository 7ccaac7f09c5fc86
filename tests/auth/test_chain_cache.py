"""The verified-chain cache: reused inside every certificate's validity, never outside."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from cardbridge.auth.trust import ChainCache, TrustStore
from cardbridge.emulator.pki import TestPki
from cardbridge.errors import CertificateUntrustedError
from testkit.tokens import issue_authentication_certificate


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return TestPki.load_or_create(Path(tmp_path_factory.mktemp("pki")))


def test_a_leaf_outliving_its_issuing_ca_is_refused_after_the_ca_expired(pki: TestPki) -> None:
    ca_end = pki.issuing_ca.certificate.not_valid_after_utc
    now = datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = issue_authentication_certificate(
        pki, key.public_key(), validity=(now - timedelta(hours=1), ca_end + timedelta(days=365))
    )
    der = leaf.public_bytes(serialization.Encoding.DER)
    store = TrustStore.from_pem(pki.trust_anchors_pem(), pki.intermediates_pem())
    cache = ChainCache(store)

    chain = cache.chain(leaf, der, now)
    assert chain == [leaf, pki.issuing_ca.certificate, pki.root.certificate]
    assert cache.chain(leaf, der, now + timedelta(days=1)) == chain  # from the cache

    after = ca_end + timedelta(days=1)
    with pytest.raises(CertificateUntrustedError):
        store.chain(leaf, after)  # cryptography's own verdict
    with pytest.raises(CertificateUntrustedError):
        cache.chain(leaf, der, after)  # the cache does not hide it


def test_the_cache_keeps_only_its_size(pki: TestPki) -> None:
    now = datetime.now(UTC)
    store = TrustStore.from_pem(pki.trust_anchors_pem(), pki.intermediates_pem())
    cache = ChainCache(store, size=2)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaves = [
        issue_authentication_certificate(
            pki, key.public_key(), validity=(now - timedelta(hours=1), now + timedelta(days=1))
        )
        for _ in range(3)
    ]
    for leaf in leaves:
        cache.chain(leaf, leaf.public_bytes(serialization.Encoding.DER), now)
    assert len(cache._chains) == 2
    assert leaves[0].public_bytes(serialization.Encoding.DER) not in cache._chains
