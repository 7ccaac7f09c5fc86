"""Card sessions against in-process emulated cards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest

from cardbridge.dmp.journal import Journal
from cardbridge.dmp.vihf import LpsInfo
from cardbridge.dmp.workflow import DmpWorkflow
from cardbridge.emulator.card import VirtualCard
from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.inprocess import EmulatedBackend, EmulatedConnection
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import load_profile, parse_profile

READER = "test reader"

Connect = Callable[[VirtualCard], Any]


@contextmanager
def connected(card: VirtualCard) -> Iterator[EmulatedConnection]:
    """A connection to ``card`` in a fresh in-process reader."""
    backend = EmulatedBackend([READER])
    backend.insert(READER, card)
    with backend.connect(READER) as connection:
        yield connection


@contextmanager
def recorded(card: IsoCard) -> Iterator[list[bytes]]:
    """The raw APDUs that reach ``card`` inside the block, in order."""
    sent: list[bytes] = []
    process = card.process

    def recording(apdu: bytes) -> bytes:
        sent.append(apdu)
        return process(apdu)

    card.process = recording  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        del card.process


@pytest.fixture
def make_card(key_pool: KeyPool, issuer: PkiIssuer) -> Callable[[object], IsoCard]:
    """Build a card from a packaged profile name or a profile mapping (shared keys)."""

    def make(profile: object) -> IsoCard:
        parsed = load_profile(profile) if isinstance(profile, str) else parse_profile(profile)
        return build_card(parsed, keys=key_pool, issuer=issuer)

    return make


@pytest.fixture(scope="module")
def dmp_workflow(tmp_path_factory: pytest.TempPathFactory) -> DmpWorkflow:
    """A DMP workflow with a journal of its own (one per test module)."""
    journal = Journal.open(tmp_path_factory.mktemp("journal"))
    lps = LpsInfo("cardbridge-test", "cardbridge", "0.1.0")
    return DmpWorkflow(journal, lps, vihf_validity=timedelta(minutes=30))
