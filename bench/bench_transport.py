"""APDU round trip through cardbridge's transport vs raw pyscard, same reader, same run.

Raw pyscard is what cardbridge's transport wraps: ``SCardTransmit`` with a prepared
``list[int]`` and a return-code check. cardbridge's ``PcscConnection.transmit`` adds
the ``bytes`` ↔ ``list[int]`` conversions and the status word split. The two (and,
for information, ``ApduProtocol``) run in interleaved batches so that drift in the
machine's load hits them alike; the figures are medians of the per-batch means.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from smartcard import scard

from bench.framework import Recorder, Result, Target, benchmark
from bench.vpcd_reader import card_in_reader
from cardbridge.pcsc.apdu import CommandApdu
from cardbridge.pcsc.protocol import ApduProtocol
from testkit.cards import ScriptedCard

# READ BINARY of 4 bytes: a short exchange, where a fixed overhead weighs the most.
APDU = bytes.fromhex("00B0000004")
WARMUP = 200
BATCH = 250
ROUNDS = 16
TARGET_RATIO = Target("<=", 1.10)


class RawPyscard:
    """The baseline: a shared connection and SCardTransmit, nothing else."""

    def __init__(self, reader: str) -> None:
        code, self.context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        self._check(code)
        code, self.card, self.protocol = scard.SCardConnect(
            self.context,
            reader,
            scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
        )
        self._check(code)

    def transmit(self, apdu: list[int]) -> list[int]:
        code, response = scard.SCardTransmit(self.card, self.protocol, apdu)
        if code:
            raise RuntimeError(scard.SCardGetErrorMessage(code))
        return list(response)

    def close(self) -> None:
        scard.SCardDisconnect(self.card, scard.SCARD_LEAVE_CARD)
        scard.SCardReleaseContext(self.context)

    @staticmethod
    def _check(code: int) -> None:
        if code:
            raise RuntimeError(scard.SCardGetErrorMessage(code))


def _per_apdu(batch: Callable[[], None]) -> float:
    started = time.perf_counter()
    batch()
    return (time.perf_counter() - started) / BATCH


@benchmark("apdu-round-trip")
def apdu_round_trip(recorder: Recorder) -> None:
    with card_in_reader(ScriptedCard()) as bench_reader:
        raw = RawPyscard(bench_reader.reader)
        connection = bench_reader.backend.connect(bench_reader.reader)
        protocol = ApduProtocol(connection)
        raw_apdu = list(APDU)
        command = CommandApdu(0x00, 0xB0, 0x00, 0x00, le=4)

        def raw_batch() -> None:
            for _ in range(BATCH):
                raw.transmit(raw_apdu)

        def transport_batch() -> None:
            for _ in range(BATCH):
                connection.transmit(APDU)

        def protocol_batch() -> None:
            for _ in range(BATCH):
                protocol.transceive(command)

        batches = {"raw": raw_batch, "transport": transport_batch, "protocol": protocol_batch}
        timings: dict[str, list[float]] = {name: [] for name in batches}
        try:
            for _ in range(WARMUP // BATCH + 1):
                for batch in batches.values():
                    batch()
            for round_index in range(ROUNDS):
                names = list(batches)
                names = names[round_index % 3 :] + names[: round_index % 3]  # rotate the order
                for name in names:
                    timings[name].append(_per_apdu(batches[name]))
        finally:
            connection.close()
            raw.close()

    raw_us = statistics.median(timings["raw"]) * 1e6
    transport_us = statistics.median(timings["transport"]) * 1e6
    protocol_us = statistics.median(timings["protocol"]) * 1e6
    recorder.record(Result("APDU round trip, raw pyscard", raw_us, "µs"))
    recorder.record(Result("APDU round trip, PcscConnection", transport_us, "µs"))
    recorder.record(
        Result(
            "transport / raw pyscard",
            transport_us / raw_us,
            "ratio",
            target=TARGET_RATIO,
            baseline=raw_us,
            baseline_unit="µs",
        )
    )
    recorder.record(
        Result(
            "ApduProtocol / raw pyscard",
            protocol_us / raw_us,
            "ratio",
            target=TARGET_RATIO,
            baseline=raw_us,
            baseline_unit="µs",
            note="with APDU encoding and the 61xx/6Cxx checks",
        )
    )
