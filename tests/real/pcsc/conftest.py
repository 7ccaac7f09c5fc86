"""Fixtures of the PC/SC transport tests: a started backend and a card in a vpcd reader."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.reader_interface import EventKind
from testkit.cards import ScriptedCard
from testkit.events import EVENT_TIMEOUT, EventLog
from testkit.pcscd import VpcdSlot


@dataclass
class InsertedCard:
    """A scripted card in a vpcd reader, and the backend that saw it arrive."""

    slot: VpcdSlot
    card: ScriptedCard
    bridge: VpcdBridge
    backend: PcscBackend
    log: EventLog

    @property
    def reader(self) -> str:
        return self.slot.reader


@pytest.fixture
def backend() -> Iterator[PcscBackend]:
    backend = PcscBackend()
    yield backend
    backend.stop()


@pytest.fixture
def empty_reader(vpcd_slot: VpcdSlot, backend: PcscBackend) -> str:
    """A vpcd reader that the started ``backend`` sees without a card."""
    backend.start()
    assert EventLog(backend.events, {vpcd_slot.reader}).wait_until_empty(vpcd_slot.reader)
    return vpcd_slot.reader


@pytest.fixture
def inserted(vpcd_slot: VpcdSlot, backend: PcscBackend) -> Iterator[InsertedCard]:
    """A :class:`ScriptedCard` (CPS3 ATR) that pcscd already reports in ``vpcd_slot``."""
    log = EventLog(backend.events, {vpcd_slot.reader})
    backend.start()
    assert log.wait_until_empty(vpcd_slot.reader)
    card = ScriptedCard()
    with VpcdBridge(card, port=vpcd_slot.port) as bridge:
        assert log.wait_for_event(EventKind.CARD_INSERTED, vpcd_slot.reader, EVENT_TIMEOUT)
        yield InsertedCard(vpcd_slot, card, bridge, backend, log)
