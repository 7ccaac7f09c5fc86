"""pcscd killed, then started again: how long until the monitor's events flow again.

The reader monitor backs off while pcscd is away (capped at 0.5 s) so that events flow
again within 2 s of pcscd's return (issue 2). Each cycle kills the harness's pcscd
(SIGKILL, no clean exit), starts it again, and times from the moment it serves its
readers to ``pcsc_available``, and to the emulated card's ``card_inserted`` (the card's
vpcd bridge reconnects by itself, then pcscd's ~400 ms card poll sees it).
Needs a pcscd that the harness started (`make bench` starts one when none runs).
"""

from __future__ import annotations

import time

from bench.framework import Recorder, Result, Target, benchmark
from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.reader_interface import EventKind, ReaderEvent
from testkit.cards import ScriptedCard
from testkit.events import EventLog
from testkit.pcscd import kill_pcscd, pcscd_lock, start_pcscd, state, vpcd_slots

CYCLES = 5
TARGET = Target("<", 2.0)
TIMEOUT = 10.0


@benchmark("pcscd-recovery")
def pcscd_recovery(recorder: Recorder) -> None:
    if not state().owned:
        raise RuntimeError("this pcscd was not started by scripts/pcscd-harness: cannot kill it")
    available: list[float] = []
    inserted: list[float] = []
    with pcscd_lock(exclusive=True), vpcd_slots(1) as (slot,):
        backend = PcscBackend()
        log = EventLog(backend.events, {slot.reader})
        backend.start()
        try:
            with VpcdBridge(ScriptedCard(), port=slot.port, reconnect=True):
                _wait(log, EventKind.CARD_INSERTED, slot.reader)
                for _ in range(CYCLES):
                    log.clear()
                    kill_pcscd()
                    _wait(log, EventKind.PCSC_UNAVAILABLE, "")
                    start_pcscd()  # returns once pcscd serves its vpcd readers
                    back = time.perf_counter()
                    available.append(_wait(log, EventKind.PCSC_AVAILABLE, "") - back)
                    inserted.append(_wait(log, EventKind.CARD_INSERTED, slot.reader) - back)
        finally:
            backend.stop()
            start_pcscd()  # whatever happened, pcscd runs again
    note = f"max of {CYCLES} SIGKILL/start cycles"
    recorder.record(
        Result("pcscd back → pcsc_available", max(available), "s", target=TARGET, note=note)
    )
    recorder.record(
        Result("pcscd back → card_inserted", max(inserted), "s", target=TARGET, note=note)
    )


def _wait(log: EventLog, kind: EventKind, reader: str) -> float:
    """The arrival time (``perf_counter``) of the first ``kind`` event for ``reader``."""
    arrived: list[float] = []

    def seen(events: list[ReaderEvent]) -> bool:
        if not arrived and any(e.kind is kind and e.reader == reader for e in events):
            arrived.append(time.perf_counter())
        return bool(arrived)

    if not log.wait_for(seen, TIMEOUT):
        raise RuntimeError(f"no {kind.name.lower()} event for {reader or 'pcscd'}")
    return arrived[0]
