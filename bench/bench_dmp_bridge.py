"""The DMP through the whole bridge (the API, the emulated CPS, the VIHF, the transport)
against a real ``cardbridge dmp-sandbox`` process, where bench_dmp_transport measures the
transport alone:

- the cold "open a patient's DMP" (``GET /v1/dmp/status`` in a new PIN session: a TLS
  handshake signed by the card, a VIHF signed by the card, TD0.2) against the same route
  of a bridge in indirect mode, whose TLS and VIHF keys are software keys (a structure's
  PKCS#12 files);
- a warm TD3.1 (``GET /v1/dmp/documents``: the VIHF reused, the TLS session kept) against
  the same FindDocuments made by the transport with a software key and no API;
- a 5 MB PDF deposit end to end (``POST /v1/dmp/documents``: the form, the PDF parsed, the
  CDA wrapper, the XAdES signed by the card, MTOM, TD2.1 and the sandbox's checks) against a
  bare ``http.client`` HTTPS POST of the same PDF's bytes to the sandbox (target <= 1.5).

Figures only, no timed assertion.
"""

from __future__ import annotations

import http.client
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.bench_dmp_transport import _demo_doctor, _median_ms, _sandbox
from bench.framework import Recorder, Result, Target, benchmark
from cardbridge.dmp.endpoints import resolve_endpoint
from cardbridge.dmp.http import CardConnector, HttpsTransport
from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.server_trust import ServerVerifier
from cardbridge.dmp.transactions.find import DocumentFilter, find_documents
from cardbridge.emulator.inprocess import DEMO_CPS_READER, demo_backend
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.pki_organisations import OrganisationPki
from testkit.dmp_card_credentials import der, software_credential
from testkit.dmp_messages import Vihf
from testkit.dmp_sandbox import SERVICES, client_context, practitioner
from testkit.sample_files import pdf_of_size
from testkit.server import LiveServer, serve_backend

PIERRE = "155067200010159"
PIN = "1234"
TEST_INS_OID = "1.2.250.1.213.1.4.10"  # test cards' INS (docs/dmp-client.md)
COLD_ROUNDS = 7
WARM_CALLS = 30
DEPOSIT_ROUNDS = 5
PDF_BYTES = 5_000_000
CPS = {"reader": DEMO_CPS_READER}
FORM = {
    "situation": "0",
    "ins": PIERRE,
    "title": "Compte rendu de consultation",
    "document_date": "2026-11-20",
    "type": "11488-4",
    "event_start": "2026-11-20",
}


def _client(live: LiveServer) -> httpx.Client:
    client = live.client()
    client.timeout = httpx.Timeout(120.0)
    return client


def _cold_open_ms(live: LiveServer) -> float:
    """Median of ``GET /v1/dmp/status`` in a new PIN session (nothing kept from before)."""
    samples = []
    with _client(live) as client:
        for _ in range(COLD_ROUNDS):
            assert client.post("/v1/cps/pin/verify", params=CPS, json={"pin": PIN}).is_success
            started = time.perf_counter()
            answer = client.get("/v1/dmp/status", params={"patient": PIERRE, **CPS})
            samples.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
            assert client.delete("/v1/cps/pin/session", params=CPS).status_code == 204
    return statistics.median(samples) * 1000


def _bridge(backend_dir: Path, **settings: Any) -> Any:
    backend = demo_backend(data_dir=backend_dir, keys=KeyPool(2))
    return serve_backend(backend, data_dir=backend_dir, **settings)


def _search_for_traits(client: httpx.Client) -> None:
    """The deposit states the patient's traits: a search's candidate gives them."""
    found = client.post(
        "/v1/dmp/patient",
        params=CPS,
        json={
            "criteria": {"last_name": "LE QUINIO", "first_name": "PIERRE", "sex": "M"},
            "situation": 0,
            "mode": "centre_15",
            "reason": "Banc d'essai",
        },
    )
    assert found.status_code == 200, found.text


