"""Emulated cards for the engine tests, built fast: shared keys and one TEST issuer."""

from __future__ import annotations

import pytest

from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import EphemeralIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import load_profile


@pytest.fixture(scope="session")
def key_pool() -> KeyPool:
    return KeyPool(4)


@pytest.fixture(scope="session")
def issuer() -> EphemeralIssuer:
    return EphemeralIssuer()


@pytest.fixture
def cps(key_pool: KeyPool, issuer: EphemeralIssuer) -> IsoCard:
    """The demo CPS, powered on."""
    card = build_card(load_profile("demo-cps"), keys=key_pool, issuer=issuer)
    card.power_on()
    return card


@pytest.fixture
def vitale() -> IsoCard:
    """The demo Vitale card, powered on."""
    card = build_card(load_profile("demo-vitale"))
    card.power_on()
    return card
