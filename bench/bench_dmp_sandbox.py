"""The offline DMP (`cardbridge dmp-sandbox`, a real process over real mutual TLS):

- FindDocuments over a DMP of 1,000 deposits (p50/p95 latency of the whole request);
- a 5 MB PDF deposit (ITI-41, MTOM) against a bare HTTPS POST of the same bytes to the same
  server (which reads the body and refuses it at once), as a ratio (target <= 1.5);
- the sandbox's resident memory idle and after the 1,000 deposits.

Messages are built as in the tests (lxml, signxml); one signed VIHF serves every request.
"""

from __future__ import annotations

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

from bench.framework import Recorder, Result, Target, benchmark, percentile
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.pki_organisations import OrganisationPki
from testkit.dmp_documents import Doc, mtom, provide_and_register
from testkit.dmp_messages import Vihf, envelope
from testkit.dmp_queries import find_documents
from testkit.dmp_sandbox import SERVICES, Answer, RunningSandbox, practitioner

PIERRE = "155067200010159"
DEPOSITS = 1000
QUERIES = 30
ROUNDS = 7
PDF_BYTES = 5 * 1024 * 1024


def _big_pdf(size: int) -> bytes:
    """A one-page PDF whose page draws a ``size``-byte greyscale image (random pixels)."""
    side = int(size**0.5)
    pixels = os.urandom(side * side)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
        b"<< /Length 30 >>\nstream\nq 500 0 0 500 40 200 cm /Im1 Do Q\nendstream",
        f"<< /Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceGray "
        f"/BitsPerComponent 8 /Length {len(pixels)} >>\nstream\n".encode()
        + pixels
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _timed(action: Callable[[], Answer]) -> float:
    started = time.perf_counter()
    answer = action()
    elapsed = time.perf_counter() - started
    if answer.status not in (200, 500):
        raise RuntimeError(f"HTTP {answer.status}")
    return elapsed


@benchmark("dmp-sandbox")
def dmp_sandbox(recorder: Recorder) -> None:
    with tempfile.TemporaryDirectory(prefix="cardbridge-bench-") as home:
        environment = {
            **os.environ,
            "XDG_DATA_HOME": f"{home}/data",
            "XDG_CONFIG_HOME": f"{home}/config",
        }
        pki_dir = Path(home, "data", "cardbridge")
        organisations = OrganisationPki.load_or_create(pki_dir)
        doctor = practitioner(
            TestPki.load_or_create(pki_dir),
            "899700735741",
            "LE QUINIO",
            "PIERRE",
            "Médecin",
            Vihf("899700735741", "499700735741008", patient=PIERRE, lifetime=None),
        )
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cardbridge",
                "dmp-sandbox",
                "--port",
                "0",
                "--pages-port",
                "0",
                "--data-dir",
                f"{home}/dmp",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=environment,
        )
        try:
            assert process.stdout is not None
            port = int(re.search(r":(\d+)/si-dmp", process.stdout.readline()).group(1))  # type: ignore[union-attr]
            dmp = RunningSandbox(port, organisations.trust_anchors_pem(), Path(home, "dmp"))
            vihf = doctor.signed(doctor.vihf.but(lifetime=None))
            time.sleep(1.0)
            recorder.record(Result("sandbox resident memory, idle", _rss_mb(process.pid), "MB"))

            started = time.perf_counter()
            for _ in range(DEPOSITS):
                body, parts = provide_and_register(
                    [Doc(PIERRE, media_type="text/plain", content=b"Constantes normales.")]
                )
                content_type, data = mtom(envelope("TD2.1", body, vihf), parts)
                answer = dmp.post(SERVICES + "repository", data, doctor.tls, content_type)
                assert b"ResponseStatusType:Success" in answer.body, answer.body[:500]
            recorder.record(
                Result(
                    "1,000 deposits, mean", (time.perf_counter() - started) / DEPOSITS * 1000, "ms"
                )
            )
            recorder.record(
                Result("sandbox resident memory, after 1,000 deposits", _rss_mb(process.pid), "MB")
            )

            query = envelope("TD3.1", find_documents(PIERRE), vihf)
            samples = sorted(
                _timed(lambda: dmp.post(SERVICES + "registry", query, doctor.tls))
                for _ in range(QUERIES)
            )
            note = f"{DEPOSITS} documents (+ their signature documents), treating physician"
            recorder.record(
                Result("FindDocuments, p50", percentile(samples, 0.5) * 1000, "ms", note=note)
            )
            recorder.record(
                Result("FindDocuments, p95", percentile(samples, 0.95) * 1000, "ms", note=note)
            )

            pdf = _big_pdf(PDF_BYTES)
            deposits, bare = [], []
            for _ in range(ROUNDS):
                body, parts = provide_and_register([Doc(PIERRE, content=pdf)])
                content_type, data = mtom(envelope("TD2.1", body, vihf), parts)
                post = partial(dmp.post, SERVICES + "repository", data, doctor.tls)
                deposits.append(_timed(partial(post, content_type)))
                bare.append(_timed(partial(post, "application/octet-stream")))
            deposit_s, bare_s = statistics.median(deposits), statistics.median(bare)
            recorder.record(
                Result(
                    "5 MB PDF deposit (TLS + MTOM) / bare HTTPS POST of the same bytes",
                    deposit_s / bare_s,
                    "x",
                    target=Target("<=", 1.5),
                    baseline=bare_s * 1000,
                    baseline_unit="ms",
                    note=f"deposit median {deposit_s * 1000:.0f} ms over {ROUNDS} rounds",
                )
            )
        finally:
            process.terminate()
            process.wait(timeout=30)
