"""Reader events from the real pcscd: cards in and out of vpcd readers, in order."""

from __future__ import annotations

import threading
import time

from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.reader_interface import EventKind, ReaderState
from testkit.cards import CPS3_ATR, VITALE2_ATR, ScriptedCard
from testkit.events import EVENT_TIMEOUT, EventLog
from testkit.pcscd import VpcdSlot

INSERTED, REMOVED = EventKind.CARD_INSERTED, EventKind.CARD_REMOVED


def test_card_in_then_out(vpcd_slot: VpcdSlot, backend: PcscBackend) -> None:
    reader = vpcd_slot.reader
    log = EventLog(backend.events, {reader})
    backend.start()
    assert log.wait_for_event(EventKind.READER_ADDED, reader, EVENT_TIMEOUT)
    assert log.wait_until_empty(reader)
    with VpcdBridge(ScriptedCard(), port=vpcd_slot.port):
        assert log.wait_for_event(INSERTED, reader, EVENT_TIMEOUT)
        inserted = log.events[-1]
        assert inserted.atr == CPS3_ATR
        assert inserted.card_type == "cps"
        assert inserted.timestamp > 0
        assert ReaderState(reader, True, CPS3_ATR) in backend.events.snapshot()
    assert log.wait_for_event(REMOVED, reader, EVENT_TIMEOUT)
    assert log.kinds(reader) == [(INSERTED, reader), (REMOVED, reader)]
    assert ReaderState(reader, False) in backend.events.snapshot()


def test_card_replaced_by_another(vpcd_slot: VpcdSlot, backend: PcscBackend) -> None:
    reader = vpcd_slot.reader
    log = EventLog(backend.events, {reader})
    backend.start()
    assert log.wait_until_empty(reader)
    with VpcdBridge(ScriptedCard(), port=vpcd_slot.port):
        assert log.wait_for_event(INSERTED, reader, EVENT_TIMEOUT)
    # vpcd hides a swap made between two of pcscd's polls (the new card is not even
    # powered on): let pcscd see the reader empty first, as with a real reader.
    assert log.wait_for_event(REMOVED, reader, EVENT_TIMEOUT)
    with VpcdBridge(ScriptedCard(VITALE2_ATR), port=vpcd_slot.port):
        assert log.wait_for(lambda events: len(events) >= 3, EVENT_TIMEOUT), log.kinds()
        assert log.kinds(reader) == [(INSERTED, reader), (REMOVED, reader), (INSERTED, reader)]
        assert log.events[-1].card_type == "vitale"


def test_two_readers_each_their_own_events(vpcd_pair: list[VpcdSlot], backend: PcscBackend) -> None:
    first, second = vpcd_pair
    log = EventLog(backend.events, {first.reader, second.reader})
    backend.start()
    assert log.wait_until_empty(first.reader)
    assert log.wait_until_empty(second.reader)
    with VpcdBridge(ScriptedCard(VITALE2_ATR), port=second.port):
        assert log.wait_for_event(INSERTED, second.reader, EVENT_TIMEOUT)
        with VpcdBridge(ScriptedCard(CPS3_ATR), port=first.port):
            assert log.wait_for_event(INSERTED, first.reader, EVENT_TIMEOUT)
    assert log.wait_for(lambda events: len(events) >= 4, EVENT_TIMEOUT), log.kinds()
    assert log.kinds(first.reader) == [(INSERTED, first.reader), (REMOVED, first.reader)]
    assert log.kinds(second.reader) == [(INSERTED, second.reader), (REMOVED, second.reader)]
    types = {e.reader: e.card_type for e in log.events if e.kind is INSERTED}
    assert types == {first.reader: "cps", second.reader: "vitale"}


def test_stop_is_prompt_and_leaves_no_thread(vpcd_slot: VpcdSlot) -> None:
    before = set(threading.enumerate())
    backend = PcscBackend()
    log = EventLog(backend.events, {vpcd_slot.reader})
    backend.start()
    backend.start()  # idempotent
    assert log.wait_for_event(EventKind.READER_ADDED, vpcd_slot.reader, EVENT_TIMEOUT)
    started = time.monotonic()
    backend.stop()
    backend.stop()
    assert time.monotonic() - started < 2.0  # SCardCancel, not a timeout, ended the wait
    assert set(threading.enumerate()) == before
