"""cardbridge's DMP transport (cardbridge/dmp/http.py) against a real `cardbridge dmp-sandbox`
process over mutual TLS:

- a cold call (a new TLS session signed by an emulated CPS in process, then TD0.2) and the
  same with a software key, as times and their ratio;
- a warm TD0.2 on the kept-alive session, and the same through the standard library's ssl;
- 5 MB through the transport (tlslite-ng, the records sealed by OpenSSL's AES-GCM) as a ratio
  to a bare ``http.client`` HTTPS POST of the same bytes on a kept-alive connection
  (target <= 1.5); and a 5 MB PDF deposit end to end (TD2.1, MTOM) against the same baseline.

Payloads come from the tests' independent client (tests/support); no timed assertion here.
"""

from __future__ import annotations

import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from lxml import etree

from bench.bench_dmp_sandbox import PDF_BYTES, _big_pdf
from bench.framework import Recorder, Result, Target, benchmark
from cardbridge.dmp import envelope, mtom
from cardbridge.dmp.card_credential import CardCredential
from cardbridge.dmp.connect import StructureKey, structure_ssl_context
from cardbridge.dmp.endpoints import DmpEndpoint, resolve_endpoint
from cardbridge.dmp.http import CardConnector, HttpsTransport, SslConnector
from cardbridge.dmp.server_trust import ServerVerifier
from cardbridge.dmp.transport import Service, SoapCall
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.pki_organisations import OrganisationPki
from cardbridge.emulator.profiles import load_profile
from testkit.dmp_card_credentials import der, emulated_cps, software_credential
from testkit.dmp_documents import Doc, provide_and_register
from testkit.dmp_messages import ACTIONS, Vihf, existence_test
from testkit.dmp_sandbox import SERVICES, Identity, client_context, practitioner

PIERRE = "155067200010159"
COLD_ROUNDS = 9
WARM_CALLS = 40
BULK_ROUNDS = 15


def _td02() -> SoapCall:
    return SoapCall(Service.PATIENTS, ACTIONS["TD0.2"], existence_test(PIERRE), transaction="TD0.2")


