"""Fixtures of the PC/SC transport tests: a started backend and a card in a vpcd reader."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.readers import EventKind
from tests.support.cards import ScriptedCard
from tests.support.events import EventLog
from tests.support.pcscd import VpcdSlot

# pcscd looks for cards every ~400 ms; an event later than this is a failure, not slowness.
EVENT_TIMEOUT = 5.0


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


def wait_until_empty(backend: PcscBackend, log: EventLog, reader: str) -> None:
    """Wait until the started ``backend`` sees ``reader`` without a card.

    The previous test's card may still be reported: pcscd notices a removal at its next
    poll. Inserting before that would make the old card's events look like the new one's.
    """

    def empty() -> bool:
        return any(s.name == reader and not s.card_present for s in backend.events.snapshot())

    assert log.wait_for(lambda _: empty(), EVENT_TIMEOUT), f"{reader} never seen empty"
    log.clear()


@pytest.fixture
def backend() -> Iterator[PcscBackend]:
    backend = PcscBackend()
    yield backend
    backend.stop()


@pytest.fixture
def empty_reader(vpcd_slot: VpcdSlot, backend: PcscBackend) -> str:
    """A vpcd reader that the started ``backend`` sees without a card."""
    backend.start()
    wait_until_empty(backend, EventLog(backend.events, {vpcd_slot.reader}), vpcd_slot.reader)
    return vpcd_slot.reader


@pytest.fixture
def inserted(vpcd_slot: VpcdSlot, backend: PcscBackend) -> Iterator[InsertedCard]:
    """A :class:`ScriptedCard` (CPS3 ATR) that pcscd already reports in ``vpcd_slot``."""
    log = EventLog(backend.events, {vpcd_slot.reader})
    backend.start()
    wait_until_empty(backend, log, vpcd_slot.reader)
    card = ScriptedCard()
    with VpcdBridge(card, port=vpcd_slot.port) as bridge:
        assert log.wait_for_event(EventKind.CARD_INSERTED, vpcd_slot.reader, EVENT_TIMEOUT)
        yield InsertedCard(vpcd_slot, card, bridge, backend, log)
