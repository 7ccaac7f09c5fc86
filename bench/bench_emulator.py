"""The emulator: APDUs per second in process and through pcscd + vpcd; memory per card.

Throughput uses the APDU a card reading does most, READ BINARY by SFI (EF.SN.ICC of
the demo CPS, 12 bytes), measured in batches whose median is reported. Signatures
(INTERNAL AUTHENTICATE, RSA-2048) are timed apart: they cost what the RSA costs.
Memory per card is measured two ways while cards are built and kept: the Python heap
(tracemalloc: files, key numbers, objects) and the growth of the resident set, which
also sees OpenSSL's allocations but is blurred by memory freed and reused while
building (key generation). CPS cards get fresh keys, as in real use.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import shutil
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from bench.framework import Recorder, Result, Target, benchmark
from bench.vpcd_reader import card_in_reader
from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.inprocess import EmulatedBackend
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.profiles import load_profile

READ_SN = bytes.fromhex("00B09C0000")
BATCH = 2000
ROUNDS = 7
SIGNATURES = 40
CPS_CARDS = 20
VITALE_CARDS = 200
# In process, the engine should never be what limits a card reading.
TARGET_IN_PROCESS = Target(">=", 10_000)
# Through pcscd, vpcd round trips dominate; docs/domain.md §5 measured ~0.08 ms per APDU.
TARGET_VPCD = Target(">=", 2_000)


def temporary_issuer() -> PkiIssuer:
    """A test PKI of its own, in a temporary data dir."""
    directory = Path(tempfile.mkdtemp(prefix="cardbridge-bench-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return PkiIssuer(TestPki.load_or_create(directory))


def _rate(send: Callable[[bytes], object]) -> float:
    """APDUs per second: median over rounds of BATCH READ BINARY."""
    for _ in range(BATCH // 10):
        send(READ_SN)
    per_round = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(BATCH):
            send(READ_SN)
        per_round.append(BATCH / (time.perf_counter() - started))
    return statistics.median(per_round)


def _demo_cps(issuer: PkiIssuer) -> IsoCard:
    return build_card(load_profile("demo-cps"), keys=KeyPool(2), issuer=issuer)


@benchmark("emulator-throughput")
def emulator_throughput(recorder: Recorder) -> None:
    issuer = temporary_issuer()
    card = _demo_cps(issuer)
    card.power_on()
    recorder.record(
        Result("emulated CPS, IsoCard.process", _rate(card.process), "APDU/s", TARGET_IN_PROCESS)
    )
    backend = EmulatedBackend(["bench"])
    backend.insert("bench", card)
    with backend.connect("bench") as connection:
        rate = _rate(connection.transmit)
    recorder.record(
        Result("emulated CPS, in-process connection", rate, "APDU/s", TARGET_IN_PROCESS)
    )
    with (
        card_in_reader(_demo_cps(issuer)) as bench_reader,
        bench_reader.backend.connect(bench_reader.reader) as connection,
    ):
        rate = _rate(connection.transmit)
    recorder.record(Result("emulated CPS through pcscd + vpcd", rate, "APDU/s", TARGET_VPCD))

    card.process(bytes.fromhex("00A4040C0DE828BD080F8025000001FF0010"))
    card.process(bytes.fromhex("002000010431323334"))
    card.process(bytes.fromhex("002241A406800102840182"))
    digest_info = bytes.fromhex("3031300D060960864801650304020105000420")
    command = bytes.fromhex("0088000033") + digest_info + hashlib.sha256(b"x").digest() + b"\x00"
    started = time.perf_counter()
    for _ in range(SIGNATURES):
        assert card.process(command)[-2:] == b"\x90\x00"
    elapsed = (time.perf_counter() - started) / SIGNATURES
    recorder.record(Result("INTERNAL AUTHENTICATE (RSA-2048), in process", elapsed * 1e3, "ms"))


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def _per_card(build: Callable[[], IsoCard], count: int) -> tuple[float, float]:
    """Bytes per card kept alive: (Python heap, resident set growth)."""
    gc.collect()
    tracemalloc.start()
    heap_before, resident_before = tracemalloc.get_traced_memory()[0], _resident_bytes()
    cards = [build() for _ in range(count)]
    gc.collect()
    heap, resident = tracemalloc.get_traced_memory()[0], _resident_bytes()
    tracemalloc.stop()
    assert len(cards) == count
    return (heap - heap_before) / count, (resident - resident_before) / count


# A test run or a soak holds hundreds of emulated cards: each must stay small. Measured
# on the Python heap (tracemalloc): exact and repeatable, where the resident set's growth
# depends on what the allocator had freed before. The RSA keys live in OpenSSL's memory.
MEMORY_PER_CARD = Target("<=", 64.0)


@benchmark("emulator-memory")
def emulator_memory(recorder: Recorder) -> None:
    issuer = temporary_issuer()
    cps = load_profile("demo-cps")
    vitale = load_profile("demo-vitale")
    build_card(cps, issuer=issuer)  # warm-up: imports, OpenSSL and pydantic caches
    for label, build, count in (
        ("CPS (fresh keys)", lambda: build_card(cps, issuer=issuer), CPS_CARDS),
        ("Vitale card", lambda: build_card(vitale), VITALE_CARDS),
    ):
        heap, resident = _per_card(build, count)
        recorder.record(
            Result(
                f"memory per emulated {label}, Python heap",
                heap / 1024,
                "KiB",
                target=MEMORY_PER_CARD,
                note=f"{count} cards",
            )
        )
        recorder.record(
            Result(
                f"memory per emulated {label}, resident set",
                resident / 1024,
                "KiB",
                note="informative: the allocator reuses freed pages, often 0",
            )
        )
