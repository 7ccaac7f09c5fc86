"""The local API: a cached ``GET /v1/cps`` against a bare route, latency, card insertion to
its Server-Sent Event, and the memory of the idle server.

Throughput: the server runs in its own process (``bench.api_server``); a few
keep-alive connections send requests back to back over raw sockets (a lean client, so
that the server is what is measured), in interleaved rounds of the bare route and of
``GET /v1/cps`` so that drift in the machine's load hits both alike.
"""

from __future__ import annotations

import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.api_server import BARE_PATH
from bench.framework import Recorder, Result, Target, benchmark, percentile
from cardbridge.client import CardBridgeClient
from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.pcsc.backend import PcscBackend
from testkit.cards import ScriptedCard
from testkit.events import EVENT_TIMEOUT
from testkit.pcscd import pcscd_lock, vpcd_slots
from testkit.serve_process import ServeProcess, free_port
from testkit.server import TOKEN, serve_backend

CONNECTIONS = 4
ROUND_SECONDS = 1.0
ROUNDS = 6
TARGET_RATIO = Target(">=", 0.9)
TARGET_MEMORY_MB = Target("<=", 80)
INSERTIONS = 20
POLL_PERIOD = 0.4
# As for the monitor's own event (bench_events): the HTTP stream adds little to it.
TARGET_EVENT_P95 = Target("<", 0.5)
START_TIMEOUT = 30.0


@contextmanager
def api_server() -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.api_server", str(port), TOKEN],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1.0)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the benchmark server did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)


def _read_response(sock: socket.socket, buffer: bytearray) -> int:
    """Read one HTTP/1.1 response with Content-Length; return its status."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in lines if line.lower().startswith(b"content-length")
    )
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        rest += chunk
    buffer[:] = rest[length:]
    return int(lines[0].split()[1])


def _hammer(port: int, path: str, seconds: float) -> list[float]:
    """Latencies of requests sent back to back on CONNECTIONS connections for ``seconds``."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    lock = threading.Lock()

    def connection() -> None:
        mine: list[float] = []
        buffer = bytearray()
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            end = time.perf_counter() + seconds
            while (start := time.perf_counter()) < end:
                sock.sendall(request)
                if _read_response(sock, buffer) != 200:
                    raise RuntimeError(f"{path} did not answer 200")
                mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=connection) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


@benchmark("api-cached-cps")
def cached_cps(recorder: Recorder) -> None:
    with api_server() as port:
        _hammer(port, "/v1/cps", 0.5)  # warm-up, and the one read of the card
        _hammer(port, BARE_PATH, 0.5)
        samples: dict[str, list[float]] = {BARE_PATH: [], "/v1/cps": []}
        rates: dict[str, list[float]] = {BARE_PATH: [], "/v1/cps": []}
        for _ in range(ROUNDS):
            for path in samples:
                latencies = _hammer(port, path, ROUND_SECONDS)
                samples[path] += latencies
                rates[path].append(len(latencies) / ROUND_SECONDS)
    bare = sum(rates[BARE_PATH]) / ROUNDS
    cps = sum(rates["/v1/cps"]) / ROUNDS
    recorder.record(Result("bare FastAPI route", bare, "req/s", note=f"{CONNECTIONS} connections"))
    recorder.record(
        Result(
            "cached GET /v1/cps / bare route",
            cps / bare,
            "ratio",
            target=TARGET_RATIO,
            baseline=bare,
            baseline_unit="req/s",
            note=f"{cps:.0f} req/s",
        )
    )
    for path, name in ((BARE_PATH, "bare route"), ("/v1/cps", "cached GET /v1/cps")):
        ordered = sorted(samples[path])
        recorder.record(Result(f"{name}, p50", percentile(ordered, 0.50) * 1000, "ms"))
        recorder.record(Result(f"{name}, p95", percentile(ordered, 0.95) * 1000, "ms"))


@benchmark("api-idle-memory")
def idle_memory(recorder: Recorder) -> None:
    with tempfile.TemporaryDirectory(prefix="cardbridge-bench-") as home:
        server = ServeProcess(Path(home), free_port(), "--emulator")
        try:
            server.wait_ready()
            token = (Path(home) / "config" / "cardbridge" / "api-token").read_text().strip()
            with CardBridgeClient(server.url, token=token) as bridge:
                bridge.practitioner()
                bridge.vitale()
            time.sleep(1.0)
            rss_kb = _rss_kb(server.process.pid)
        finally:
            server.stop()
    recorder.record(
        Result(
            "idle server resident memory",
            rss_kb / 1024,
            "MB",
            target=TARGET_MEMORY_MB,
            note="cardbridge serve --emulator, after a CPS and a Vitale read",
        )
    )


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@benchmark("api-insertion-event")
def insertion_to_event(recorder: Recorder) -> None:
    """From a card entering a vpcd reader to its ``card_inserted`` on ``GET /v1/events``."""
    pause = random.Random(6)  # seeded: comparable runs
    latencies: list[float] = []
    with (
        pcscd_lock(exclusive=False),
        vpcd_slots(1) as (slot,),
        serve_backend(PcscBackend(), heartbeat=0.5) as live,
    ):
        arrived = threading.Event()
        stopping = threading.Event()
        stamp = [0.0]
        follower = CardBridgeClient(live.url, token=live.token)

        def follow() -> None:
            try:
                for event in follower.events():
                    if (
                        event.name == "card_inserted"
                        and getattr(event.data, "reader", "") == slot.reader
                    ):
                        stamp[0] = time.perf_counter()
                        arrived.set()
            except httpx.TransportError:
                if not stopping.is_set():  # closing the client ends the stream's read
                    raise

        following = threading.Thread(target=follow, daemon=True)
        following.start()
        time.sleep(0.5)
        for _ in range(INSERTIONS):
            time.sleep(pause.uniform(0, POLL_PERIOD))
            arrived.clear()
            bridge = VpcdBridge(ScriptedCard(), port=slot.port)
            inserted_at = time.perf_counter()
            bridge.start()
            try:
                if not arrived.wait(EVENT_TIMEOUT):
                    raise RuntimeError("no card_inserted event on the stream")
                latencies.append(stamp[0] - inserted_at)
            finally:
                bridge.stop()
            _wait_empty(live.url, slot.reader)
        stopping.set()
        follower.close()
        following.join(EVENT_TIMEOUT)
    latencies.sort()
    recorder.record(Result("card insertion → SSE event, p50", percentile(latencies, 0.5), "s"))
    recorder.record(
        Result(
            "card insertion → SSE event, p95",
            percentile(latencies, 0.95),
            "s",
            target=TARGET_EVENT_P95,
            note=f"{INSERTIONS} insertions; pcscd polls vpcd every ~0.4 s",
        )
    )


def _wait_empty(url: str, reader: str) -> None:
    deadline = time.monotonic() + EVENT_TIMEOUT
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        while time.monotonic() < deadline:
            states = client.get("/v1/readers").json()
            if any(s["name"] == reader and not s["card_present"] for s in states):
                return
            time.sleep(0.02)
    raise RuntimeError("the card removal was never seen")
