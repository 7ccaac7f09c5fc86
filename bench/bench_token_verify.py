"""Token verification throughput, chain included, vs a bare RSA-2048 verify, same run.

A verification parses the token and the certificate (twice: cryptography for the chain,
asn1crypto for the IGC-Santé subject), checks the dates, builds and checks the chain
(two RSA signatures: the card certificate's and the issuing CA's) and verifies the token's
RS256 signature: about three RSA verifications plus parsing. The bare verify is one
``RSAPublicKey.verify`` of a PKCS#1 v1.5 SHA-256 signature. Both run in interleaved
batches so that drift in the machine's load hits them alike; figures are medians of the
per-batch rates. No OCSP (its cost is the network's) and no nonce store.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bench.framework import Recorder, Result, Target, benchmark
from cardbridge.auth.trust import TrustStore
from cardbridge.auth.verifier import TokenVerifier
from cardbridge.emulator.pki import TestPki
from testkit.tokens import (
    ORIGIN,
    issue_authentication_certificate,
    make_token,
    message,
    new_nonce,
)

BATCH = 50
ROUNDS = 12


def _rate(batch: Callable[[], None]) -> float:
    started = time.perf_counter()
    batch()
    return BATCH / (time.perf_counter() - started)


@benchmark("token-verify")
def token_verify(recorder: Recorder) -> None:
    with tempfile.TemporaryDirectory(prefix="cardbridge-bench-") as directory:
        pki = TestPki.load_or_create(Path(directory))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    certificate = issue_authentication_certificate(
        pki, key.public_key(), validity=(now - timedelta(hours=1), now + timedelta(days=1))
    )
    verifier = TokenVerifier(TrustStore.from_pem(pki.trust_anchors_pem(), pki.intermediates_pem()))
    nonce = new_nonce()
    token = make_token(certificate, key, nonce)
    data = message(ORIGIN, nonce)
    signature = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    public_key = key.public_key()

    def token_batch() -> None:
        for _ in range(BATCH):
            verifier.verify(token, nonce, ORIGIN)

    def bare_batch() -> None:
        for _ in range(BATCH):
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())

    batches = {"token": token_batch, "bare": bare_batch}
    rates: dict[str, list[float]] = {name: [] for name in batches}
    for batch in batches.values():
        batch()  # warm-up
    for round_index in range(ROUNDS):
        names = list(batches) if round_index % 2 == 0 else list(reversed(batches))
        for name in names:
            rates[name].append(_rate(batches[name]))

    token_rate = statistics.median(rates["token"])
    bare_rate = statistics.median(rates["bare"])
    recorder.record(Result("bare RSA-2048 verify", bare_rate, "verifies/s"))
    recorder.record(
        Result(
            "token verification, chain included",
            token_rate,
            "verifications/s",
            baseline=bare_rate,
            baseline_unit="verifies/s",
        )
    )
    recorder.record(
        Result(
            "token verification / bare verify",
            token_rate / bare_rate,
            "ratio",
            target=Target(">=", 0.25),
            note="the same certificate again, as a relying party sees its users log in",
        )
    )
    recorder.record(
        Result(
            "token verification cost",
            bare_rate / token_rate,
            "bare verifies",
            note="informative: how many bare RSA verifies one token verification costs",
        )
    )
