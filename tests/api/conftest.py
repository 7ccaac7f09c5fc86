"""The HTTP API served by uvicorn on a free loopback port, over in-process emulated readers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from cardbridge.emulator.factory import build_card
from cardbridge.emulator.inprocess import DEMO_CPS_READER, DEMO_VITALE_READER
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import load_profile
from cardbridge.pcsc.reader_interface import ReaderBackend
from testkit.dmp_sandbox import RunningSandbox
from testkit.server import LiveServer, serve_backend
from tests.support.dmp_fixtures import dmp, organisations
from tests.support.recording import RecordingBackend, RecordingCard

__all__ = ["dmp", "organisations"]

APP_ORIGIN = "https://dmp.example"
CPS = DEMO_CPS_READER
VITALE = DEMO_VITALE_READER
PIN = "1234"
PUK = "12345678"
# Short, so that the tests see heartbeats without waiting.
HEARTBEAT = 0.3


@dataclass
class Demo:
    """The demo cards in two recording readers, and how to make more cards."""

    backend: RecordingBackend
    cps: RecordingCard
    vitale: RecordingCard
    make: Callable[[str], RecordingCard]


@pytest.fixture
def demo(key_pool: KeyPool, issuer: PkiIssuer) -> Demo:
    def make(profile: str) -> RecordingCard:
        return RecordingCard(build_card(load_profile(profile), keys=key_pool, issuer=issuer))

    backend = RecordingBackend([CPS, VITALE])
    cps, vitale = make("demo-cps"), make("demo-vitale")
    backend.insert(CPS, cps)
    backend.insert(VITALE, vitale)
    return Demo(backend, cps, vitale, make)


@pytest.fixture
def live(demo: Demo) -> Iterator[LiveServer]:
    with serve_backend(demo.backend, heartbeat=HEARTBEAT, allowed_origins=[APP_ORIGIN]) as server:
        yield server


@pytest.fixture
def api(live: LiveServer) -> Iterator[httpx.Client]:
    """A native client: the local API token, no ``Origin``."""
    with live.client() as client:
        yield client


@pytest.fixture
def browser(live: LiveServer) -> Iterator[httpx.Client]:
    """A page of the allowed web application: its ``Origin``, no token."""
    with live.client(token=False, headers={"Origin": APP_ORIGIN}) as client:
        yield client


@pytest.fixture
def no_backoff(live: LiveServer) -> None:
    """No wait after a wrong PIN, for tests that spend several tries in a row (the wait
    itself: ``test_pin_sessions``)."""
    live.bridge.cards.backoff.first_delay = 0


@contextmanager
def serving_dmp(
    backend: ReaderBackend, sandbox: RunningSandbox, folder: Path, **settings: Any
) -> Iterator[LiveServer]:
    """The bridge over ``backend`` reaching the offline DMP ``sandbox`` (its test root as
    ``dmp_server_roots``, written in ``folder``), in direct mode: the card signs."""
    roots = folder / "dmp-roots.pem"
    roots.write_bytes(sandbox.trust)
    with serve_backend(
        backend,
        heartbeat=HEARTBEAT,
        allowed_origins=[APP_ORIGIN],
        dmp_endpoint=f"https://127.0.0.1:{sandbox.port}",
        dmp_server_roots=[roots],
        **settings,
    ) as server:
        yield server


@pytest.fixture
def dmp_live(demo: Demo, dmp: RunningSandbox, tmp_path: Path) -> Iterator[LiveServer]:
    """The bridge over the demo cards, reaching the fresh offline DMP ``dmp``."""
    with serving_dmp(demo.backend, dmp, tmp_path) as server:
        yield server


@pytest.fixture
def clinician(dmp_live: LiveServer) -> Iterator[httpx.Client]:
    """Native software with its PIN session open on the demo CPS."""
    with dmp_live.client() as client:
        client.timeout = httpx.Timeout(60.0)  # a deposit of 5 MB, the first TLS handshake
        answer = client.post("/v1/cps/pin/verify", json={"pin": PIN})
        assert answer.status_code == 200, answer.text
        yield client
