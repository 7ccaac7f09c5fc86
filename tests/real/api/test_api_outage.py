"""pcscd stopped under the running API, then started again (holds pcscd exclusively)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from cardbridge.api.models import StateData
from cardbridge.emulator.vpcd import VpcdBridge
from tests.real.api.conftest import RealStack
from tests.support.pcscd import start_pcscd, stop_pcscd
from tests.support.sse import EventFollower, named
from tests.support.vpcd_cards import wait_presence

pytestmark = pytest.mark.pcscd_exclusive

# Issue 2: events flow again within 2 s of pcscd's return; the card's bridge reconnects.
RECOVERY = 10.0


@pytest.fixture
def pcscd_restored() -> Iterator[None]:
    try:
        yield
    finally:
        start_pcscd()


def test_outage_then_recovery(stack: RealStack, api: httpx.Client, pcscd_restored: None) -> None:
    bridge = VpcdBridge(stack.make("demo-cps"), port=stack.cps_slot.port, reconnect=True)
    bridge.start()
    follower = EventFollower(stack.live)
    try:
        wait_presence(stack.cps_slot.reader, True)
        stack.wait_seen(stack.cps_slot)
        assert api.get("/v1/cps", params=stack.cps).status_code == 200
        follower.wait_for(named("state"))

        stop_pcscd()
        follower.wait_for(named("pcsc_unavailable"))
        outage = follower.mark()
        health = api.get("/v1/health").json()
        assert (health["pcsc"], health["status"]) == ("down", "degraded")
        for path in ("/v1/readers", "/v1/cps"):
            refused = api.get(path, params=stack.cps if path == "/v1/cps" else None)
            assert refused.status_code == 503
            assert refused.json()["code"] == "pcsc_unavailable"
        # A client connecting now learns it at once.
        with stack.live.client() as late, late.stream("GET", "/v1/events") as stream:
            lines = stream.iter_lines()
            assert next(lines) == "event: state"
            state = StateData.model_validate_json(next(lines).removeprefix("data: "))
        assert (state.pcsc, state.readers) == ("down", [])

        start_pcscd()
        follower.wait_for(named("pcsc_available"), RECOVERY, after=outage)
        follower.wait_for(named("card_inserted", stack.cps_slot.reader), RECOVERY, after=outage)
        assert api.get("/v1/health").json()["pcsc"] == "up"
        again = api.get("/v1/cps", params=stack.cps)
        assert again.status_code == 200, again.text
        assert api.get("/v1/cps/pin", params=stack.cps).json()["tries_left"] == 3
    finally:
        follower.close()
        bridge.stop()
