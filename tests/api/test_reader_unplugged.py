"""A reader unplugged in the middle of a card operation, and plugged in again."""

from __future__ import annotations

import httpx

from testkit.events import EventLog
from tests.api.conftest import CPS, PIN, Demo
from tests.support.faults import FaultPlan, FaultyCard


def test_reader_unplugged_during_a_signature(api: httpx.Client, demo: Demo) -> None:
    log = EventLog(demo.backend.events, {CPS})
    card = demo.backend.card(CPS)
    assert card is not None
    unplugging = FaultyCard(card, FaultPlan(), on_removed=lambda: demo.backend.remove_reader(CPS))
    demo.backend.insert(CPS, unplugging)
    assert api.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
    assert api.get("/v1/cps").json()["situations"] is not None
    # The reader goes at the third APDU of the token's signature (after the PIN status and
    # VERIFY, three APDUs), and the card with it.
    unplugging.plan = FaultPlan(remove_before=unplugging.apdu_count + 6)
    nonce = api.post("/v1/auth/challenge", json={"origin": "https://dmp.example"}).json()["nonce"]
    body = {"nonce": nonce, "origin": "https://dmp.example", "pin": PIN}
    signing = api.post("/v1/auth/token", json=body)
    assert signing.status_code == 409, signing.text
    assert signing.json()["code"] == "card_removed"
    assert log.wait_for(lambda events: any(e.kind.name == "READER_REMOVED" for e in events), 5.0)
    gone = api.get("/v1/cps", params={"reader": CPS})
    assert (gone.status_code, gone.json()["code"]) == (404, "reader_not_found")
    anywhere = api.get("/v1/cps")  # the Vitale reader is still there: insert a CPS, it says
    assert (anywhere.status_code, anywhere.json()["code"]) == (404, "card_absent")
    assert all(reader["name"] != CPS for reader in api.get("/v1/readers").json())

    # Plugged in again with the card: nothing remembered from before, the PIN to verify again.
    demo.backend.add_reader(CPS)
    demo.backend.insert(CPS, demo.make("demo-cps"))
    again = api.get("/v1/cps")
    assert again.status_code == 200, again.text
    assert again.json()["situations"] is None
    assert api.get("/v1/cps/pin").json()["tries_left"] == 3
