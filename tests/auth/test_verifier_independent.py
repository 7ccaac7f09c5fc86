"""A second, independent check of token signatures, and a fuzz of parsing and verification.

The independent check (``testkit.tokens.independently_valid``) reads a token as the
Web eID format description says — base64 fields, ``SHA-256(origin) || SHA-256(nonce)``
signed with the algorithm's scheme, ES256 as ``r || s`` — using only ``json``, ``base64``,
``hashlib`` and ``cryptography`` primitives, and must agree with the library on which
tokens carry a valid signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardbridge.auth.nonces import Challenges, MemoryNonceStore
from cardbridge.auth.origin import normalize_origin
from cardbridge.auth.token import parse_token, signed_message
from cardbridge.auth.trust import TrustStore
from cardbridge.auth.verifier import TokenVerifier, verify
from cardbridge.emulator.pki import TestPki
from cardbridge.errors import AuthError, NonceInvalidError
from testkit.tokens import (
    HOLDER,
    ORIGIN,
    independently_valid,
    issue_authentication_certificate,
    make_token,
)
from tests.support.fuzzing import examples

Keys = tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]


@pytest.fixture(scope="module")
def trust(test_pki: TestPki) -> TrustStore:
    return TrustStore.from_pem(test_pki.trust_anchors_pem(), test_pki.intermediates_pem())


@pytest.fixture(scope="module")
def cards(test_pki: TestPki, card_keys: Keys) -> dict[str, tuple[x509.Certificate, Any]]:
    """One card per algorithm: RSA for RS256 and PS256, P-256 for ES256."""
    now = datetime.now(UTC)
    validity = (now - timedelta(hours=1), now + timedelta(days=30))
    rsa_certificate = issue_authentication_certificate(
        test_pki, card_keys[0].public_key(), validity=validity
    )
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_certificate = issue_authentication_certificate(
        test_pki, ec_key.public_key(), validity=validity
    )
    return {
        "RS256": (rsa_certificate, card_keys[0]),
        "PS256": (rsa_certificate, card_keys[0]),
        "ES256": (ec_certificate, ec_key),
    }


def test_library_message_is_the_formats() -> None:
    nonce = base64.b64encode(bytes(range(32))).decode()
    expected = (
        hashlib.sha256(b"https://dmp.example").digest() + hashlib.sha256(nonce.encode()).digest()
    )
    assert signed_message("https://dmp.example", nonce) == expected


@pytest.mark.parametrize("algorithm", ["RS256", "PS256", "ES256"])
def test_both_accept_a_valid_token(
    algorithm: str, cards: dict[str, tuple[x509.Certificate, Any]], trust: TrustStore
) -> None:
    certificate, key = cards[algorithm]
    nonce = base64.b64encode(b"\x5a" * 32).decode()
    token_json = json.dumps(make_token(certificate, key, nonce, algorithm=algorithm))
    assert independently_valid(token_json, ORIGIN, nonce)
    assert verify(token_json, nonce, ORIGIN, trust).national_id == HOLDER.national_id


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    algorithm=st.sampled_from(["RS256", "PS256", "ES256"]),
    flip=st.one_of(st.none(), st.tuples(st.integers(0, 255), st.integers(0, 7))),
    wrong_nonce=st.booleans(),
)
def test_library_and_independent_check_agree(
    algorithm: str,
    flip: tuple[int, int] | None,
    wrong_nonce: bool,
    cards: dict[str, tuple[x509.Certificate, Any]],
    trust: TrustStore,
) -> None:
    certificate, key = cards[algorithm]
    nonce = base64.b64encode(b"\x11" * 32).decode()
    checked_nonce = base64.b64encode(b"\x22" * 32).decode() if wrong_nonce else nonce
    token = make_token(certificate, key, nonce, algorithm=algorithm)
    if flip is not None:
        signature = bytearray(base64.b64decode(token["signature"]))
        index, bit = flip
        signature[index % len(signature)] ^= 1 << bit
        token["signature"] = base64.b64encode(bytes(signature)).decode()
    token_json = json.dumps(token)
    expected = independently_valid(token_json, ORIGIN, checked_nonce)
    try:
        verify(token_json, checked_nonce, ORIGIN, trust)
        accepted = True
    except AuthError:
        accepted = False
    assert accepted == expected
    assert accepted == (flip is None and not wrong_nonce)


# --- fuzz: whatever comes in, only the genuine token is accepted, and only AuthError out --

_text = st.text(max_size=40)
_b64 = st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode())
_field_value = st.one_of(
    st.none(), st.booleans(), st.integers(), _text, _b64, st.lists(_text, max_size=2)
)


@st.composite
def tokens(draw: st.DrawFn, valid_json: str) -> str | bytes | dict[str, object]:
    choice = draw(st.integers(0, 3))
    if choice == 0:  # any JSON object with the format's keys and arbitrary values
        keys = ["format", "algorithm", "unverifiedCertificate", "signature", "appVersion"]
        token: dict[str, object] = {key: draw(_field_value) for key in keys if draw(st.booleans())}
        if draw(st.booleans()):
            token["format"] = "web-eid:1.0"
        if draw(st.booleans()):
            token["algorithm"] = draw(st.sampled_from(["RS256", "PS256", "ES256"]))
        return token
    if choice == 1:  # the valid token's bytes with some of them changed
        raw = bytearray(valid_json.encode())
        for _ in range(draw(st.integers(1, 8))):
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
        return bytes(raw)
    if choice == 2:  # the valid token's decoded certificate with some bytes changed
        token = json.loads(valid_json)
        der = bytearray(base64.b64decode(token["unverifiedCertificate"]))
        for _ in range(draw(st.integers(1, 4))):
            der[draw(st.integers(0, len(der) - 1))] = draw(st.integers(0, 255))
        token["unverifiedCertificate"] = base64.b64encode(bytes(der)).decode()
        return dict(token)
    return draw(st.one_of(st.text(max_size=200), st.binary(max_size=200)))


@pytest.mark.hypothesis  # its @given function is built inside
def test_fuzz_only_the_genuine_token_is_accepted(
    cards: dict[str, tuple[x509.Certificate, Any]], trust: TrustStore
) -> None:
    """Corrupted tokens, nonces and origins: every refusal is an AuthError, and a token is
    accepted only if it carries the genuine certificate, algorithm and signature, for the
    nonce and origin it was signed for, by the verifier that takes the caller's word for
    the nonce (the one with a store never issued it)."""
    certificate, key = cards["RS256"]
    nonce = base64.b64encode(b"\x33" * 32).decode()
    valid_json = json.dumps(make_token(certificate, key, nonce))
    genuine = parse_token(valid_json)
    # Without a store the nonce passes on its shape alone, so mutated tokens reach the
    # certificate, chain and signature checks; with one, the nonce path is fuzzed too.
    bare = TokenVerifier(trust)
    with_store = TokenVerifier(trust, challenges=Challenges(MemoryNonceStore()))
    assert bare.verify(valid_json, nonce, ORIGIN).national_id == HOLDER.national_id
    with pytest.raises(NonceInvalidError):
        with_store.verify(valid_json, nonce, ORIGIN)

    @settings(max_examples=examples(400), deadline=None)
    @given(
        token=tokens(valid_json),
        given_nonce=st.one_of(st.just(nonce), st.text(max_size=60)),
        origin=st.one_of(st.just(ORIGIN), st.text(max_size=40)),
    )
    def run(token: str | bytes | dict[str, object], given_nonce: str, origin: str) -> None:
        try:
            parsed = parse_token(token)
        except AuthError:
            parsed = None
        for verifier in (bare, with_store):
            try:
                practitioner = verifier.verify(token, given_nonce, origin)
            except AuthError:
                continue
            assert verifier is bare
            assert parsed is not None
            assert (parsed.certificate_der, parsed.algorithm, parsed.signature) == (
                genuine.certificate_der,
                genuine.algorithm,
                genuine.signature,
            )
            assert given_nonce == nonce
            assert normalize_origin(origin) == ORIGIN
            assert practitioner.national_id == HOLDER.national_id

    run()
