"""Every route over the real stack: pcscd + vpcd + pyscard, the API on uvicorn."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from cryptography import x509

from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.profiles import load_profile
from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.errors import CardCommunicationError
from cardbridge.pcsc.backend import PcscBackend
from testkit.pcscd import VpcdSlot
from testkit.server import serve_backend
from tests.real.api.conftest import RealStack
from tests.support.dmp_fixtures import LOUISE
from tests.support.faults import FaultPlan, FaultyCard
from tests.support.sse import EventFollower, named
from tests.support.vpcd_cards import card_in_reader, wait_presence

ORIGIN = "https://dmp.example"
PIN = "1234"
# Louise's DMP, on which the demo CPS has no authorization (the sandbox's seed).
INS = LOUISE
# pcscd looks at vpcd readers every ~400 ms: a removal is known within a second.
REMOVAL_DEADLINE = 1.0
REQUEST_DEADLINE = 30.0  # for a request to reach the card and end, on a loaded machine
# pcscd powers a card off shortly after its last client disconnects (~0.5 s).
POWER_OFF_WAIT = 1.5


def test_every_route(stack: RealStack, api: httpx.Client, test_pki: TestPki) -> None:
    with (
        stack.inserted(stack.cps_slot, stack.make("demo-cps")),
        stack.inserted(stack.vitale_slot, stack.make("demo-vitale")),
    ):
        health = api.get("/v1/health").json()
        assert (health["backend"], health["pcsc"], health["status"]) == ("pcsc", "up", "ok")
        readers = {r["name"]: r for r in api.get("/v1/readers").json()}
        assert readers[stack.cps_slot.reader]["card_type"] == "cps"
        assert readers[stack.vitale_slot.reader]["card_type"] == "vitale"

        practitioner = api.get("/v1/cps", params=stack.cps).json()
        assert practitioner["reader"] == stack.cps_slot.reader
        assert practitioner["national_id"] == "899700735741"
        assert practitioner["situations"] is None
        assert api.get("/v1/cps/pin", params=stack.cps).json()["tries_left"] == 3
        wrong = api.post("/v1/cps/pin/verify", params=stack.cps, json={"pin": "0000"})
        assert (wrong.status_code, wrong.json()["tries_left"]) == (401, 2)
        verified = api.post("/v1/cps/pin/verify", params=stack.cps, json={"pin": PIN})
        assert verified.json() == {"verified": True}
        assert api.get("/v1/cps", params=stack.cps).json()["situations"][0]["sector"] == "SA07"

        bundle = api.get("/v1/cps/certificates", params=stack.cps).json()
        chain = x509.load_pem_x509_certificates(bundle["chain"].encode())
        assert chain == [test_pki.issuing_ca.certificate, test_pki.root.certificate]

        nonce = api.post("/v1/auth/challenge", json={"origin": ORIGIN}).json()["nonce"]
        token = api.post(
            "/v1/auth/token",
            params=stack.cps,
            json={"nonce": nonce, "origin": ORIGIN, "pin": PIN},
        ).json()
        check = api.post(
            "/v1/auth/verify", json={"token": token, "nonce": nonce, "origin": ORIGIN}
        ).json()
        assert check["valid"] is True
        assert check["practitioner"]["rpps"] == "99700735741"

        vitale = api.get("/v1/vitale", params=stack.vitale).json()
        assert vitale["insured"]["nir"] == "1550672000101"
        assert api.get("/v1/cps", params=stack.vitale).json()["code"] == "wrong_card_type"


def test_the_held_connection_keeps_the_card_unlocked(stack: RealStack, api: httpx.Client) -> None:
    card = stack.make("demo-cps")
    with stack.inserted(stack.cps_slot, card):
        verified = api.post("/v1/cps/pin/verify", params=stack.cps, json={"pin": PIN})
        assert verified.status_code == 200, verified.text
        time.sleep(POWER_OFF_WAIT)  # a card nobody holds would be powered off by now
        assert card.state.verified  # the PIN session's card is still unlocked
        access = {"situation": 0, "patient": {"ins": INS}, "mode": "normal", "consent": True}
        granted = api.post("/v1/dmp/access", params=stack.cps, json=access)
        assert granted.status_code == 200, granted.text  # signed: still verified


def test_ending_the_session_locks_the_card_through_pcscd(
    stack: RealStack, api: httpx.Client
) -> None:
    """VERIFY P1=FF through pcscd: the card itself forgets the PIN, the connection stays."""
    card = stack.make("demo-cps")
    with stack.inserted(stack.cps_slot, card):
        assert api.post("/v1/cps/pin/verify", params=stack.cps, json={"pin": PIN}).is_success
        assert card.state.verified
        assert api.delete("/v1/cps/pin/session", params=stack.cps).status_code == 204
        assert not card.state.verified
        nonce = api.post("/v1/auth/challenge", json={"origin": ORIGIN}).json()["nonce"]
        token = api.post(
            "/v1/auth/token",
            params=stack.cps,
            json={"nonce": nonce, "origin": ORIGIN, "pin": PIN},
        )
        assert token.status_code == 200, token.text
        assert not card.state.verified  # a login leaves the card locked after signing


def test_removal_and_another_card(stack: RealStack, api: httpx.Client) -> None:
    follower = EventFollower(stack.live)
    try:
        follower.wait_for(named("state"))
        with stack.inserted(stack.cps_slot, stack.make("demo-cps")) as bridge:
            follower.wait_for(named("card_inserted", stack.cps_slot.reader))
            assert api.get("/v1/cps", params=stack.cps).json()["id_type"] == "RPPS"
            removed_at = time.monotonic()
            bridge.stop()
            event_at, _ = follower.wait_for(named("card_removed", stack.cps_slot.reader))
            assert event_at - removed_at < REMOVAL_DEADLINE
            refused = api.get("/v1/cps", params=stack.cps).json()
            assert refused["code"] == "card_absent"
        with stack.inserted(stack.cps_slot, stack.make("cps-adeli-nurse")):
            assert api.get("/v1/cps", params=stack.cps).json()["id_type"] == "ADELI"
    finally:
        follower.close()


def test_card_removed_during_a_request(stack: RealStack, api: httpx.Client) -> None:
    removed_at: list[float] = []

    def pull_out() -> None:
        removed_at.append(time.monotonic())
        bridge.stop()  # closing the vpcd connection takes the card out of pcscd's reader

    # The card runs the read's first APDU, then is pulled out before its answer gets back.
    slow = FaultyCard(stack.make("demo-cps"), FaultPlan(remove_after=1), on_removed=pull_out)
    bridge = VpcdBridge(slow, port=stack.cps_slot.port)
    bridge.start()
    try:
        wait_presence(stack.cps_slot.reader, True)
        stack.wait_seen(stack.cps_slot)
        answers: list[httpx.Response] = []
        reading = threading.Thread(
            target=lambda: answers.append(api.get("/v1/cps", params=stack.cps))
        )
        reading.start()
        reading.join(REQUEST_DEADLINE)
        assert slow.apdu_count > 0
        assert not reading.is_alive()
        assert time.monotonic() - removed_at[0] < REMOVAL_DEADLINE + 0.5
        assert answers[0].status_code == 409, answers[0].text
        assert answers[0].json()["code"] == "card_removed"
    finally:
        bridge.stop()
        wait_presence(stack.cps_slot.reader, False)


def test_many_requests_two_readers(stack: RealStack, api: httpx.Client) -> None:
    with (
        stack.inserted(stack.cps_slot, stack.make("demo-cps")),
        stack.inserted(stack.vitale_slot, stack.make("demo-vitale")),
    ):
        results: list[int] = []
        lock = threading.Lock()

        def work(path: str, params: dict[str, str]) -> None:
            with stack.live.client() as client:
                for _ in range(10):
                    status = client.get(path, params=params).status_code
                    with lock:
                        results.append(status)

        threads = [
            threading.Thread(target=work, args=(path, params))
            for path, params in [
                ("/v1/cps/pin", stack.cps),
                ("/v1/cps", stack.cps),
                ("/v1/vitale", stack.vitale),
                ("/v1/cps/certificates", stack.cps),
            ]
            * 3
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not any(thread.is_alive() for thread in threads)
        assert results == [200] * 120


def test_stopping_closes_connections_and_the_monitor(
    vpcd_slot: VpcdSlot, key_pool: KeyPool, issuer: PkiIssuer
) -> None:
    def threads(prefix: str) -> int:
        return sum(1 for thread in threading.enumerate() if thread.name.startswith(prefix))

    card = build_card(load_profile("demo-cps"), keys=key_pool, issuer=issuer)
    monitors_before = threads("pcsc-monitor")
    with card_in_reader(vpcd_slot, card):
        with serve_backend(PcscBackend()) as live, live.client() as client:
            assert threads("pcsc-monitor") == monitors_before + 1
            params = {"reader": vpcd_slot.reader}
            deadline = time.monotonic() + 10
            while client.get("/v1/cps/pin", params=params).status_code != 200:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            slot = live.bridge.readers.slot(vpcd_slot.reader)
            held = asyncio.run(slot.run(lambda access: access.connection))
        assert threads("pcsc-monitor") == monitors_before
        assert threads("card-worker") == 0
        with pytest.raises(CardCommunicationError, match="closed"):
            held.transmit(bytes.fromhex("00A4000C023F00"))
