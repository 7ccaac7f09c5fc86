"""The DMP through the whole bridge (the API, the emulated CPS, the VIHF, the transport)
against a real ``cardbridge dmp-sandbox`` process, where bench_dmp_transport measures the
transport alone:

- the cold "open a patient's DMP" (``GET /v1/dmp/status`` in a new PIN session: a TLS
  handshake signed by the card, a VIHF signed by the card, TD0.2) against the same route
  of a bridge in indirect mode, whose TLS and VIHF keys are software keys (a structure's
  PKCS#12 files);
- a warm TD3.1 (``GET /v1/dmp/documents``: the VIHF reused, the TLS session kept) against
  the same FindDocuments made by the transport with a software key and no API;
- a 5 MB PDF deposit (``POST /v1/dmp/documents``), twice (docs/dmp-client.md, "The
  deposit's cost"):

  - **the bridge's path** (target <= 1.5): the deposit through the API to a minimal DMP
    stand-in (bench/dmp_standin.py: mutual TLS as the sandbox, reads the body, answers a
    canned success, checks nothing), against a bare ``http.client`` HTTPS POST of the
    PDF's bytes to that same stand-in. The deposit's time includes the client's upload
    of the form to the bridge (plain HTTP on loopback), the form read, the PDF opened
    with pypdf, its SHA-1 and SHA-256, the CDA wrapper (base64), the XAdES digest and
    signature **by the emulated card**, the VIHF reused, MTOM, the HTTPS POST of 6.7 MB
    (base64 makes 5 MB 4/3 larger) through tlslite-ng and the journal's record; the
    baseline is one HTTPS POST of 5 MB by OpenSSL;
  - **end to end with the sandbox**: the same deposit to the offline DMP, whose own
    checks of a deposit (the CDA parsed, the metadata and the XAdES verified, the
    document stored) are in it, against the bare POST of the PDF's bytes to the sandbox
    (which refuses them quickly: no checks). A real DMP's own time is not the bridge's.

  Beside them, what bounds the first from below: the bare POST of the deposit's wire
  bytes (MTOM, base64) to the stand-in, and the form's upload to the bridge alone
  (refused once read, for an unknown document type).

The bridge in process and its client share one interpreter, as an application calling it
on the same workstation would not: the client's multipart encoding is in the figures.
Figures only, no timed assertion.
"""

from __future__ import annotations

import http.client
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from bench.bench_dmp_transport import _demo_doctor, _median_ms, _sandbox
from bench.framework import Recorder, Result, Target, benchmark
from cardbridge.dmp import envelope, mtom
from cardbridge.dmp.endpoints import resolve_endpoint
from cardbridge.dmp.http import CardConnector, HttpsTransport
from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.server_trust import ServerVerifier
from cardbridge.dmp.transactions.find import DocumentFilter, find_documents
from cardbridge.dmp.transport import Service, SoapCall
from cardbridge.emulator.inprocess import DEMO_CPS_READER, demo_backend
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.pki_organisations import OrganisationPki
from testkit.dmp_card_credentials import der, software_credential
from testkit.dmp_documents import Doc, provide_and_register
from testkit.dmp_messages import ACTIONS
from testkit.dmp_sandbox import SERVICES, client_context
from testkit.sample_files import pdf_of_size
from testkit.server import LiveServer, serve_backend

PIERRE = "155067200010159"
PIN = "1234"
TEST_INS_OID = "1.2.250.1.213.1.4.10"  # test cards' INS (docs/dmp-client.md)
COLD_ROUNDS = 7
WARM_CALLS = 30
DEPOSIT_ROUNDS = 9
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
        standin, standin_port = _standin(pki_dir)
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
                    with_sandbox = _deposits(client, port, organisations, test_pki)
                    # The session's transport now goes to the stand-in (same PKI, same
                    # server certificate): the access opened and the traits found stay.
                    link = card_bridge.bridge.dmp.calls.link(DEMO_CPS_READER)
                    link.transport.close()
                    link.transport.endpoint = resolve_endpoint(f"https://127.0.0.1:{standin_port}")
                    bridge_path = _deposits(client, standin_port, organisations, test_pki)
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
            for started in (process, standin):
                started.terminate()
                started.wait(timeout=30)
    _record(recorder, card_ms, software_ms, warm_ms, software_warm_ms)
    _record_deposits(recorder, bridge_path, with_sandbox)


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


