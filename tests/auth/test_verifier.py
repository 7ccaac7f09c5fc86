"""Token verification: a valid token, then one typed error per failed check, in order.

Tokens are signed with software keys standing in for the card (testkit.tokens),
certificates come from the session's test PKI, or from another PKI nobody trusts.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from cardbridge.auth.nonces import Challenges, MemoryNonceStore
from cardbridge.auth.trust import TrustStore
from cardbridge.auth.verifier import TokenVerifier, verify
from cardbridge.domain.identifiers import StructureIdType
from cardbridge.emulator.certificate_contents import authentication_extensions, build_certificate
from cardbridge.emulator.pki import CardCertificates, TestPki
from cardbridge.errors import (
    AuthError,
    CertificateExpiredError,
    CertificateNotYetValidError,
    CertificatePurposeError,
    CertificateUntrustedError,
    ConfigError,
    InvalidInputError,
    NonceInvalidError,
    OriginInvalidError,
    OriginMismatchError,
    SignatureInvalidError,
    TokenMalformedError,
    UnsupportedAlgorithmError,
    UnsupportedFormatError,
)
from testkit.tokens import (
    HOLDER,
    ORIGIN,
    issue_authentication_certificate,
    make_token,
    message,
    new_nonce,
)

Keys = tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]
SKEW = timedelta(minutes=2)


@pytest.fixture(scope="module")
def trust(test_pki: TestPki) -> TrustStore:
    return TrustStore.from_pem(test_pki.trust_anchors_pem(), test_pki.intermediates_pem())


@pytest.fixture(scope="module")
def card(test_pki: TestPki, card_keys: Keys) -> CardCertificates:
    authentication, signature = card_keys
    return test_pki.issue_card_certificates(
        HOLDER, authentication.public_key(), signature.public_key()
    )


@pytest.fixture(scope="module")
def valid(card: CardCertificates, card_keys: Keys) -> Callable[..., tuple[dict[str, Any], str]]:
    """A fresh (token, nonce) pair signed by the card's authentication key."""

    def make(**options: Any) -> tuple[dict[str, Any], str]:
        nonce = new_nonce()
        return make_token(card.authentication, card_keys[0], nonce, **options), nonce

    return make


def test_valid_token_gives_the_practitioner(
    valid: Callable[..., tuple[dict[str, Any], str]], trust: TrustStore, card: CardCertificates
) -> None:
    token, nonce = valid()
    practitioner = verify(token, nonce, ORIGIN, trust)
    assert practitioner.national_id == "810002813839"
    assert practitioner.id_type == "RPPS"
    assert (practitioner.rpps, practitioner.adeli) == ("10002813839", None)
    assert (practitioner.last_name, practitioner.first_name) == ("DONNAT-GADY", "ISABELLE")
    assert practitioner.title == "Médecin"
    assert practitioner.profession is not None
    assert (practitioner.profession.code, practitioner.profession.label) == ("10", "Médecin")
    assert practitioner.structure_id is None
    certificate = practitioner.certificate
    assert certificate.serial == f"{card.authentication.serial_number:x}"
    assert certificate.expires == card.authentication.not_valid_after_utc
    assert certificate.issuer == "TEST AC IGC-SANTE ELEMENTAIRE PERSONNES"
    assert "DONNAT" not in repr(practitioner)
    as_json = json.loads(practitioner.model_dump_json())
    assert as_json["profession"] == {"code": "10", "label": "Médecin"}
    assert as_json["id_type"] == "RPPS"
    assert as_json["certificate"]["expires"].startswith(f"{certificate.expires:%Y-%m-%dT%H:%M:%S}")


@pytest.mark.parametrize("form", ["text", "bytes", "object"])
def test_token_as_text_bytes_or_object(
    valid: Callable[..., tuple[dict[str, Any], str]], trust: TrustStore, form: str
) -> None:
    token, nonce = valid()
    given: Any = {"text": json.dumps(token), "bytes": json.dumps(token).encode(), "object": token}
    assert verify(given[form], nonce, ORIGIN, trust).national_id == "810002813839"