def _median_ms(action: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _cold(endpoint: DmpEndpoint, connector: CardConnector, vihf: bytes) -> None:
    transport = HttpsTransport(endpoint, connector)
    try:
        transport.call(_td02(), vihf)
    finally:
        transport.close()


def _sandbox(home: str) -> tuple[subprocess.Popen[str], int]:
    environment = {**os.environ, "XDG_DATA_HOME": f"{home}/data", "XDG_CONFIG_HOME": f"{home}/c"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cardbridge", "dmp-sandbox", "--port", "0", "--pages-port", "0",
         "--data-dir", f"{home}/dmp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=environment,
    )  # fmt: skip
    assert process.stdout is not None
    port = int(re.search(r":(\d+)/si-dmp", process.stdout.readline()).group(1))  # type: ignore[union-attr]
    return process, port


def _demo_doctor(test_pki: TestPki) -> tuple[Identity, bytes]:
    """The demo CPS's holder with a software key, and a VIHF about Pierre it signed
    (without expiry: a benchmark may outlive a VIHF's window)."""
    doctor = practitioner(
        test_pki,
        "899700735741",
        "LE QUINIO",
        "PIERRE",
        "Médecin",
        Vihf("899700735741", "499700735741008", patient=PIERRE, lifetime=None),
    )
    return doctor, etree.tostring(doctor.signed(doctor.vihf.but(lifetime=None)))


@benchmark("dmp-transport")
def dmp_transport(recorder: Recorder) -> None:
    with tempfile.TemporaryDirectory(prefix="cardbridge-bench-") as home:
        pki_dir = Path(home, "data", "cardbridge")
        organisations = OrganisationPki.load_or_create(pki_dir)
        test_pki = TestPki.load_or_create(pki_dir)
        doctor, vihf = _demo_doctor(test_pki)
        verifier = ServerVerifier.from_pem(organisations.trust_anchors_pem())
        card = build_card(load_profile("demo-cps"), issuer=PkiIssuer(test_pki))
        card.power_on()
        process, port = _sandbox(home)
        try:
            endpoint = resolve_endpoint(f"https://127.0.0.1:{port}")
            software = CardConnector(
                software_credential(der(doctor.tls.certificate), doctor.tls.private_key), verifier
            )
            _cold(endpoint, software, vihf)  # the server's first request warms it up
            with emulated_cps(card) as cps:
                by_card = CardConnector(
                    CardCredential([cps.session.authentication_certificate()],
                                   cps.session.authenticate_digest),
                    verifier,
                )  # fmt: skip
                card_ms = _median_ms(lambda: _cold(endpoint, by_card, vihf), COLD_ROUNDS)
            software_ms = _median_ms(lambda: _cold(endpoint, software, vihf), COLD_ROUNDS)
            recorder.record(
                Result(
                    "cold TD0.2 (TLS handshake signed by the emulated CPS) / software key",
                    card_ms / software_ms,
                    "x",
                    baseline=software_ms,
                    baseline_unit="ms",
                    note=f"card {card_ms:.1f} ms, median of {COLD_ROUNDS}",
                )
            )

            warm = HttpsTransport(endpoint, software)
            stdlib = HttpsTransport(endpoint, SslConnector(_stdlib_context(verifier, doctor)))
            try:
                warm.call(_td02(), vihf)
                stdlib.call(_td02(), vihf)
                warm_ms = _median_ms(lambda: warm.call(_td02(), vihf), WARM_CALLS)
                stdlib_ms = _median_ms(lambda: stdlib.call(_td02(), vihf), WARM_CALLS)
                recorder.record(
                    Result(
                        "warm TD0.2 on the kept-alive session (tlslite-ng) / standard ssl",
                        warm_ms / stdlib_ms,
                        "x",
                        baseline=stdlib_ms,
                        baseline_unit="ms",
                        note=f"tlslite-ng {warm_ms:.1f} ms, median of {WARM_CALLS}",
                    )
                )
                _bulk(recorder, endpoint, warm, vihf, port, organisations, doctor)
            finally:
                warm.close()
                stdlib.close()
        finally:
            process.terminate()
            process.wait(timeout=30)


def _stdlib_context(verifier: ServerVerifier, doctor: object) -> object:
    tls = doctor.tls  # type: ignore[attr-defined]
    return structure_ssl_context(verifier, StructureKey(tls.certificate, (), tls.private_key))


def _bulk(
    recorder: Recorder,
    endpoint: DmpEndpoint,
    transport: HttpsTransport,
    vihf: bytes,
    port: int,
    organisations: OrganisationPki,
    doctor: object,
) -> None:
    pdf = _big_pdf(PDF_BYTES)
    path = SERVICES + "repository"
    bare = http.client.HTTPSConnection(
        "127.0.0.1",
        port,
        context=client_context(organisations.trust_anchors_pem(), doctor.tls),  # type: ignore[attr-defined]
        timeout=60,
    )

    def bare_post(data: bytes) -> None:
        bare.request("POST", path, data, {"Content-Type": "application/octet-stream"})
        bare.getresponse().read()

    def ours_post(data: bytes) -> None:
        transport._post(path, "application/octet-stream", data)

    def deposit(call: SoapCall) -> None:
        answer = transport.call(call, vihf)
        assert answer.payload.get("status", "").endswith(":Success")

    def submission() -> SoapCall:
        # Built outside the timing: the CDA wrapper is the tests' client's, not the transport.
        body, parts = provide_and_register([Doc(PIERRE, content=pdf)])
        return SoapCall(Service.REPOSITORY, ACTIONS["TD2.1"], body, parts, "TD2.1")

    def wire(call: SoapCall) -> bytes:
        """The deposit's bytes on the wire (envelope and MTOM as the transport makes them)."""
        _, message = envelope.build_request(call, vihf, endpoint.url(call.service))
        return mtom.encode(message, call.attachments, call.action)[1]

    try:
        warmup = wire(submission())
        bare_post(warmup)
        ours_post(warmup)
        bare_samples, ours_samples, deposit_samples = [], [], []
        for _ in range(BULK_ROUNDS):  # interleaved: the machine's load hits all alike
            call = submission()
            data = wire(call)
            bare_samples.append(_median_ms(partial(bare_post, data), 1))
            ours_samples.append(_median_ms(partial(ours_post, data), 1))
            deposit_samples.append(_median_ms(partial(deposit, call), 1))
        bare_ms = statistics.median(bare_samples)
        ours_ms = statistics.median(ours_samples)
        deposit_ms = statistics.median(deposit_samples)
        recorder.record(
            Result(
                "5 MB PDF deposit's bytes through the transport / bare http.client HTTPS POST",
                ours_ms / bare_ms,
                "x",
                target=Target("<=", 1.5),
                baseline=bare_ms,
                baseline_unit="ms",
                note=f"transport {ours_ms:.0f} ms, {len(warmup) / 1e6:.1f} MB, kept-alive both, "
                f"median of {BULK_ROUNDS}",
            )
        )
        recorder.record(
            Result(
                "5 MB PDF deposit end to end (TD2.1, MTOM) / bare POST of its bytes",
                deposit_ms / bare_ms,
                "x",
                baseline=bare_ms,
                baseline_unit="ms",
                note=f"deposit {deposit_ms:.0f} ms (the sandbox's checks included)",
            )
        )
    finally:
        bare.close()
