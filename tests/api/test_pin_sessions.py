"""The PIN belongs to its caller and its moment: sessions per caller, their end, the card
locked again; waits after wrong codes; the journal naming who asked. Over real HTTP."""

from __future__ import annotations

import os
import pwd
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardbridge.emulator.engine import IsoCard
from testkit.dmp_sandbox import RunningSandbox
from testkit.server import LiveServer
from tests.api.conftest import APP_ORIGIN, CPS, PIN, Demo, serving_dmp
from tests.support.dmp_fixtures import LOUISE
from tests.support.recording import RecordingCard

# Louise has a DMP on which the demo CPS has no authorization (the sandbox's seed).
INS = LOUISE
ACCESS = {"situation": 0, "patient": {"ins": INS}, "mode": "normal", "consent": True}


@pytest.fixture
def roots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("roots")


@pytest.fixture
def server(demo: Demo, dmp: RunningSandbox, tmp_path: Path, roots: Path) -> Iterator[LiveServer]:
    """A server with a journal of its own and a web application approved, reaching the
    offline DMP."""
    with serving_dmp(demo.backend, dmp, roots, data_dir=tmp_path) as live:
        yield live


def unlocked(card: IsoCard) -> bool:
    """Whether the emulated card holds its PIN as verified (what would let it sign)."""
    return bool(card.state.verified)


def iso(demo: Demo) -> IsoCard:
    card = demo.cps.card
    assert isinstance(card, IsoCard)
    return card


def test_a_pin_verified_by_one_caller_serves_no_other(server: LiveServer, demo: Demo) -> None:
    with (
        server.client() as native,
        server.page_client() as page,
        server.client(token=False, headers={"Origin": APP_ORIGIN}) as site,
    ):
        assert native.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
        assert unlocked(iso(demo))
        assert native.get("/v1/session").json()["pin_session"] is True
        assert page.get("/v1/session").json()["pin_session"] is False
        for other in (page, site):
            refused = other.post("/v1/dmp/access", json=ACCESS)
            assert refused.status_code == 403, refused.text
            assert refused.json()["code"] == "pin_required"
        french = page.post("/v1/dmp/access", json=ACCESS, headers={"Accept-Language": "fr"})
        assert french.json()["detail"] == (
            "Saisissez le code PIN de la carte CPS : cette application n'a pas de session PIN "
            "ouverte sur la carte."
        )
        assert native.post("/v1/dmp/access", json=ACCESS).status_code == 200
        # The page verifies in its turn: the session is the page's, no longer the client's.
        assert page.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
        assert page.post("/v1/dmp/access", json=ACCESS).status_code == 200
        assert native.post("/v1/dmp/access", json=ACCESS).json()["code"] == "pin_required"


def test_a_web_application_gets_its_session_through_the_window(
    server: LiveServer, demo: Demo
) -> None:
    with (
        server.client() as native,
        server.page_client() as window,
        server.client(token=False, headers={"Origin": APP_ORIGIN}) as site,
    ):
        asked = site.post("/v1/cps/pin/session")
        assert asked.status_code == 403
        approval = asked.json()
        assert approval["code"] == "approval_required"
        assert not unlocked(iso(demo))
        shown = window.get(f"/v1/approvals/{approval['approval_id']}").json()
        assert (shown["action"], shown["origin"]) == ("dmp_session", APP_ORIGIN)
        # A wrong PIN in the window: the request stays pending, the try is counted.
        wrong = window.post(
            f"/v1/approvals/{approval['approval_id']}", json={"approve": True, "pin": "0000"}
        )
        assert (wrong.status_code, wrong.json()["tries_left"]) == (401, 2)
        assert site.get(f"/v1/approvals/{approval['approval_id']}").json()["status"] == "pending"
        time.sleep(1.0)  # the wait after a wrong PIN
        right = window.post(
            f"/v1/approvals/{approval['approval_id']}", json={"approve": True, "pin": PIN}
        )
        assert right.json()["status"] == "approved"
        outcome = site.get(f"/v1/approvals/{approval['approval_id']}").json()
        assert outcome["status"] == "approved"
        assert outcome["token"] is None  # a session, not a login
        assert site.get("/v1/session").json() == {
            "caller": "origin",
            "origin": APP_ORIGIN,
            "pin_session": True,
        }
        granted = site.post("/v1/dmp/access", json=ACCESS)
        assert granted.status_code == 200, granted.text
        assert native.post("/v1/dmp/access", json=ACCESS).json()["code"] == "pin_required"
        # The site ends its session: the card is locked again.
        assert site.delete("/v1/cps/pin/session").status_code == 204
        assert not unlocked(iso(demo))
        assert site.post("/v1/dmp/access", json=ACCESS).json()["code"] == "pin_required"