def test_extra_fields_are_ignored(
    valid: Callable[..., tuple[dict[str, Any], str]], trust: TrustStore
) -> None:
    # Minor versions of the format are backwards compatible: unknown fields may appear.
    token, nonce = valid()
    verify({**token, "unverifiedSigningCertificates": []}, nonce, ORIGIN, trust)


# --- each field swapped, truncated or re-encoded -----------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _field(token: dict[str, Any], name: str) -> bytes:
    return base64.b64decode(token[name])


MUTATIONS: dict[str, tuple[Callable[[dict[str, Any]], dict[str, Any]], type[AuthError]]] = {
    "format 2.0": (lambda t: {**t, "format": "web-eid:2.0"}, UnsupportedFormatError),
    "format missing": (
        lambda t: {k: v for k, v in t.items() if k != "format"},
        UnsupportedFormatError,
    ),
    "algorithm RS384": (lambda t: {**t, "algorithm": "RS384"}, UnsupportedAlgorithmError),
    "algorithm none": (lambda t: {**t, "algorithm": "none"}, UnsupportedAlgorithmError),
    "algorithm lowercase": (lambda t: {**t, "algorithm": "rs256"}, UnsupportedAlgorithmError),
    "algorithm PS256 over RS256": (lambda t: {**t, "algorithm": "PS256"}, SignatureInvalidError),
    "certificate missing": (
        lambda t: {k: v for k, v in t.items() if k != "unverifiedCertificate"},
        TokenMalformedError,
    ),
    "certificate truncated": (
        lambda t: {**t, "unverifiedCertificate": _b64(_field(t, "unverifiedCertificate")[:-1])},
        TokenMalformedError,
    ),
    "certificate with trailing byte": (
        lambda t: {**t, "unverifiedCertificate": _b64(_field(t, "unverifiedCertificate") + b"\0")},
        TokenMalformedError,
    ),
    "certificate base64url": (
        lambda t: {
            **t,
            "unverifiedCertificate": base64.urlsafe_b64encode(
                _field(t, "unverifiedCertificate")
            ).decode(),
        },
        TokenMalformedError,
    ),
    "certificate as PEM": (
        lambda t: {
            **t,
            "unverifiedCertificate": _b64(
                x509.load_der_x509_certificate(_field(t, "unverifiedCertificate")).public_bytes(
                    serialization.Encoding.PEM
                )
            ),
        },
        TokenMalformedError,
    ),
    "certificate base64 with line breaks": (
        lambda t: {
            **t,
            "unverifiedCertificate": t["unverifiedCertificate"][:64]
            + "\n"
            + t["unverifiedCertificate"][64:],
        },
        TokenMalformedError,
    ),
    "signature empty": (lambda t: {**t, "signature": ""}, TokenMalformedError),
    "signature truncated": (
        lambda t: {**t, "signature": _b64(_field(t, "signature")[:-1])},
        SignatureInvalidError,
    ),
    "signature one bit flipped": (
        lambda t: {
            **t,
            "signature": _b64(bytes([_field(t, "signature")[0] ^ 1]) + _field(t, "signature")[1:]),
        },
        SignatureInvalidError,
    ),
    "signature not base64": (lambda t: {**t, "signature": "%%%"}, TokenMalformedError),
    "signature a number": (lambda t: {**t, "signature": 12}, TokenMalformedError),
    "appVersion a list": (lambda t: {**t, "appVersion": ["1"]}, TokenMalformedError),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_field_mutations(
    name: str, valid: Callable[..., tuple[dict[str, Any], str]], trust: TrustStore
) -> None:
    mutate, error = MUTATIONS[name]
    token, nonce = valid()
    with pytest.raises(error):
        verify(mutate(token), nonce, ORIGIN, trust)


@pytest.mark.parametrize("raw", ["", "null", "[]", '"token"', "{", "x" * 20000])
def test_not_a_token(raw: str, trust: TrustStore) -> None:
    with pytest.raises(TokenMalformedError):
        verify(raw, new_nonce(), ORIGIN, trust)


def test_signature_swapped_from_another_token(
    valid: Callable[..., tuple[dict[str, Any], str]], trust: TrustStore
) -> None:
    token, nonce = valid()
    other, _ = valid()
    with pytest.raises(SignatureInvalidError):
        verify({**token, "signature": other["signature"]}, nonce, ORIGIN, trust)


def test_another_cards_certificate(
    valid: Callable[..., tuple[dict[str, Any], str]], trust: TrustStore, test_pki: TestPki
) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = test_pki.issue_card_certificates(HOLDER, other_key.public_key(), other_key.public_key())
    token, nonce = valid()
    swapped = {
        **token,
        "unverifiedCertificate": _b64(
            other.authentication.public_bytes(serialization.Encoding.DER)
        ),
    }
    with pytest.raises(SignatureInvalidError):
        verify(swapped, nonce, ORIGIN, trust)


def test_signature_certificate_is_refused(
    card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    # Properly signed with the signature key, chaining to the trusted root: wrong purpose.
    nonce = new_nonce()
    token = make_token(card.signature, card_keys[1], nonce)
    with pytest.raises(CertificatePurposeError):
        verify(token, nonce, ORIGIN, trust)


def test_certificate_that_names_no_practitioner(test_pki: TestPki, trust: TrustStore) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "not a practitioner")])
    now = datetime.now(UTC)
    certificate = build_certificate(
        subject,
        key.public_key(),  # type: ignore[arg-type]
        issuer=test_pki.issuing_ca.certificate,
        signing_key=test_pki.issuing_ca.private_key,
        serial_number=x509.random_serial_number(),
        validity=(now - timedelta(hours=1), now + timedelta(days=1)),
        extensions=authentication_extensions(HOLDER, "http://127.0.0.1:9/ocsp"),
    )
    nonce = new_nonce()
    with pytest.raises(CertificatePurposeError) as caught:
        verify(make_token(certificate, key, nonce, algorithm="ES256"), nonce, ORIGIN, trust)
    assert str(caught.value) == (
        "The certificate does not name a health professional in the IGC-Santé form."
    )


