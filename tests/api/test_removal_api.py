"""The CPS pulled out at every APDU of the API's card routes (issue 9).

For ``POST /v1/auth/token``, ``POST /v1/dmp/access``, ``POST /v1/cps/pin/verify`` and
``POST /v1/cps/pin/change`` (right and wrong PINs), over the in-process readers: the card
leaves before each APDU reaches it, or after it ran. Every answer is 409 ``card_removed``;
no DMP access is traced; once the card is back, nothing of the departed insertion is
served (``GET /v1/cps`` has no situations: the PIN must be verified again) and the PIN
counter moved only if the PIN command reached the card. A reset during VERIFY is a
``card_removed`` answer too, never ``pin_invalid``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import load_profile
from cardbridge.pcsc.apdu import Ins
from testkit.dmp_sandbox import RunningSandbox
from testkit.server import LiveServer
from tests.api.conftest import APP_ORIGIN, CPS, Demo, serving_dmp
from tests.cards.operations import (
    NEW_PIN,
    ONE_TRY_SPENT,
    PIN,
    WRONG_PIN,
    Exchange,
    PinState,
    command_name,
)
from tests.support.dmp_fixtures import LOUISE
from tests.support.faults import FaultPlan, FaultyCard
from tests.support.recording import RecordingCard

# Louise's DMP (the sandbox's seed), opened in emergency.
INS = LOUISE
REMOVALS: dict[str, Callable[[int], FaultPlan]] = {
    "before": lambda number: FaultPlan(remove_before=number),
    "after": lambda number: FaultPlan(remove_after=number),
}


def _verify(api: httpx.Client) -> None:
    assert api.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200


def _challenge(api: httpx.Client) -> str:
    answer = api.post("/v1/auth/challenge", json={"origin": APP_ORIGIN})
    nonce: str = answer.json()["nonce"]
    return nonce


@dataclass(frozen=True)
class Route:
    """A request to the card, after ``prepare`` (without faults), whose result it gets."""

    name: str
    call: Callable[[httpx.Client, Any], httpx.Response]
    clean_status: int
    prepare: Callable[[httpx.Client], Any] = lambda api: None
    secret: Ins | None = None
    reached: PinState | None = None  # the PIN state once ``secret`` ran on the card
    traced: bool = False  # a success writes to the DMP access journal

    def __str__(self) -> str:
        return self.name


ROUTES = [
    Route(
        "token",
        lambda api, nonce: api.post(
            "/v1/auth/token", json={"nonce": nonce, "pin": PIN, "origin": APP_ORIGIN}
        ),
        200,
        prepare=_challenge,
        secret=Ins.VERIFY,
        reached=PinState(3, PIN, 10),
    ),
    Route(
        "dmp_access",
        lambda api, _: api.post(
            "/v1/dmp/access",
            json={
                "situation": 0,
                "patient": {"ins": INS},
                "mode": "bris_de_glace",
                "reason": "Patient inconscient aux urgences",
            },
        ),
        200,
        prepare=_verify,
        traced=True,
    ),
    Route(
        "verify_right_pin",
        lambda api, _: api.post("/v1/cps/pin/verify", json={"pin": PIN}),
        200,
        secret=Ins.VERIFY,
        reached=PinState(3, PIN, 10),
    ),
    Route(
        "verify_wrong_pin",
        lambda api, _: api.post("/v1/cps/pin/verify", json={"pin": WRONG_PIN}),
        401,
        secret=Ins.VERIFY,
        reached=PinState(1, PIN, 10),
    ),
    Route(
        "change_right_pin",
        lambda api, _: api.post("/v1/cps/pin/change", json={"old_pin": PIN, "new_pin": NEW_PIN}),
        200,
        secret=Ins.CHANGE_REFERENCE_DATA,
        reached=PinState(3, NEW_PIN, 10),
    ),
    Route(
        "change_wrong_pin",
        lambda api, _: api.post(
            "/v1/cps/pin/change", json={"old_pin": WRONG_PIN, "new_pin": NEW_PIN}
        ),
        401,
        secret=Ins.CHANGE_REFERENCE_DATA,
        reached=PinState(1, PIN, 10),
    ),
]


@pytest.fixture
def server(
    demo: Demo, dmp: RunningSandbox, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server with a journal of its own, reaching the offline DMP, and no wait after a
    wrong PIN (the sweeps spend one try after another)."""
    roots = tmp_path_factory.mktemp("roots")
    with serving_dmp(demo.backend, dmp, roots, data_dir=tmp_path) as live:
        live.bridge.cards.backoff.first_delay = 0
        yield live