def _standin(pki_dir: Path) -> tuple[subprocess.Popen[str], int]:
    """The minimal DMP stand-in (bench/dmp_standin.py), in a process of its own."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.dmp_standin", str(pki_dir)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    )
    assert process.stdout is not None
    return process, int(process.stdout.readline().split()[1])


@dataclass(frozen=True)
class Deposits:
    """Medians (ms) of a deposit through the API and of the bare POSTs, to one server."""

    deposit: float
    bare: float
    wire: float  # the bare POST of a deposit's wire bytes (MTOM, base64)
    upload: float  # the form's upload to the bridge alone, refused once read
    wire_mb: float


def _wire_bytes(document: bytes, vihf: bytes, url: str) -> bytes:
    """A deposit of ``document`` as it goes on the wire (the tests' client's CDA and
    metadata, the transport's envelope and MTOM): what the bridge sends, to the byte
    size."""
    body, parts = provide_and_register([Doc(PIERRE, content=document)])
    call = SoapCall(Service.REPOSITORY, ACTIONS["TD2.1"], body, parts, "TD2.1")
    _, message = envelope.build_request(call, vihf, url)
    return mtom.encode(message, call.attachments, call.action)[1]


def _deposits(
    client: httpx.Client, port: int, organisations: OrganisationPki, test_pki: TestPki
) -> Deposits:
    """Medians of a 5 MB PDF deposit through the API and of bare HTTPS POSTs (kept-alive,
    with a client certificate) of the same PDF's bytes and of a deposit's wire bytes,
    interleaved."""
    document = pdf_of_size(PDF_BYTES)
    doctor, vihf = _demo_doctor(test_pki)
    wire = _wire_bytes(document, vihf, f"https://127.0.0.1:{port}{SERVICES}repository")
    bare = http.client.HTTPSConnection(
        "127.0.0.1",
        port,
        context=client_context(organisations.trust_anchors_pem(), doctor.tls),
        timeout=120,
    )

    def bare_post(data: bytes) -> None:
        bare.request("POST", SERVICES + "repository", data, {"Content-Type": "application/pdf"})
        bare.getresponse().read()

    def deposit() -> None:
        answer = client.post(
            "/v1/dmp/documents", params=CPS, data=FORM, files={"file": ("cr.pdf", document)}
        )
        assert answer.status_code == 200, answer.text

    def upload() -> None:
        refused = {**FORM, "type": "not-a-type"}
        answer = client.post(
            "/v1/dmp/documents", params=CPS, data=refused, files={"file": ("cr.pdf", document)}
        )
        assert answer.status_code == 422, answer.text

    try:
        bare_post(document)
        deposit()  # a new TLS session to this server (the card signs once)
        timed: dict[str, list[float]] = {"deposit": [], "bare": [], "wire": [], "upload": []}
        actions: dict[str, Callable[[], None]] = {
            "deposit": deposit,
            "bare": partial(bare_post, document),
            "wire": partial(bare_post, wire),
            "upload": upload,
        }
        for _ in range(DEPOSIT_ROUNDS):  # interleaved: the machine's load hits all alike
            for name, action in actions.items():
                timed[name].append(_median_ms(action, 1))
        medians = {name: statistics.median(samples) for name, samples in timed.items()}
        return Deposits(**medians, wire_mb=len(wire) / 1e6)
    finally:
        bare.close()


def _record(
    recorder: Recorder,
    card_ms: float,
    software_ms: float,
    warm_ms: float,
    software_warm_ms: float,
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


def _record_deposits(recorder: Recorder, bridge: Deposits, sandbox: Deposits) -> None:
    recorder.record(
        Result(
            "5 MB PDF deposit, the bridge's path (API to a DMP stand-in that checks nothing) "
            "/ bare HTTPS POST of the PDF's bytes to it",
            bridge.deposit / bridge.bare,
            "x",
            target=Target("<=", 1.5),
            baseline=bridge.bare,
            baseline_unit="ms",
            note=f"deposit {bridge.deposit:.0f} ms, median of {DEPOSIT_ROUNDS}",
        )
    )
    recorder.record(
        Result(
            "  its floor: bare POST of a deposit's wire bytes (MTOM, base64) / of the PDF's",
            bridge.wire / bridge.bare,
            "x",
            baseline=bridge.bare,
            baseline_unit="ms",
            note=f"{bridge.wire_mb:.1f} MB in {bridge.wire:.0f} ms",
        )
    )
    recorder.record(
        Result(
            "  its floor: the form's upload to the bridge alone (refused once read) / "
            "bare POST of the PDF's bytes",
            bridge.upload / bridge.bare,
            "x",
            baseline=bridge.bare,
            baseline_unit="ms",
            note=f"upload {bridge.upload:.0f} ms",
        )
    )
    recorder.record(
        Result(
            "5 MB PDF deposit end to end with the sandbox's checks / bare HTTPS POST of the "
            "PDF's bytes to the sandbox",
            sandbox.deposit / sandbox.bare,
            "x",
            baseline=sandbox.bare,
            baseline_unit="ms",
            note=f"deposit {sandbox.deposit:.0f} ms, median of {DEPOSIT_ROUNDS}; a real "
            "DMP's checks are its own time",
        )
    )
