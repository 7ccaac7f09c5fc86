"""A request on a new connection: what the OS user check adds.

The bridge reads the owner of each new connection's peer socket from ``/proc/net/tcp``
(``cardbridge.api.connection``), once per connection. The kernel builds that table by
walking its connection hash, so the cost grows with the machine's connections, not the
bridge's. Measured: ``GET /v1/health`` on a fresh connection each time against the same
request on one kept-alive connection (the difference is accept, the check and the
connection's set-up), and the owner lookup alone.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

from bench.bench_api import _read_response, api_server
from bench.framework import Recorder, Result, Target, benchmark, percentile
from cardbridge.api.connection import peer_owner

REQUESTS = 200
# A clinician's software opening a connection per request must not notice the check.
TARGET_LOOKUP_P95_MS = Target("<", 20)


def _request(port: int) -> bytes:
    return f"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()


def _timed(action: Callable[[], None]) -> list[float]:
    latencies = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        action()
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


@benchmark("api-new-connection")
def new_connection(recorder: Recorder) -> None:
    with api_server() as port:
        request = _request(port)

        def fresh() -> None:
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(request)
                if _read_response(sock, bytearray()) != 200:
                    raise RuntimeError("GET /v1/health did not answer 200")

        with socket.create_connection(("127.0.0.1", port)) as kept:
            kept.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buffer = bytearray()

            def reused() -> None:
                kept.sendall(request)
                if _read_response(kept, buffer) != 200:
                    raise RuntimeError("GET /v1/health did not answer 200")

            _timed(reused)  # warm-up
            on_kept = _timed(reused)
            on_new = _timed(fresh)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
        with client, accepted:
            peer, server = client.getsockname(), listener.getsockname()

            def lookup() -> None:
                if peer_owner(peer, server) is None:
                    raise RuntimeError("the owner of a local connection was not found")

            lookups = _timed(lookup)
    sockets = len(Path("/proc/net/tcp").read_text().splitlines()) - 1
    for name, values in (("kept-alive connection", on_kept), ("new connection", on_new)):
        recorder.record(Result(f"GET /v1/health on a {name}, p50", percentile(values, 0.5), "ms"))
    recorder.record(
        Result(
            "owner lookup in /proc/net/tcp, p95",
            percentile(lookups, 0.95),
            "ms",
            target=TARGET_LOOKUP_P95_MS,
            note=f"{sockets} IPv4 sockets on the machine",
        )
    )
