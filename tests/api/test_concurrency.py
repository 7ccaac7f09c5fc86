"""Many requests at once on two readers: one conversation at a time per card, no deadlock."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable

import httpx

from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import load_profile
from testkit.server import LiveServer, serve_backend
from tests.api.conftest import PIN
from tests.support.recording import RecordingBackend, RecordingCard, interleavings

READERS = ("reader A", "reader B")
REQUESTS = 200
DEADLINE = 60.0


async def _storm(live: LiveServer) -> list[httpx.Response]:
    choices = random.Random(6)  # seeded: the same mix every run
    limits = httpx.Limits(max_connections=REQUESTS)
    async with httpx.AsyncClient(
        base_url=live.url, headers=live.auth, limits=limits, timeout=DEADLINE
    ) as client:

        def one() -> Awaitable[httpx.Response]:
            reader = {"reader": choices.choice(READERS)}
            kind = choices.choice(["pin", "pin", "cps", "certificates", "verify"])
            if kind == "verify":
                return client.post("/v1/cps/pin/verify", params=reader, json={"pin": PIN})
            path = {"pin": "/v1/cps/pin", "cps": "/v1/cps", "certificates": "/v1/cps/certificates"}
            return client.get(path[kind], params=reader)

        return await asyncio.wait_for(asyncio.gather(*(one() for _ in range(REQUESTS))), DEADLINE)


def test_two_hundred_requests_two_readers(key_pool: KeyPool, issuer: PkiIssuer) -> None:
    backend = RecordingBackend(READERS)
    cards = {}
    for reader in READERS:
        cards[reader] = RecordingCard(
            build_card(load_profile("demo-cps"), keys=key_pool, issuer=issuer)
        )
        backend.insert(reader, cards[reader])
    with serve_backend(backend) as live:
        responses = asyncio.run(_storm(live))
        statuses = [response.status_code for response in responses]
        assert statuses == [200] * REQUESTS, [r.text for r in responses if r.status_code != 200]
        with live.client() as client:
            for reader in READERS:
                assert (
                    client.get("/v1/cps/pin", params={"reader": reader}).json()["tries_left"] == 3
                )
    for reader, card in cards.items():
        assert card.apdus > 0, reader
        assert interleavings(card.log) == [], reader
    transactions = {e.transaction for card in cards.values() for e in card.log if e.kind == "begin"}
    assert len(transactions) > 100  # most requests did talk to a card
