"""A vpcd reader of the harness's pcscd for the benchmarks, with the locks the tests use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cardbridge.emulator.card import VirtualCard
from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.reader_interface import EventKind
from testkit.events import EventLog
from testkit.pcscd import VpcdSlot, pcscd_lock, vpcd_slots


@dataclass(frozen=True)
class BenchReader:
    """A free vpcd reader, seen empty by a started backend."""

    slot: VpcdSlot
    backend: PcscBackend
    log: EventLog

    @property
    def reader(self) -> str:
        return self.slot.reader


@contextmanager
def empty_reader() -> Iterator[BenchReader]:
    """Shares pcscd with concurrent test runs, like the real tier does."""
    with pcscd_lock(exclusive=False), vpcd_slots(1) as (slot,):
        backend = PcscBackend()
        log = EventLog(backend.events, {slot.reader})
        backend.start()
        try:
            if not log.wait_until_empty(slot.reader):
                raise RuntimeError(f"{slot.reader} is never seen empty")
            yield BenchReader(slot, backend, log)
        finally:
            backend.stop()


@contextmanager
def card_in_reader(card: VirtualCard) -> Iterator[BenchReader]:
    """``card`` inserted through the vpcd bridge, once pcscd reports it."""
    with empty_reader() as bench_reader, VpcdBridge(card, port=bench_reader.slot.port):
        if not bench_reader.log.wait_for_event(EventKind.CARD_INSERTED, bench_reader.reader):
            raise RuntimeError(f"the card never showed in {bench_reader.reader}")
        yield bench_reader
