"""Card operations through pcscd + vpcd: a cold CPS read, a Vitale read, a token.

A cold read is a new session (the CPS issuer check included) on the demo cards. The
minimum is what the layout allows: for the CPS, SELECT and READ of EF.SN.ICC, the
PKCS#15 lists that say where things are (EF.DIR, ODF, CDF, DODF: SELECT, then chunks of
231 bytes until a short one), SELECT of the application, then SELECT and the exact
chunks of the three data objects and both certificates (each checked against the holder
data); for the Vitale card, two SELECTs and each file in 256-byte chunks.
Target: no more than that minimum + 2. For comparison, the APDUs OpenSC's
``pkcs15-tool -D`` sends to the same card (it also reads the AODF, PrKDF and PIN status).
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import time
from collections.abc import Callable

from bench.bench_emulator import temporary_issuer
from bench.framework import Recorder, Result, Target, benchmark
from bench.vpcd_reader import card_in_reader
from cardbridge.auth.nonces import Challenges, MemoryNonceStore
from cardbridge.auth.signing import sign_challenge
from cardbridge.cards.cps import CpsSession
from cardbridge.cards.cps_map import EF_DIR
from cardbridge.cards.vitale import VitaleSession
from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import load_profile
from cardbridge.layouts import cps, cps_pkcs15, vitale
from cardbridge.layouts.iasecc import READ_BINARY_MAX
from cardbridge.pcsc.apdu import SHORT_MAX_LE

READS = 30
ORIGIN = "https://dmp.example"
EXTRA_APDUS_ALLOWED = 2
EF_DIR_FID = EF_DIR[-1]


def _file_size(card: IsoCard, *path: int | bytes) -> int:
    node = card.mf
    for step in path:
        node = next(  # type: ignore[assignment]
            c for c in node.children if (c.fid == step or getattr(c, "aid", None) == step)
        )
    return len(node.data)  # type: ignore[attr-defined]


def _minimum_cps(card: IsoCard) -> int:
    lists = [_file_size(card, EF_DIR_FID)] + [
        _file_size(card, cps.DF_KEYS, fid)
        for fid in (cps_pkcs15.EF_ODF, cps_pkcs15.EF_CDF, cps_pkcs15.EF_DODF)
    ]
    objects = (
        _file_size(card, cps.DF_KEYS, ref.fid)
        for ref in (
            cps.EF_ID_CARD,
            cps.EF_NAME_PS,
            cps.EF_INFO_PS,
            cps.EF_CERT_AUTHENTICATION,
            cps.EF_CERT_SIGNATURE,
        )
    )
    discovery = sum(1 + size // READ_BINARY_MAX + 1 for size in lists)
    return 2 + discovery + 1 + sum(1 + math.ceil(size / READ_BINARY_MAX) for size in objects)


def _opensc_apdus(reader: str) -> int:
    """APDUs that ``pkcs15-tool -D`` sends (its debug log prints each one)."""
    out = subprocess.run(
        ["pkcs15-tool", "-r", reader, "--aid", cps.PKCS15_AID.hex(), "-D"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "OPENSC_DEBUG": "9"},
    )
    return out.stderr.count("Outgoing APDU") + out.stdout.count("Outgoing APDU")


def _chunks(size: int) -> int:
    # Reading stops at a chunk shorter than 256 bytes; a file of whole chunks needs one more.
    return size // SHORT_MAX_LE + 1


def _minimum_vitale(card: IsoCard) -> int:
    identity = _file_size(card, vitale.EF_IDENTITY.fid)
    nir = _file_size(card, vitale.AID_VITALE, vitale.EF_NIR.fid)
    insurance = _file_size(card, vitale.AID_VITALE, vitale.EF_INSURANCE.fid)
    return 2 + _chunks(identity) + _chunks(nir) + _chunks(insurance)


def _measure(read: Callable[[], int]) -> tuple[int, float]:
    """APDUs of one read, and the median time of READS reads."""
    apdus = read()
    times = []
    for _ in range(READS):
        started = time.perf_counter()
        read()
        times.append(time.perf_counter() - started)
    return apdus, statistics.median(times)


def _record(recorder: Recorder, name: str, apdus: int, minimum: int, seconds: float) -> None:
    recorder.record(
        Result(
            f"{name}: APDUs",
            apdus,
            "APDU",
            Target("<=", minimum + EXTRA_APDUS_ALLOWED),
            note=f"layout minimum {minimum}",
        )
    )
    recorder.record(Result(f"{name}: time (median)", seconds * 1000, "ms"))


@benchmark("card-reads")
def card_reads(recorder: Recorder) -> None:
    card = build_card(load_profile("demo-cps"), keys=KeyPool(2), issuer=temporary_issuer())
    with (
        card_in_reader(card) as bench_reader,
        bench_reader.backend.connect(bench_reader.reader) as connection,
    ):

        def read_cps() -> int:
            session = CpsSession(connection)
            session.read_practitioner()
            return session.apdu_count

        apdus, seconds = _measure(read_cps)
        opensc = _opensc_apdus(bench_reader.reader)
    _record(recorder, "cold CPS read via pcscd+vpcd", apdus, _minimum_cps(card), seconds)
    recorder.record(
        Result(
            "same card: pkcs15-tool -D (OpenSC)",
            opensc,
            "APDU",
            note="reads the lists, PIN status and every public object",
        )
    )

    card = build_card(load_profile("demo-vitale"))
    with (
        card_in_reader(card) as bench_reader,
        bench_reader.backend.connect(bench_reader.reader) as connection,
    ):

        def read_vitale() -> int:
            session = VitaleSession(connection)
            session.read()
            return session.apdu_count

        apdus, seconds = _measure(read_vitale)
    _record(recorder, "Vitale read via pcscd+vpcd", apdus, _minimum_vitale(card), seconds)


@benchmark("challenge-to-token")
def challenge_to_token(recorder: Recorder) -> None:
    """From a challenge issued to the token signed by the emulated CPS through pcscd."""
    card = build_card(load_profile("demo-cps"), keys=KeyPool(2), issuer=temporary_issuer())
    challenges = Challenges(MemoryNonceStore())
    with (
        card_in_reader(card) as bench_reader,
        bench_reader.backend.connect(bench_reader.reader) as connection,
    ):
        session = CpsSession(connection)
        session.verify_pin("1234")

        def one_token() -> int:
            nonce = challenges.issue(ORIGIN).nonce
            sign_challenge(session, ORIGIN, nonce)
            return 0

        _, seconds = _measure(one_token)
    recorder.record(
        Result("challenge → token, emulated CPS via pcscd+vpcd (median)", seconds * 1000, "ms")
    )
