"""The API while another PC/SC application, in its own process, uses the same card."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter

import httpx
import pytest

from tests.real.api.conftest import RealStack
from tests.support.other_program import card_held_by_another_program, start_reads

OTHER_READS = 300
HELD_UP_TIMEOUT = 10.0


@pytest.fixture
def busy_timeout() -> float:
    return 0.5


def test_a_card_held_elsewhere_answers_card_busy_then_works(
    stack: RealStack, api: httpx.Client
) -> None:
    with stack.inserted(stack.cps_slot, stack.make("demo-cps")):
        verified = api.post("/v1/cps/pin/verify", params=stack.cps, json={"pin": "1234"})
        assert verified.status_code == 200
        with card_held_by_another_program(stack.cps_slot.reader) as other:
            for _ in range(3):  # the first waits for the deadline, the others are refused at once
                busy = api.get("/v1/cps/pin", params=stack.cps)
                assert busy.status_code == 409, busy.text
                assert busy.json()["code"] == "card_busy"
                assert "Another program is using the card" in busy.json()["detail"]
            other.release()
        deadline = time.monotonic() + HELD_UP_TIMEOUT
        while (answer := api.get("/v1/cps/pin", params=stack.cps)).status_code == 409:
            assert time.monotonic() < deadline, answer.text
            time.sleep(0.05)
        assert answer.status_code == 200
        assert answer.json()["tries_left"] == 3
        # The other program may have reset the card meanwhile: the PIN is asked again.
        assert api.get("/v1/cps", params=stack.cps).json()["situations"] is None
        assert api.post("/v1/cps/pin/verify", params=stack.cps, json={"pin": "1234"}).is_success
        assert api.get("/v1/cps", params=stack.cps).json()["situations"] is not None


def test_two_clients_and_another_program_are_kept_apart(
    stack: RealStack, api: httpx.Client
) -> None:
    """The other program SELECTs then READs in its transactions while two API clients make
    the card sign and read: no SELECT of ours ever lands between its two commands."""
    with stack.inserted(stack.cps_slot, stack.make("demo-cps")):
        assert (
            api.post("/v1/cps/pin/verify", params=stack.cps, json={"pin": "1234"}).status_code
            == 200
        )
        statuses: Counter[int] = Counter()
        lock = threading.Lock()
        stop = threading.Event()

        def client_work() -> None:
            with stack.live.client() as client:
                while not stop.is_set():
                    nonce = client.post(
                        "/v1/auth/challenge", json={"origin": "https://dmp.example"}
                    ).json()["nonce"]
                    answers = [
                        client.post(
                            "/v1/auth/token",
                            params=stack.cps,
                            json={"nonce": nonce, "origin": "https://dmp.example", "pin": "1234"},
                        ),
                        client.get("/v1/cps/pin", params=stack.cps),
                    ]
                    with lock:
                        statuses.update(answer.status_code for answer in answers)

        clients = [threading.Thread(target=client_work) for _ in range(2)]
        for thread in clients:
            thread.start()
        other = start_reads(stack.cps_slot.reader, OTHER_READS)
        try:
            out, _ = other.communicate(timeout=120)
        finally:
            stop.set()
            for thread in clients:
                thread.join(30)
        assert not any(thread.is_alive() for thread in clients)
        report = json.loads(out)
        assert report["consistent"] == OTHER_READS, report
        assert statuses[200] > 0
        assert set(statuses) == {200}, statuses