def test_the_clinician_refuses_in_the_window(server: LiveServer, demo: Demo) -> None:
    with (
        server.page_client() as window,
        server.client(token=False, headers={"Origin": APP_ORIGIN}) as site,
    ):
        nonce = site.post("/v1/auth/challenge").json()["nonce"]
        approval = site.post("/v1/auth/token", json={"nonce": nonce}).json()
        assert window.get(f"/v1/approvals/{approval['approval_id']}").status_code == 200
        sent = demo.cps.apdus
        refused = window.post(f"/v1/approvals/{approval['approval_id']}", json={"approve": False})
        assert refused.json()["status"] == "refused"
        assert demo.cps.apdus == sent  # nothing reached the card
        outcome = site.get(f"/v1/approvals/{approval['approval_id']}").json()
        assert (outcome["status"], outcome["token"]) == ("refused", None)
        again = window.post(
            f"/v1/approvals/{approval['approval_id']}", json={"approve": True, "pin": PIN}
        )
        assert again.status_code == 422


def test_ending_a_session(server: LiveServer, demo: Demo) -> None:
    with server.client() as native, server.page_client() as page:
        assert native.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
        # Another caller's end request ends nothing of the client's.
        assert page.delete("/v1/cps/pin/session").status_code == 204
        assert unlocked(iso(demo))
        assert native.get("/v1/cps").json()["situations"] is not None
        assert native.delete("/v1/cps/pin/session").status_code == 204
        assert not unlocked(iso(demo))
        assert native.get("/v1/cps").json()["situations"] is None
        assert native.get("/v1/session").json()["pin_session"] is False
        assert native.post("/v1/dmp/access", json=ACCESS).json()["code"] == "pin_required"


