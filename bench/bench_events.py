"""Time from a card insertion (the vpcd bridge connecting) to its ``card_inserted`` event.

pcscd looks for vpcd cards every ~400 ms, so the latency is mostly where the insertion
falls in that period. Insertions are spread over it with a random pause (seeded, so
runs are comparable): back-to-back insertions would all land just after a poll and
measure the worst case only.
"""

from __future__ import annotations

import random
import threading
import time

from bench.framework import Recorder, Result, Target, benchmark, percentile
from bench.vpcd_reader import empty_reader
from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.pcsc.reader_interface import EventKind, ReaderEvent
from testkit.cards import ScriptedCard
from testkit.events import EVENT_TIMEOUT

INSERTIONS = 20
POLL_PERIOD = 0.4
TARGET_P95 = Target("<", 0.5)


@benchmark("card-insertion-event")
def insertion_latency(recorder: Recorder) -> None:
    pause = random.Random(2)  # seeded: comparable runs
    latencies: list[float] = []
    with empty_reader() as bench_reader:
        arrived = threading.Event()
        arrival = [0.0]

        def on_event(event: ReaderEvent) -> None:
            if event.kind is EventKind.CARD_INSERTED and event.reader == bench_reader.reader:
                arrival[0] = time.perf_counter()
                arrived.set()

        unsubscribe = bench_reader.backend.events.subscribe(on_event)
        try:
            for _ in range(INSERTIONS):
                time.sleep(pause.uniform(0, POLL_PERIOD))
                bridge = VpcdBridge(ScriptedCard(), port=bench_reader.slot.port)
                arrived.clear()
                inserted_at = time.perf_counter()
                bridge.start()
                try:
                    if not arrived.wait(EVENT_TIMEOUT):
                        raise RuntimeError("no card_inserted event")
                    latencies.append(arrival[0] - inserted_at)
                finally:
                    bridge.stop()
                if not bench_reader.log.wait_until_empty(bench_reader.reader):
                    raise RuntimeError("the card removal was never seen")
        finally:
            unsubscribe()

    latencies.sort()
    recorder.record(Result("card insertion → event, p50", percentile(latencies, 0.50), "s"))
    recorder.record(
        Result(
            "card insertion → event, p95",
            percentile(latencies, 0.95),
            "s",
            target=TARGET_P95,
            note=f"{INSERTIONS} insertions",
        )
    )
    recorder.record(Result("card insertion → event, max", latencies[-1], "s"))