@pytest.fixture
def new_cps(key_pool: KeyPool, issuer: PkiIssuer) -> Callable[[], IsoCard]:
    """A fresh demo CPS with one PIN try already spent (so that a VERIFY shows)."""

    def make() -> IsoCard:
        card = build_card(load_profile("demo-cps"), keys=key_pool, issuer=issuer)
        ONE_TRY_SPENT.put(card)
        return card

    return make


def clean_exchange(route: Route, demo: Demo, api: httpx.Client, card: IsoCard) -> Exchange:
    """The APDUs that ``route`` sends to a card just inserted, after its ``prepare``."""
    recording = RecordingCard(card)
    demo.backend.insert(CPS, recording)
    prepared = route.prepare(api)
    before = recording.apdus
    assert route.call(api, prepared).status_code == route.clean_status
    sent = [entry.apdu for entry in recording.log if entry.kind == "apdu"]
    return Exchange(before, sent[before:], None)


def assert_card_removed(response: httpx.Response, where: str) -> None:
    assert response.status_code == 409, (where, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "card_removed", where


def assert_fresh(api: httpx.Client, card: IsoCard, expected: PinState, where: str) -> None:
    """What the API serves once the card is back: its state now, not the old insertion's."""
    practitioner = api.get("/v1/cps")
    assert practitioner.status_code == 200, where
    assert practitioner.json()["situations"] is None, where
    assert PinState.of(card) == expected, where
    assert api.get("/v1/cps/pin").json()["tries_left"] == expected.tries_left, where


@pytest.mark.timeout(120)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_removal_at_every_apdu(
    demo: Demo, server: LiveServer, new_cps: Callable[[], IsoCard], route: Route
) -> None:
    with server.client() as api:
        exchange = clean_exchange(route, demo, api, new_cps())
        assert exchange.sent
        for when, removal in REMOVALS.items():
            for number, apdu in enumerate(exchange.sent, start=1):
                where = f"{route}: removed {when} APDU {number} ({command_name(apdu)})"
                card = new_cps()
                demo.backend.insert(CPS, FaultyCard(card, removal(exchange.prepared + number)))
                prepared = route.prepare(api)
                before = PinState.of(card)
                journal = api.get("/v1/dmp/journal").json() if route.traced else None
                assert_card_removed(route.call(api, prepared), where)
                assert demo.backend.card(CPS) is None, where
                if route.traced:  # no access without a trace, no trace without an access
                    assert api.get("/v1/dmp/journal").json() == journal, where
                demo.backend.insert(CPS, card)
                reached = exchange.reached(route.secret, number, ran=when == "after")
                expected = route.reached if reached and route.reached else before
                assert_fresh(api, card, expected, where)


@pytest.mark.parametrize("pin", [PIN, WRONG_PIN])
@pytest.mark.parametrize("when", ["before", "after"])
def test_reset_during_verify_is_card_removed(
    demo: Demo, server: LiveServer, new_cps: Callable[[], IsoCard], pin: str, when: str
) -> None:
    """Another program resets the card as the VERIFY (APDU 5, after the issuer check and
    the PIN status) reaches it: the card stays in the reader, unlocked by nobody."""
    card = new_cps()
    plan = FaultPlan(reset_before=5) if when == "before" else FaultPlan(reset_after=5)
    demo.backend.insert(CPS, FaultyCard(card, plan))
    with server.client() as api:
        assert_card_removed(api.post("/v1/cps/pin/verify", json={"pin": pin}), when)
        assert demo.backend.card(CPS) is not None
        expected = ONE_TRY_SPENT
        if when == "after":
            expected = PinState(3 if pin == PIN else 1, PIN, 10)
        assert_fresh(api, card, expected, when)
