"""The card sessions over the real stack: pcscd + vpcd + pyscard give what in-process gives."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from cardbridge.cards.cps import CpsSession
from cardbridge.cards.vitale import VitaleSession
from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import load_profile, parse_profile
from cardbridge.errors import CardBridgeError, CardRemovedError
from cardbridge.pcsc.backend import PcscBackend
from testkit.pcscd import VpcdSlot
from tests.cards.conftest import connected
from tests.support.faults import FaultPlan, FaultyCard
from tests.support.profiles import cps_profiles, vitale_profiles
from tests.support.vpcd_cards import card_in_reader

MakeCard = Callable[[object], IsoCard]
HYPOTHESIS = settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def make_card(key_pool: KeyPool, issuer: PkiIssuer) -> MakeCard:
    def make(profile: object) -> IsoCard:
        parsed = load_profile(profile) if isinstance(profile, str) else parse_profile(profile)
        return build_card(parsed, keys=key_pool, issuer=issuer)

    return make


def without_reader(model: Any) -> dict[str, Any]:
    return model.model_dump(exclude={"reader"})  # type: ignore[no-any-return]


@HYPOTHESIS
@given(profile=cps_profiles())
def test_cps_over_pcscd_equals_in_process(
    make_card: MakeCard, vpcd_slot: VpcdSlot, profile: dict[str, Any]
) -> None:
    card = make_card(profile)
    with card_in_reader(vpcd_slot, card), PcscBackend().connect(vpcd_slot.reader) as connection:
        session = CpsSession(connection)
        session.verify_pin(profile["pin"])
        over_pcscd = session.read_practitioner(with_situations=True)
        status = session.pin_status()
    assert over_pcscd.reader == vpcd_slot.reader
    card.power_off()
    with connected(card) as connection:
        session = CpsSession(connection)
        session.verify_pin(profile["pin"])
        in_process = session.read_practitioner(with_situations=True)
    assert without_reader(over_pcscd) == without_reader(in_process)
    assert status.tries_left == 3


@HYPOTHESIS
@given(profile=vitale_profiles())
def test_vitale_over_pcscd_equals_in_process(
    make_card: MakeCard, vpcd_slot: VpcdSlot, profile: dict[str, Any]
) -> None:
    card = make_card(profile)
    with card_in_reader(vpcd_slot, card), PcscBackend().connect(vpcd_slot.reader) as connection:
        over_pcscd = VitaleSession(connection).read()
    with connected(card) as connection:
        in_process = VitaleSession(connection).read()
    assert without_reader(over_pcscd) == without_reader(in_process)


def test_signatures_over_pcscd(make_card: MakeCard, vpcd_slot: VpcdSlot) -> None:
    with (
        card_in_reader(vpcd_slot, make_card("demo-cps")),
        PcscBackend().connect(vpcd_slot.reader) as connection,
    ):
        session = CpsSession(connection)
        session.verify_pin("1234")
        assert len(session.authenticate(b"challenge")) == 256
        assert len(session.sign(b"assertion" * 100)) == 256


def test_removal_during_pin_verification_through_vpcd(
    make_card: MakeCard, vpcd_slot: VpcdSlot
) -> None:
    """Pulled out at each APDU up to the VERIFY, which never reaches the card: always
    card_removed (pcscd may first report a failed exchange; the session confirms the
    removal with pcscd), never pin_invalid or card_communication_error, no try spent."""
    for plan in (FaultPlan(remove_before=n) for n in (1, 2, 3)):
        card = make_card("demo-cps")
        with card_in_reader(vpcd_slot, card) as bridge:
            faulty = FaultyCard(card, plan, on_removed=bridge.stop)
            bridge.card = faulty
            with (
                PcscBackend().connect(vpcd_slot.reader) as connection,
                pytest.raises(CardBridgeError) as caught,
            ):
                CpsSession(connection).verify_pin("9999")
            assert type(caught.value) is CardRemovedError, plan
        card.power_off()
        with connected(card) as connection:
            assert CpsSession(connection).pin_status().tries_left == 3


@pytest.mark.parametrize(("card_name", "profile"), [("cps", "demo-cps"), ("vitale", "demo-vitale")])
def test_read_command_json(
    make_card: MakeCard, vpcd_slot: VpcdSlot, card_name: str, profile: str
) -> None:
    card = make_card(profile)
    with card_in_reader(vpcd_slot, card):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "cardbridge",
                "read",
                card_name,
                "--reader",
                vpcd_slot.reader,
                "--json",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    with connected(card) as connection:
        session = CpsSession(connection) if card_name == "cps" else VitaleSession(connection)
        expected = (
            session.read_practitioner() if isinstance(session, CpsSession) else session.read()
        )
    assert printed["reader"] == vpcd_slot.reader
    assert {k: v for k, v in printed.items() if k != "reader"} == json.loads(
        expected.model_dump_json(exclude={"reader"})
    )
