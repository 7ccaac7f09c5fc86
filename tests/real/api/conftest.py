"""The HTTP API over the real pcscd: uvicorn on a free loopback port, a PcscBackend, and
emulated cards in vpcd readers. Other test runs share pcscd (and may have cards in other
readers), so every request names its reader."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cardbridge.emulator.card import VirtualCard
from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.profiles import load_profile
from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.pcsc.backend import PcscBackend
from testkit.dmp_sandbox import RunningSandbox
from testkit.pcscd import VpcdSlot
from testkit.server import LiveServer, serve_backend
from tests.support.dmp_fixtures import dmp, organisations
from tests.support.vpcd_cards import card_in_reader

HEARTBEAT = 0.3
SEEN_TIMEOUT = 10.0


@dataclass
class RealStack:
    """A server over pcscd, the two vpcd readers it may use, and a card maker."""

    live: LiveServer
    cps_slot: VpcdSlot
    vitale_slot: VpcdSlot
    make: Callable[[str], IsoCard]

    @property
    def cps(self) -> dict[str, str]:
        return {"reader": self.cps_slot.reader}

    @property
    def vitale(self) -> dict[str, str]:
        return {"reader": self.vitale_slot.reader}

    def wait_seen(self, slot: VpcdSlot, present: bool = True) -> None:
        """Until the server's monitor reports ``slot``'s card, its ATR read (a card being
        powered up is present without a type for a moment), or its absence: pcscd answers
        a direct question before the monitor's event arrives."""
        deadline = time.monotonic() + SEEN_TIMEOUT
        with self.live.client() as client:
            while time.monotonic() < deadline:
                readers = client.get("/v1/readers")
                if readers.status_code == 200 and any(
                    r["name"] == slot.reader
                    and r["card_present"] == present
                    and (r["card_type"] is not None) == present
                    for r in readers.json()
                ):
                    return
                time.sleep(0.02)
        raise TimeoutError(f"the server never saw {slot.reader} with present={present}")

    @contextmanager
    def inserted(self, slot: VpcdSlot, card: VirtualCard) -> Iterator[VpcdBridge]:
        """``card`` in ``slot``'s reader, seen by the server; removed at the end."""
        with card_in_reader(slot, card) as bridge:
            self.wait_seen(slot)
            yield bridge


__all__ = ["dmp", "organisations"]


@pytest.fixture
def trust_files(tmp_path: Path, test_pki: TestPki) -> dict[str, list[Path]]:
    """The test PKI as an integrator would configure real CAs: PEM files."""
    anchors, intermediates = tmp_path / "anchors.pem", tmp_path / "intermediates.pem"
    anchors.write_bytes(test_pki.trust_anchors_pem())
    intermediates.write_bytes(test_pki.intermediates_pem())
    return {"trust_anchors": [anchors], "intermediates": [intermediates]}


@pytest.fixture
def busy_timeout() -> float | None:
    """How long the server's card operations wait for another program (None: the default).
    Override this fixture in a test module to shorten it."""
    return None


@pytest.fixture
def stack(
    vpcd_pair: list[VpcdSlot],
    key_pool: KeyPool,
    issuer: PkiIssuer,
    trust_files: dict[str, list[Path]],
    busy_timeout: float | None,
    dmp: RunningSandbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RealStack]:
    def make(profile: str) -> IsoCard:
        return build_card(load_profile(profile), keys=key_pool, issuer=issuer)

    backend = PcscBackend(busy_timeout=busy_timeout)
    roots = tmp_path_factory.mktemp("dmp-roots") / "roots.pem"
    roots.write_bytes(dmp.trust)
    with serve_backend(
        backend,
        heartbeat=HEARTBEAT,
        dmp_endpoint=f"https://127.0.0.1:{dmp.port}",  # the offline DMP, a fresh one
        dmp_server_roots=[roots],
        **trust_files,
    ) as live:
        # No wait after a wrong PIN here: these tests spend tries in a row (the wait is
        # the API tier's test_pin_sessions).
        live.bridge.cards.backoff.first_delay = 0
        yield RealStack(live, vpcd_pair[0], vpcd_pair[1], make)


@pytest.fixture
def api(stack: RealStack) -> Iterator[httpx.Client]:
    with stack.live.client() as client:
        yield client
