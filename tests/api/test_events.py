"""``GET /v1/events``: the state first, then the changes, heartbeats, and removals seen
during a request."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from cardbridge.api.models import ReaderEventData, StateData
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import load_profile
from testkit.server import LiveServer, serve_backend
from tests.api.conftest import CPS, VITALE, Demo
from tests.support.faults import FaultPlan, FaultyCard
from tests.support.sse import EventFollower, named

# Issue 6: a card removed during a request is reported within a second.
REMOVAL_DEADLINE = 1.0
REQUEST_DEADLINE = 30.0  # for a request to reach the card on a loaded machine


@pytest.fixture
def follower(live: LiveServer) -> Iterator[EventFollower]:
    follower = EventFollower(live)
    follower.wait_for(named("state"))
    yield follower
    follower.close()


def test_state_first(follower: EventFollower) -> None:
    _, first = follower.events[0]
    assert first.name == "state"
    assert isinstance(first.data, StateData)
    assert first.data.backend == "emulator"
    assert first.data.pcsc == "up"
    assert [(r.name, r.card_type) for r in first.data.readers] == [
        (CPS, "cps"),
        (VITALE, "vitale"),
    ]


def test_changes_and_heartbeats(follower: EventFollower, demo: Demo) -> None:
    demo.backend.remove(VITALE)
    _, removed = follower.wait_for(named("card_removed", VITALE))
    assert isinstance(removed.data, ReaderEventData)
    assert removed.data.card_type is None
    demo.backend.insert(VITALE, demo.make("demo-vitale"))
    _, inserted = follower.wait_for(named("card_inserted", VITALE))
    assert isinstance(inserted.data, ReaderEventData)
    assert inserted.data.card_type == "vitale"
    assert inserted.data.atr == "3B 75 13 00 00 43 09 EA 90 00"
    demo.backend.add_reader("spare reader")
    follower.wait_for(named("reader_added", "spare reader"))
    demo.backend.remove_reader("spare reader")
    follower.wait_for(named("reader_removed", "spare reader"))
    follower.wait_for(named("heartbeat"))
    assert follower.names() == [
        "state",
        "card_removed",
        "card_inserted",
        "reader_added",
        "reader_removed",
    ]


def test_every_subscriber_gets_the_events(live: LiveServer, demo: Demo) -> None:
    followers = [EventFollower(live) for _ in range(5)]
    try:
        for follower in followers:
            follower.wait_for(named("state"))
        demo.backend.remove(CPS)
        for follower in followers:
            follower.wait_for(named("card_removed", CPS))
    finally:
        for follower in followers:
            follower.close()
    # Closed streams leave no subscription behind.
    deadline = time.monotonic() + 5.0
    while live.bridge.events.subscribers and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live.bridge.events.subscribers == 0


def test_card_removed_during_a_request(
    live: LiveServer, demo: Demo, follower: EventFollower, key_pool: KeyPool, issuer: PkiIssuer
) -> None:
    # The card runs the read's first APDU and holds its answer until it has been pulled out.
    slow = FaultyCard(
        build_card(load_profile("demo-cps"), keys=key_pool, issuer=issuer),
        FaultPlan(hold_after=1),
    )
    demo.backend.insert(CPS, slow)
    follower.wait_for(named("card_inserted", CPS))
    answers: list[httpx.Response] = []

    def read() -> None:
        with live.client() as client:
            answers.append(client.get("/v1/cps"))

    reading = threading.Thread(target=read)
    reading.start()
    assert slow.holding.wait(REQUEST_DEADLINE)  # the read is talking to the card
    assert slow.apdu_count > 0
    removed_at = time.monotonic()
    demo.backend.remove(CPS)
    slow.release()
    reading.join(REMOVAL_DEADLINE)
    answered_at = time.monotonic()
    assert not reading.is_alive()
    assert answered_at - removed_at < REMOVAL_DEADLINE
    assert answers[0].status_code == 409
    assert answers[0].json()["code"] == "card_removed"
    event_at, _ = follower.wait_for(named("card_removed", CPS))
    assert event_at - removed_at < REMOVAL_DEADLINE
    with live.client() as client:
        assert client.get("/v1/cps").json()["code"] == "card_absent"


def test_streams_end_when_the_server_stops(demo: Demo) -> None:
    with serve_backend(demo.backend, heartbeat=60.0) as live:
        follower = EventFollower(live)
        follower.wait_for(named("state"))
        stopping = time.monotonic()
    assert follower.wait_ended(5.0)
    assert time.monotonic() - stopping < 5.0
    follower.close()