def test_an_idle_session_ends_and_locks_the_card(
    demo: Demo, dmp: RunningSandbox, tmp_path: Path, roots: Path
) -> None:
    """With nobody calling: the bridge locks the card itself once the session is idle."""
    with (
        serving_dmp(demo.backend, dmp, roots, data_dir=tmp_path, pin_session_minutes=0.01) as live,
        live.client() as native,
    ):
        assert native.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
        assert unlocked(iso(demo))
        deadline = time.monotonic() + 5.0
        while unlocked(iso(demo)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not unlocked(iso(demo))
        assert native.get("/v1/session").json()["pin_session"] is False
        assert native.post("/v1/dmp/access", json=ACCESS).json()["code"] == "pin_required"


def test_a_session_in_use_stays_open(
    demo: Demo, dmp: RunningSandbox, tmp_path: Path, roots: Path
) -> None:
    with (
        serving_dmp(demo.backend, dmp, roots, data_dir=tmp_path, pin_session_minutes=0.02) as live,
        live.client() as native,
    ):
        assert native.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
        for _ in range(4):  # 2 s of use, each call within the 1.2 s idle limit
            time.sleep(0.5)
            assert native.post("/v1/dmp/access", json=ACCESS).status_code == 200
        assert unlocked(iso(demo))


class RefusesDeauthentication(RecordingCard):
    """A card that answers VERIFY P1=FF with 6A86 (incorrect P1-P2), as a card that does
    not know the ISO 7816-4 deauthentication would."""

    def process(self, apdu: bytes) -> bytes:
        if apdu[1:3] == b"\x20\xff":
            return b"\x6a\x86"
        return super().process(apdu)


def test_a_card_refusing_the_deauthentication_loses_the_connection(
    server: LiveServer, demo: Demo
) -> None:
    card = iso(demo)
    demo.backend.insert(CPS, RefusesDeauthentication(card))
    with server.client() as native:
        assert native.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
        slot = server.bridge.readers.slot(CPS)
        assert slot.memory.pin_verified
        assert native.delete("/v1/cps/pin/session").status_code == 204
        # The card still holds the PIN as verified, but the bridge counts on nothing:
        assert unlocked(card)
        assert slot.memory.pin_owner is None
        assert native.get("/v1/session").json()["pin_session"] is False
        assert native.post("/v1/dmp/access", json=ACCESS).json()["code"] == "pin_required"


def test_wrong_codes_make_the_next_try_wait(server: LiveServer, demo: Demo) -> None:
    with server.client() as native:
        assert native.post("/v1/cps/pin/verify", json={"pin": "0000"}).status_code == 401
        sent = demo.cps.apdus
        waiting = native.post("/v1/cps/pin/verify", json={"pin": PIN})
        assert waiting.status_code == 429
        assert waiting.headers["retry-after"] == "1"
        assert waiting.json()["code"] == "pin_retry_later"
        assert demo.cps.apdus == sent  # the card never saw it
        # Every way of trying a code waits alike.
        for path, body in (
            ("/v1/cps/pin/change", {"old_pin": PIN, "new_pin": "4321"}),
            ("/v1/auth/token", {"nonce": "A" * 44, "origin": APP_ORIGIN, "pin": PIN}),
        ):
            assert native.post(path, json=body).status_code == 429
        time.sleep(1.0)
        assert native.post("/v1/cps/pin/verify", json={"pin": "0000"}).status_code == 401
        # The second wrong PIN in a row: the wait doubles.
        assert native.post("/v1/cps/pin/verify", json={"pin": PIN}).headers["retry-after"] == "2"
        time.sleep(2.0)
        last_try = {"pin": PIN, "confirm_last_try": True}
        assert native.post("/v1/cps/pin/verify", json=last_try).status_code == 200
        # A right PIN clears the wait.
        assert native.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
    assert iso(demo).mf.pins[1].tries_left == 3


def test_the_window_asks_to_confirm_the_last_try(server: LiveServer, demo: Demo) -> None:
    iso(demo).mf.pins[1].tries_left = 1
    with (
        server.page_client() as window,
        server.client(token=False, headers={"Origin": APP_ORIGIN}) as site,
    ):
        approval = site.post("/v1/cps/pin/session").json()
        path = f"/v1/approvals/{approval['approval_id']}"
        sent = demo.cps.apdus
        unconfirmed = window.post(path, json={"approve": True, "pin": "0000"})
        assert unconfirmed.status_code == 409
        assert unconfirmed.json()["code"] == "confirmation_required"
        assert iso(demo).mf.pins[1].tries_left == 1
        commands = [entry.apdu for entry in demo.cps.log if entry.kind == "apdu"][sent:]
        assert commands
        assert all(apdu[1] != 0x20 for apdu in commands)  # no VERIFY
        confirmed = window.post(path, json={"approve": True, "pin": PIN, "confirm_last_try": True})
        assert confirmed.json()["status"] == "approved"


def test_the_journal_names_who_asked(server: LiveServer) -> None:
    with (
        server.client() as native,
        server.page_client() as page,
        server.client(token=False, headers={"Origin": APP_ORIGIN}) as site,
    ):
        assert native.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
        assert native.post("/v1/dmp/access", json=ACCESS).status_code == 200
        assert page.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
        assert page.post("/v1/dmp/access", json=ACCESS).status_code == 200
        approval = site.post("/v1/cps/pin/session").json()
        answer = page.post(
            f"/v1/approvals/{approval['approval_id']}", json={"approve": True, "pin": PIN}
        )
        assert answer.json()["status"] == "approved"
        assert site.post("/v1/dmp/access", json=ACCESS).status_code == 200
        records = native.get("/v1/dmp/journal").json()
    user = pwd.getpwuid(os.getuid()).pw_name
    assert [(r["details"]["caller"], r["details"]["os_user"]) for r in records] == [
        (APP_ORIGIN, user),
        ("page", user),
        ("native", user),
    ]