@benchmark("dmp-bridge")
def dmp_bridge(recorder: Recorder) -> None:
    with tempfile.TemporaryDirectory(prefix="cardbridge-bench-") as home:
        pki_dir = Path(home, "data", "cardbridge")
        organisations = OrganisationPki.load_or_create(pki_dir)
        test_pki = TestPki.load_or_create(pki_dir)
        roots = Path(home, "dmp-roots.pem")
        roots.write_bytes(organisations.trust_anchors_pem())
        password = "banc d'essai"
        tls, sign = organisations.export_demo_structure_pkcs12(Path(home, "p12"), password.encode())
        process, port = _sandbox(home)
        url = f"https://127.0.0.1:{port}"
        common = {"dmp_endpoint": url, "dmp_server_roots": [roots]}
        try:
            with _bridge(pki_dir, **common) as card_bridge:
                card_ms = _cold_open_ms(card_bridge)
                with _client(card_bridge) as client:
                    assert client.post("/v1/cps/pin/verify", params=CPS, json={"pin": PIN})
                    opened = client.post(
                        "/v1/dmp/access",
                        params=CPS,
                        json={"situation": 0, "patient": {"ins": PIERRE}},
                    )
                    assert opened.status_code == 200, opened.text
                    warm_ms = _warm_documents_ms(client)
                    _search_for_traits(client)
                    deposit_ms, bare_ms = _deposits(client, port, organisations, test_pki)
            with _bridge(
                pki_dir,
                **common,
                dmp_authentication="indirect",
                dmp_structure_tls_pkcs12=tls,
                dmp_structure_sign_pkcs12=sign,
                dmp_structure_pkcs12_password=password,
                dmp_structure_sector="SA01",
            ) as software_bridge:
                software_ms = _cold_open_ms(software_bridge)
            software_warm_ms = _software_find_ms(url, organisations, test_pki)
        finally:
            process.terminate()
            process.wait(timeout=30)
    _record(recorder, card_ms, software_ms, warm_ms, software_warm_ms, deposit_ms, bare_ms)


def _warm_documents_ms(client: httpx.Client) -> float:
    def listed() -> None:
        answer = client.get("/v1/dmp/documents", params={"patient": PIERRE, **CPS})
        assert answer.status_code == 200, answer.text

    listed()
    return _median_ms(listed, WARM_CALLS)


def _software_find_ms(url: str, organisations: OrganisationPki, test_pki: TestPki) -> float:
    """The same TD3.1 by the transport, with a software key and a software-signed VIHF."""
    doctor, vihf = _demo_doctor(test_pki)
    connector = CardConnector(
        software_credential(der(doctor.tls.certificate), doctor.tls.private_key),
        ServerVerifier.from_pem(organisations.trust_anchors_pem()),
    )
    transport = HttpsTransport(resolve_endpoint(url), connector)
    reference = InsReference(value=PIERRE, oid=TEST_INS_OID)

    def find() -> None:
        find_documents(transport, vihf, reference, DocumentFilter())

    try:
        find()
        return _median_ms(find, WARM_CALLS)
    finally:
        transport.close()


def _deposits(
    client: httpx.Client, port: int, organisations: OrganisationPki, test_pki: TestPki
) -> tuple[float, float]:
    """Medians of a 5 MB PDF deposit through the API and of a bare HTTPS POST of the same
    bytes (kept-alive, with a client certificate), interleaved."""
    document = pdf_of_size(PDF_BYTES)
    doctor = practitioner(
        test_pki, "899700735741", "LE QUINIO", "PIERRE", "Médecin", Vihf("899700735741", "x")
    )
    bare = http.client.HTTPSConnection(
        "127.0.0.1",
        port,
        context=client_context(organisations.trust_anchors_pem(), doctor.tls),
        timeout=120,
    )

    def bare_post() -> None:
        bare.request("POST", SERVICES + "repository", document, {"Content-Type": "application/pdf"})
        bare.getresponse().read()

    def deposit() -> None:
        answer = client.post(
            "/v1/dmp/documents", params=CPS, data=FORM, files={"file": ("cr.pdf", document)}
        )
        assert answer.status_code == 200, answer.text

    try:
        bare_post()
        timed: dict[str, list[float]] = {"deposit": [], "bare": []}
        actions: dict[str, Callable[[], None]] = {"deposit": deposit, "bare": bare_post}
        for _ in range(DEPOSIT_ROUNDS):  # interleaved: the machine's load hits both alike
            for name, action in actions.items():
                timed[name].append(_median_ms(action, 1))
        return statistics.median(timed["deposit"]), statistics.median(timed["bare"])
    finally:
        bare.close()


def _record(
    recorder: Recorder,
    card_ms: float,
    software_ms: float,
    warm_ms: float,
    software_warm_ms: float,
    deposit_ms: float,
    bare_ms: float,
) -> None:
    recorder.record(
        Result(
            "cold open through the bridge (TLS + VIHF by the emulated CPS, TD0.2) / "
            "indirect mode's software keys",
            card_ms / software_ms,
            "x",
            baseline=software_ms,
            baseline_unit="ms",
            note=f"card {card_ms:.0f} ms, median of {COLD_ROUNDS}",
        )
    )
    recorder.record(
        Result(
            "warm TD3.1 through the bridge (GET /v1/dmp/documents) / transport with a "
            "software key, no API",
            warm_ms / software_warm_ms,
            "x",
            baseline=software_warm_ms,
            baseline_unit="ms",
            note=f"bridge {warm_ms:.1f} ms, median of {WARM_CALLS}",
        )
    )
    recorder.record(
        Result(
            "5 MB PDF deposit end to end through the API / bare HTTPS POST of its bytes",
            deposit_ms / bare_ms,
            "x",
            target=Target("<=", 1.5),
            baseline=bare_ms,
            baseline_unit="ms",
            note=f"deposit {deposit_ms:.0f} ms, median of {DEPOSIT_ROUNDS}",
        )
    )