# --- trust -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def other_pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return TestPki.load_or_create(tmp_path_factory.mktemp("other-pki"))


def test_certificate_from_an_untrusted_pki(
    other_pki: TestPki, card_keys: Keys, trust: TrustStore
) -> None:
    forged = other_pki.issue_card_certificates(
        HOLDER, card_keys[0].public_key(), card_keys[1].public_key()
    )
    nonce = new_nonce()
    with pytest.raises(CertificateUntrustedError) as caught:
        verify(make_token(forged.authentication, card_keys[0], nonce), nonce, ORIGIN, trust)
    assert "DONNAT" not in str(caught.value)


def test_untrusted_when_the_trusted_root_is_another(
    valid: Callable[..., tuple[dict[str, Any], str]], other_pki: TestPki, test_pki: TestPki
) -> None:
    store = TrustStore.from_pem(other_pki.trust_anchors_pem(), test_pki.intermediates_pem())
    token, nonce = valid()
    with pytest.raises(CertificateUntrustedError):
        verify(token, nonce, ORIGIN, store)


def test_untrusted_without_the_intermediate(
    valid: Callable[..., tuple[dict[str, Any], str]], test_pki: TestPki
) -> None:
    token, nonce = valid()
    with pytest.raises(CertificateUntrustedError):
        verify(token, nonce, ORIGIN, TrustStore.from_pem(test_pki.trust_anchors_pem()))


def test_trust_store_configuration(
    tmp_path: Path, test_pki: TestPki, card: CardCertificates
) -> None:
    with pytest.raises(ConfigError):
        TrustStore([])
    with pytest.raises(ConfigError, match="not a CA"):
        TrustStore([card.authentication])
    with pytest.raises(ConfigError, match="cannot read"):
        TrustStore.from_pem_files([tmp_path / "missing.pem"])
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"not a certificate")
    with pytest.raises(ConfigError, match=r"garbage\.pem"):
        TrustStore.from_pem_files([garbage])
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(test_pki.chain_pem())
    assert len(TrustStore.from_pem_files([bundle]).anchors) == 2


# --- validity period and clock skew ------------------------------------------------------


