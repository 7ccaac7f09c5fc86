"""OCSP, offline: responses built here, served by a loopback responder, checked by the verifier.

Good / revoked / unknown statuses, freshness (stale, too old, from the future, skew
edges), signer (the CA, its delegated responder, anything else), nonce and CertID
matching, and a responder that is down, failing, slow or verbose.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp

from cardbridge.auth.ocsp import OcspChecker, responder_url
from cardbridge.auth.trust import TrustStore
from cardbridge.auth.verifier import TokenVerifier
from cardbridge.emulator.pki import CardCertificates, TestPki
from cardbridge.errors import (
    CertificateRevokedError,
    CertificateStatusUnknownError,
    CertificateUntrustedError,
    OcspError,
)
from testkit.tokens import HOLDER, ORIGIN, make_token, new_nonce
from tests.support.ocsp_responder import Responder, build_response, ocsp_responder

Keys = tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]


@pytest.fixture(scope="module")
def responder() -> Iterator[Responder]:
    with ocsp_responder(lambda request: (500, b"")) as running:
        yield running


@pytest.fixture(scope="module")
def trust(test_pki: TestPki) -> TrustStore:
    return TrustStore.from_pem(test_pki.trust_anchors_pem(), test_pki.intermediates_pem())


@pytest.fixture(scope="module")
def card(test_pki: TestPki, card_keys: Keys, responder: Responder) -> CardCertificates:
    """A card whose certificates name the loopback responder in authorityInfoAccess."""
    return test_pki.issue_card_certificates(
        HOLDER, card_keys[0].public_key(), card_keys[1].public_key(), ocsp_url=responder.url
    )


@pytest.fixture(scope="module")
def other_pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return TestPki.load_or_create(tmp_path_factory.mktemp("ocsp-other-pki"))


@pytest.fixture
def serve(responder: Responder, card: CardCertificates, test_pki: TestPki) -> Callable[..., None]:
    """Make the responder answer about the card with ``build_response(**options)``."""

    def set_answer(**options: Any) -> None:
        options.setdefault("signer", test_pki.ocsp_responder.certificate)
        options.setdefault("signer_key", test_pki.ocsp_responder.private_key)
        options.setdefault("certificate", card.authentication)

        def answer(request: bytes) -> tuple[int, bytes]:
            return 200, build_response(
                request,
                issuer=test_pki.issuing_ca.certificate,
                now=datetime.now(UTC),
                **options,
            )

        responder.answer = answer
        responder.requests.clear()

    return set_answer


def check(
    card: CardCertificates,
    card_keys: Keys,
    trust: TrustStore,
    checker: OcspChecker | None = None,
) -> None:
    nonce = new_nonce()
    token = make_token(card.authentication, card_keys[0], nonce)
    verifier = TokenVerifier(trust, ocsp=checker or OcspChecker(timeout=5))
    verifier.verify(token, nonce, ORIGIN)


# --- statuses ----------------------------------------------------------------------------


def test_good_from_the_delegated_responder(
    serve: Callable[..., None],
    responder: Responder,
    card: CardCertificates,
    card_keys: Keys,
    trust: TrustStore,
) -> None:
    serve()
    check(card, card_keys, trust)
    (request_der,) = responder.requests
    request = ocsp.load_der_ocsp_request(request_der)
    assert request.serial_number == card.authentication.serial_number
    assert isinstance(request.hash_algorithm, hashes.SHA1)
    assert len(request.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce) == 32


@pytest.mark.parametrize("by_key", [True, False], ids=["by-key", "by-name"])
def test_good_signed_by_the_issuing_ca(
    serve: Callable[..., None],
    test_pki: TestPki,
    card: CardCertificates,
    card_keys: Keys,
    trust: TrustStore,
    by_key: bool,
) -> None:
    serve(
        signer=test_pki.issuing_ca.certificate,
        signer_key=test_pki.issuing_ca.private_key,
        include_signer=False,
        by_key=by_key,
    )
    check(card, card_keys, trust)


def test_revoked(
    serve: Callable[..., None], card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    serve(status=ocsp.OCSPCertStatus.REVOKED)
    with pytest.raises(CertificateRevokedError, match="revoked on"):
        check(card, card_keys, trust)


def test_unknown(
    serve: Callable[..., None], card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    serve(status=ocsp.OCSPCertStatus.UNKNOWN)
    with pytest.raises(CertificateStatusUnknownError):
        check(card, card_keys, trust)


# --- freshness ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("this_update", "next_update", "error"),
    [
        (timedelta(minutes=-10), timedelta(minutes=-5), "expired"),
        (timedelta(days=-1), None, "too old"),
        (timedelta(minutes=-20), timedelta(hours=1), "too old"),
        (timedelta(hours=1), timedelta(hours=2), "future"),
        (timedelta(minutes=1), timedelta(hours=1), None),
        (timedelta(minutes=-10), timedelta(minutes=-1), None),
        (timedelta(minutes=-10), None, None),
    ],
    ids=[
        "next-update-passed",
        "old-without-next-update",
        "older-than-max-age",
        "from-the-future",
        "future-within-skew",
        "next-update-within-skew",
        "recent-without-next-update",
    ],
)
def test_freshness(
    serve: Callable[..., None],
    card: CardCertificates,
    card_keys: Keys,
    trust: TrustStore,
    this_update: timedelta,
    next_update: timedelta | None,
    error: str | None,
) -> None:
    serve(this_update=this_update, next_update=next_update)
    if error is None:
        check(card, card_keys, trust)
    else:
        with pytest.raises(OcspError, match=error):
            check(card, card_keys, trust)


def test_max_age_is_configurable(
    serve: Callable[..., None], card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    serve(this_update=timedelta(minutes=-5))
    check(card, card_keys, trust, OcspChecker(max_age=timedelta(minutes=10)))
    with pytest.raises(OcspError, match="too old"):
        check(card, card_keys, trust, OcspChecker(max_age=timedelta(minutes=2)))


# --- signer, nonce, CertID ---------------------------------------------------------------


def test_responder_of_another_pki(
    serve: Callable[..., None],
    other_pki: TestPki,
    card: CardCertificates,
    card_keys: Keys,
    trust: TrustStore,
) -> None:
    serve(
        signer=other_pki.ocsp_responder.certificate, signer_key=other_pki.ocsp_responder.private_key
    )
    with pytest.raises(OcspError, match="not signed by"):
        check(card, card_keys, trust)


def test_certificate_of_the_ca_without_ocsp_signing(
    serve: Callable[..., None], card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    # The card's own signature certificate is issued by the same CA, but is no responder.
    serve(signer=card.signature, signer_key=card_keys[1])
    with pytest.raises(OcspError, match="not signed by"):
        check(card, card_keys, trust)


def test_forged_signature_in_the_cas_name(
    serve: Callable[..., None],
    test_pki: TestPki,
    other_pki: TestPki,
    card: CardCertificates,
    card_keys: Keys,
    trust: TrustStore,
) -> None:
    # Both test PKIs' issuing CAs have the same name: by name, this names the real one.
    assert other_pki.issuing_ca.certificate.subject == test_pki.issuing_ca.certificate.subject
    serve(
        signer=other_pki.issuing_ca.certificate,
        signer_key=other_pki.issuing_ca.private_key,
        include_signer=False,
        by_key=False,
    )
    with pytest.raises(OcspError, match="does not verify"):
        check(card, card_keys, trust)


def test_expired_delegated_responder(
    serve: Callable[..., None],
    test_pki: TestPki,
    card: CardCertificates,
    card_keys: Keys,
    trust: TrustStore,
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    responder_certificate = (
        x509.CertificateBuilder()
        .subject_name(test_pki.ocsp_responder.certificate.subject)
        .issuer_name(test_pki.issuing_ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=10))
        .not_valid_after(now - timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.OCSP_SIGNING]), False)
        .sign(test_pki.issuing_ca.private_key, hashes.SHA256())
    )
    serve(signer=responder_certificate, signer_key=key)
    with pytest.raises(OcspError, match="not signed by"):
        check(card, card_keys, trust)


def test_nonce_mismatch(
    serve: Callable[..., None], card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    serve(nonce=b"\x00" * 32)
    with pytest.raises(OcspError, match="nonce"):
        check(card, card_keys, trust)


def test_response_without_nonce(
    serve: Callable[..., None], card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    # Responders that pre-compute their answers cannot echo nonces: freshness decides.
    serve(echo_nonce=False)
    check(card, card_keys, trust)


def test_response_about_another_certificate(
    serve: Callable[..., None], card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    serve(certificate=card.signature)
    with pytest.raises(OcspError, match="does not answer for this certificate"):
        check(card, card_keys, trust)


# --- transport ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_responder_down(card: CardCertificates, card_keys: Keys, trust: TrustStore) -> None:
    checker = OcspChecker(url=f"http://127.0.0.1:{_free_port()}/ocsp", timeout=2)
    with pytest.raises(OcspError, match="could not be reached"):
        check(card, card_keys, trust, checker)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (lambda request: (500, b""), "HTTP 500"),
        (lambda request: (200, b"not ocsp"), "not an OCSP response"),
        (lambda request: (200, b"\x30" * (80 * 1024)), "too large"),
        (
            lambda request: (
                200,
                ocsp.OCSPResponseBuilder.build_unsuccessful(
                    ocsp.OCSPResponseStatus.TRY_LATER
                ).public_bytes(serialization.Encoding.DER),
            ),
            "try_later",
        ),
    ],
    ids=["http-500", "garbage", "too-large", "try-later"],
)
def test_responder_failures(
    responder: Responder,
    card: CardCertificates,
    card_keys: Keys,
    trust: TrustStore,
    answer: Callable[[bytes], tuple[int, bytes]],
    error: str,
) -> None:
    responder.answer = answer
    with pytest.raises(OcspError, match=error):
        check(card, card_keys, trust)


def test_slow_responder(
    responder: Responder, card: CardCertificates, card_keys: Keys, trust: TrustStore
) -> None:
    def stall(request: bytes) -> tuple[int, bytes]:
        time.sleep(2)
        return 500, b""

    responder.answer = stall
    started = time.monotonic()
    with pytest.raises(OcspError):
        check(card, card_keys, trust, OcspChecker(timeout=0.5))
    assert time.monotonic() - started < 1.8


def test_configured_url_replaces_the_certificates(
    serve: Callable[..., None],
    responder: Responder,
    test_pki: TestPki,
    card_keys: Keys,
    trust: TrustStore,
) -> None:
    # These certificates name the PKI's default responder address, where nothing answers.
    default = test_pki.issue_card_certificates(
        HOLDER, card_keys[0].public_key(), card_keys[1].public_key()
    )
    serve(certificate=default.authentication)
    check(default, card_keys, trust, OcspChecker(url=responder.url))
    assert len(responder.requests) == 1


def test_certificate_without_responder(test_pki: TestPki) -> None:
    with pytest.raises(OcspError, match="names no OCSP responder"):
        responder_url(test_pki.issuing_ca.certificate)


def test_no_request_for_an_untrusted_certificate(
    serve: Callable[..., None],
    responder: Responder,
    other_pki: TestPki,
    card_keys: Keys,
    trust: TrustStore,
) -> None:
    forged = other_pki.issue_card_certificates(
        HOLDER, card_keys[0].public_key(), card_keys[1].public_key(), ocsp_url=responder.url
    )
    serve(certificate=forged.authentication)
    with pytest.raises(CertificateUntrustedError):
        check(forged, card_keys, trust)
    assert responder.requests == []


def test_ocsp_is_off_by_default(
    serve: Callable[..., None],
    responder: Responder,
    card: CardCertificates,
    card_keys: Keys,
    trust: TrustStore,
) -> None:
    serve(status=ocsp.OCSPCertStatus.REVOKED)
    nonce = new_nonce()
    TokenVerifier(trust).verify(make_token(card.authentication, card_keys[0], nonce), nonce, ORIGIN)
    assert responder.requests == []
