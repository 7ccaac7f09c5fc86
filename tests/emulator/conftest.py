"""Emulated cards for the engine tests, built fast: shared keys, the session's test PKI."""

from __future__ import annotations

import pytest

from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import load_profile


@pytest.fixture
def cps(key_pool: KeyPool, issuer: PkiIssuer) -> IsoCard:
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