@pytest.fixture(scope="module")
def dated(test_pki: TestPki, card_keys: Keys) -> x509.Certificate:
    """A certificate valid from tomorrow for 30 days (the CAs are valid then)."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    return issue_authentication_certificate(
        test_pki, card_keys[0].public_key(), validity=(start, start + timedelta(days=30))
    )


@pytest.mark.parametrize(
    ("at", "error"),
    [
        (
            lambda c: c.not_valid_before_utc - SKEW - timedelta(seconds=1),
            CertificateNotYetValidError,
        ),
        (lambda c: c.not_valid_before_utc - SKEW, None),
        (lambda c: c.not_valid_before_utc, None),
        (lambda c: c.not_valid_after_utc, None),
        (lambda c: c.not_valid_after_utc + SKEW, None),
        (lambda c: c.not_valid_after_utc + SKEW + timedelta(seconds=1), CertificateExpiredError),
        (lambda c: c.not_valid_after_utc + timedelta(days=400), CertificateExpiredError),
    ],
    ids=["before-skew", "skew-start", "start", "end", "skew-end", "after-skew", "long-expired"],
)
def test_validity_edges_with_skew(
    dated: x509.Certificate,
    card_keys: Keys,
    trust: TrustStore,
    at: Callable[[x509.Certificate], datetime],
    error: type[AuthError] | None,
) -> None:
    nonce = new_nonce()
    token = make_token(dated, card_keys[0], nonce)
    if error is None:
        verify(token, nonce, ORIGIN, trust, now=at(dated))
    else:
        with pytest.raises(error):
            verify(token, nonce, ORIGIN, trust, now=at(dated))


def test_zero_skew(dated: x509.Certificate, card_keys: Keys, trust: TrustStore) -> None:
    nonce = new_nonce()
    token = make_token(dated, card_keys[0], nonce)
    strict = TokenVerifier(trust, clock_skew=timedelta(0))
    with pytest.raises(CertificateNotYetValidError):
        strict.verify(token, nonce, ORIGIN, now=dated.not_valid_before_utc - timedelta(seconds=1))
    strict.verify(token, nonce, ORIGIN, now=dated.not_valid_before_utc)


def test_naive_time_is_refused(
    valid: Callable[..., tuple[dict[str, Any], str]], trust: TrustStore
) -> None:
    token, nonce = valid()
    with pytest.raises(InvalidInputError) as caught:
        verify(token, nonce, ORIGIN, trust, now=datetime.now())
    assert caught.value.field == "now"
    assert str(caught.value) == "now: must be a timezone-aware datetime"


# --- nonces: replay, expiry, origin binding, single use whatever fails -------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def challenges() -> Challenges:
    return Challenges(MemoryNonceStore())


def test_replay_is_refused(
    card: CardCertificates, card_keys: Keys, trust: TrustStore, challenges: Challenges
) -> None:
    verifier = TokenVerifier(trust, challenges=challenges)
    nonce = challenges.issue(ORIGIN).nonce
    token = make_token(card.authentication, card_keys[0], nonce)
    verifier.verify(token, nonce, ORIGIN)
    with pytest.raises(NonceInvalidError):
        verifier.verify(token, nonce, ORIGIN)


def test_unknown_and_expired_nonces(
    card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    clock = FakeClock()
    store = MemoryNonceStore(clock=clock)
    verifier = TokenVerifier(trust, challenges=store)  # a bare store is accepted too
    never_issued = new_nonce()
    with pytest.raises(NonceInvalidError):
        verifier.verify(
            make_token(card.authentication, card_keys[0], never_issued), never_issued, ORIGIN
        )
    nonce = Challenges(store).issue(ORIGIN).nonce
    clock.now += 5 * 60 + 1
    with pytest.raises(NonceInvalidError):
        verifier.verify(make_token(card.authentication, card_keys[0], nonce), nonce, ORIGIN)


def test_nonce_issued_to_another_origin(
    card: CardCertificates, card_keys: Keys, trust: TrustStore, challenges: Challenges
) -> None:
    nonce = challenges.issue("https://dmp.example.evil").nonce
    token = make_token(card.authentication, card_keys[0], nonce)
    with pytest.raises(OriginMismatchError):
        TokenVerifier(trust, challenges=challenges).verify(token, nonce, ORIGIN)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda t: {**t, "signature": _b64(b"\x00" * 256)},
        lambda t: {**t, "format": "web-eid:0.9"},
        lambda t: "not json",
    ],
    ids=["bad-signature", "bad-format", "not-json"],
)
def test_a_failed_attempt_uses_the_nonce_up(
    card: CardCertificates,
    card_keys: Keys,
    trust: TrustStore,
    challenges: Challenges,
    spoil: Callable[[dict[str, Any]], Any],
) -> None:
    verifier = TokenVerifier(trust, challenges=challenges)
    nonce = challenges.issue(ORIGIN).nonce
    token = make_token(card.authentication, card_keys[0], nonce)
    with pytest.raises(AuthError):
        verifier.verify(spoil(token), nonce, ORIGIN)
    with pytest.raises(NonceInvalidError):
        verifier.verify(token, nonce, ORIGIN)


@pytest.mark.parametrize("nonce", ["", "c2hvcnQ=", "*" * 44, "A" * 5000])
def test_nonce_shape(
    nonce: str, card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    token = make_token(card.authentication, card_keys[0], nonce)
    with pytest.raises(NonceInvalidError):
        verify(token, nonce, ORIGIN, trust)


@pytest.mark.parametrize("size", [16, 31])
def test_nonces_shorter_than_32_bytes_are_refused(
    size: int, card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    """Web eID requires at least 32 random bytes: a well-signed token over a 16-byte nonce
    (24 base64 characters, a size other protocols use) is still refused."""
    nonce = base64.b64encode(bytes(range(size))).decode()
    token = make_token(card.authentication, card_keys[0], nonce)
    with pytest.raises(NonceInvalidError, match=rf"at least 32 random bytes \(it has {size}\)"):
        verify(token, nonce, ORIGIN, trust)
    store = MemoryNonceStore()
    store.put(nonce, ORIGIN, 60)  # even a short nonce that this server's store holds
    with pytest.raises(NonceInvalidError):
        TokenVerifier(trust, challenges=Challenges(store)).verify(token, nonce, ORIGIN)


def test_a_nonce_of_exactly_32_bytes_is_accepted(
    card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    nonce = base64.b64encode(bytes(range(32))).decode()
    assert len(nonce) == 44
    token = make_token(card.authentication, card_keys[0], nonce)
    assert verify(token, nonce, ORIGIN, trust).national_id == "810002813839"


def test_a_nonce_that_is_not_text_is_refused(
    card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    nonce = base64.b64encode(bytes(range(32))).decode()
    token = make_token(card.authentication, card_keys[0], nonce)
    with pytest.raises(NonceInvalidError) as caught:
        verify(token, nonce.encode(), ORIGIN, trust)  # type: ignore[arg-type]
    assert str(caught.value) == "The nonce must be the base64 text of 32 random bytes or more."


# --- origins -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signed_for", "verified_with", "error"),
    [
        ("https://dmp.example.evil", "https://dmp.example", SignatureInvalidError),
        ("https://dmp.example", "https://dmp.example.evil", SignatureInvalidError),
        ("https://evil.example", "https://dmp.example", SignatureInvalidError),
        ("https://dmp.example:8443", "https://dmp.example", SignatureInvalidError),
        ("https://dmp.example", "https://dmp.example:8443", SignatureInvalidError),
        ("http://dmp.example", "https://dmp.example", SignatureInvalidError),
        ("https://dmp.example", "https://dmp.example/", OriginInvalidError),
        ("https://dmp.example", "https://dmp.example/login", OriginInvalidError),
        ("https://dmp.example", "dmp.example", OriginInvalidError),
        ("https://dmp.example", "https://dmp.example:443", None),
        ("https://dmp.example", "HTTPS://DMP.Example", None),
    ],
)
def test_origins(
    card: CardCertificates,
    card_keys: Keys,
    trust: TrustStore,
    signed_for: str,
    verified_with: str,
    error: type[AuthError] | None,
) -> None:
    nonce = new_nonce()
    token = make_token(card.authentication, card_keys[0], nonce, origin=signed_for)
    if error is None:
        verify(token, nonce, verified_with, trust)
    else:
        with pytest.raises(error):
            verify(token, nonce, verified_with, trust)


def test_look_alike_origin_with_challenges(
    card: CardCertificates, card_keys: Keys, trust: TrustStore, challenges: Challenges
) -> None:
    nonce = challenges.issue(ORIGIN).nonce
    token = make_token(card.authentication, card_keys[0], nonce, origin="https://dmp.example.evil")
    with pytest.raises(OriginMismatchError):
        TokenVerifier(trust, challenges=challenges).verify(token, nonce, "https://dmp.example.evil")


# --- algorithms: PS256, ES256, and keys that do not fit ----------------------------------


@pytest.fixture(scope="module")
def ec_card(test_pki: TestPki) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    validity = (now - timedelta(hours=1), now + timedelta(days=365))
    return issue_authentication_certificate(test_pki, key.public_key(), validity=validity), key


def test_ps256(valid: Callable[..., tuple[dict[str, Any], str]], trust: TrustStore) -> None:
    token, nonce = valid(algorithm="PS256")
    assert verify(token, nonce, ORIGIN, trust).rpps == "10002813839"


def test_ps256_with_another_salt_length(
    card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    nonce = new_nonce()
    signature = card_keys[0].sign(
        message(ORIGIN, nonce),
        padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.MAX_LENGTH),
        hashes.SHA256(),
    )
    token = make_token(
        card.authentication, card_keys[0], nonce, algorithm="PS256", signature=signature
    )
    with pytest.raises(SignatureInvalidError):
        verify(token, nonce, ORIGIN, trust)


def test_es256(
    ec_card: tuple[x509.Certificate, ec.EllipticCurvePrivateKey], trust: TrustStore
) -> None:
    certificate, key = ec_card
    nonce = new_nonce()
    token = make_token(certificate, key, nonce, algorithm="ES256")
    assert len(base64.b64decode(token["signature"])) == 64
    assert verify(token, nonce, ORIGIN, trust).national_id == "810002813839"


def test_es256_der_signature_is_refused(
    ec_card: tuple[x509.Certificate, ec.EllipticCurvePrivateKey], trust: TrustStore
) -> None:
    # Web eID (JWS, RFC 7518 §3.4) carries r || s; a DER Ecdsa-Sig-Value is another format.
    certificate, key = ec_card
    nonce = new_nonce()
    der = key.sign(message(ORIGIN, nonce), ec.ECDSA(hashes.SHA256()))
    token = make_token(certificate, key, nonce, algorithm="ES256", signature=der)
    with pytest.raises(SignatureInvalidError, match="r \\|\\| s"):
        verify(token, nonce, ORIGIN, trust)


def test_es256_with_r_and_s_swapped(
    ec_card: tuple[x509.Certificate, ec.EllipticCurvePrivateKey], trust: TrustStore
) -> None:
    certificate, key = ec_card
    nonce = new_nonce()
    token = make_token(certificate, key, nonce, algorithm="ES256")
    raw = base64.b64decode(token["signature"])
    with pytest.raises(SignatureInvalidError):
        verify({**token, "signature": _b64(raw[32:] + raw[:32])}, nonce, ORIGIN, trust)


def test_algorithm_that_does_not_fit_the_key(
    valid: Callable[..., tuple[dict[str, Any], str]],
    ec_card: tuple[x509.Certificate, ec.EllipticCurvePrivateKey],
    trust: TrustStore,
) -> None:
    token, nonce = valid()
    with pytest.raises(UnsupportedAlgorithmError, match="does not fit"):
        verify({**token, "algorithm": "ES256", "signature": _b64(b"\1" * 64)}, nonce, ORIGIN, trust)
    certificate, key = ec_card
    token = make_token(certificate, key, nonce, algorithm="ES256")
    for algorithm in ("RS256", "PS256"):
        with pytest.raises(UnsupportedAlgorithmError, match="does not fit"):
            verify({**token, "algorithm": algorithm}, nonce, ORIGIN, trust)


def test_es256_on_another_curve(test_pki: TestPki, trust: TrustStore) -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    now = datetime.now(UTC)
    certificate = issue_authentication_certificate(
        test_pki, key.public_key(), validity=(now - timedelta(hours=1), now + timedelta(days=1))
    )
    nonce = new_nonce()
    with pytest.raises(UnsupportedAlgorithmError):
        verify(make_token(certificate, key, nonce, algorithm="ES256"), nonce, ORIGIN, trust)


def test_algorithm_allowlist(
    valid: Callable[..., tuple[dict[str, Any], str]], trust: TrustStore
) -> None:
    token, nonce = valid()
    with pytest.raises(UnsupportedAlgorithmError):
        TokenVerifier(trust, algorithms=["ES256", "PS256"]).verify(token, nonce, ORIGIN)


@pytest.mark.parametrize(
    "options",
    [{"algorithms": ["HS256"]}, {"algorithms": []}, {"clock_skew": timedelta(seconds=-1)}],
)
def test_verifier_configuration(trust: TrustStore, options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        TokenVerifier(trust, **options)


# --- other card forms --------------------------------------------------------------------


def test_adeli_practitioner(test_pki: TestPki, card_keys: Keys, trust: TrustStore) -> None:
    holder = replace(HOLDER, national_id="0751234567", profession="Masseur-Kinésithérapeute")
    certificates = test_pki.issue_card_certificates(
        holder, card_keys[0].public_key(), card_keys[1].public_key()
    )
    nonce = new_nonce()
    practitioner = verify(
        make_token(certificates.authentication, card_keys[0], nonce), nonce, ORIGIN, trust
    )
    assert practitioner.id_type == "ADELI"
    assert (practitioner.adeli, practitioner.rpps) == ("751234567", None)
    assert practitioner.profession is not None
    assert practitioner.profession.code == "70"


def test_structure_card(test_pki: TestPki, card_keys: Keys, trust: TrustStore) -> None:
    holder = replace(HOLDER, structure_id="499700735741008", internal_id="0042")
    certificates = test_pki.issue_card_certificates(
        holder, card_keys[0].public_key(), card_keys[1].public_key(), card_type=3
    )
    nonce = new_nonce()
    practitioner = verify(
        make_token(certificates.authentication, card_keys[0], nonce), nonce, ORIGIN, trust
    )
    assert practitioner.national_id is None
    assert practitioner.id_type == "STRUCTURE"
    assert practitioner.structure_id == "499700735741008"
    assert practitioner.structure_id_type is StructureIdType.RPPS
    assert practitioner.internal_id == "0042"


def test_the_verifier_needs_no_card_stack() -> None:
    # Integrators' servers have no reader, no pcscd and no pyscard: importing must not need them.
    code = (
        "import sys, cardbridge.auth.verifier\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('smartcard', 'fastapi')"
        " or m.startswith(('cardbridge.pcsc.backend', 'cardbridge.emulator', 'cardbridge.api'))]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize("algorithms", [["HS256"], ["RS256", "none"], []])
def test_only_the_web_eid_algorithms_can_be_allowed(
    algorithms: list[str], trust: TrustStore
) -> None:
    with pytest.raises(ConfigError) as caught:
        TokenVerifier(trust, algorithms=algorithms)
    assert str(caught.value) == "Token algorithms must be among RS256, PS256, ES256."


def test_a_negative_clock_skew_is_refused(trust: TrustStore) -> None:
    with pytest.raises(ConfigError) as caught:
        TokenVerifier(trust, clock_skew=timedelta(seconds=-1))
    assert str(caught.value) == "The clock skew cannot be negative."
    assert TokenVerifier(trust, clock_skew=timedelta(0)).clock_skew == timedelta(0)


def test_a_certificate_that_is_not_der_is_refused(
    valid: Callable[..., tuple[dict[str, Any], str]], trust: TrustStore
) -> None:
    token, nonce = valid()
    spoiled = {**token, "unverifiedCertificate": _b64(b"0\x03\x02\x01\x00")}
    with pytest.raises(TokenMalformedError) as caught:
        verify(spoiled, nonce, ORIGIN, trust)
    assert str(caught.value) == "The token's certificate is not DER X.509."
