"""One soak: the API served by uvicorn on a loopback port, in this process, over the two
emulated demo readers; client threads, a card mover and an event follower for a fixed
time; then the checks.

Warm-up: the first part of the run, until every route answered 2xx at least once
(caches filled, lazy imports done, thread pools grown to the load's concurrency). The
memory, thread and file descriptor figures of the end are compared with those of the
warm-up.
"""

from __future__ import annotations

import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.framework import Result, Target
from cardbridge.emulator.inprocess import (
    DEMO_CPS_READER,
    DEMO_VITALE_READER,
    EmulatedBackend,
    demo_backend,
)
from cardbridge.emulator.keys import KeyPool
from cardbridge.sandbox.app import build_sandbox, build_server
from soak.cards import CardMover, EventFollower
from soak.load import Caller, Pacing, SoakOverError, Tally, route_specs, seeded
from soak.plan import EXPECTED_ERRORS, SCENARIOS, Scenario
from soak.resources import Sample, Sampler, thread_kinds
from testkit.server import LiveServer, serve_backend

# The checks' limits.
MEMORY_GROWTH_MB = Target("<=", 10.0)
# Thread pools (uvicorn's, asyncio's, one worker per reader) grow with the concurrency
# of the load, which is fixed: a leak shows as a steady climb, far beyond these.
THREAD_GROWTH = Target("<=", 2)
FD_GROWTH = Target("<=", 4)
NONE_ALLOWED = Target("<=", 0)
MAX_PIN_TRIES = 3  # the demo CPS's

# The test server's clients wait this long for an answer.
REQUEST_TIMEOUT = 10.0
EVENTS_SETTLE = 5.0  # for the last card events to reach the follower


@dataclass(frozen=True)
class SoakConfig:
    """How long, how hard, how often it reports."""

    seconds: float = 600.0
    clients_per_scenario: int = 1
    pause: tuple[float, float] = (0.01, 0.1)  # before each call of a client
    seed: int = 9
    sample_every: float = 1.0
    warmup: float | None = None  # default: a tenth of the run, 3 to 60 s
    progress_every: float | None = None  # default: a tenth of the run, 2 to 30 s
    data_dir: Path | None = None  # default: a temporary one (journal, test PKI)

    @property
    def warmup_seconds(self) -> float:
        return self.warmup if self.warmup is not None else min(60.0, max(3.0, self.seconds / 10))

    @property
    def progress_seconds(self) -> float:
        if self.progress_every is not None:
            return self.progress_every
        return min(30.0, max(2.0, self.seconds / 10))


@dataclass
class SoakReport:
    """What the run measured: the checks, and the tallies they come from."""

    config: SoakConfig
    results: list[Result]
    tally: Tally
    samples: list[Sample]
    warmup_end: float
    moves: dict[str, int]
    events: dict[str, int]
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(result.passed is not False for result in self.results)


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_soak(config: SoakConfig) -> SoakReport:
    """Run one soak; print progress lines on stderr."""
    with _data_dir(config.data_dir) as data_dir:
        backend = demo_backend(data_dir=data_dir, keys=KeyPool(2))
        with _offline_dmp(data_dir) as settings, serve_backend(backend, **settings) as live:
            return _Soak(config, backend, live).run()


@contextmanager
def _offline_dmp(data_dir: Path) -> Iterator[dict[str, Any]]:
    """The offline DMP that the accesses and deposits reach, trusting the cards' test PKI
    (of ``data_dir``), served until the block ends; the bridge's settings to reach it."""
    sandbox = build_sandbox(data_dir / "dmp-sandbox", None, pki_dir=data_dir)
    server = build_server(sandbox, "127.0.0.1", 0)
    thread = server.start_in_thread()
    roots = data_dir / "dmp-roots.pem"
    roots.write_bytes(sandbox.pki.trust_anchors_pem())
    try:
        yield {
            "data_dir": data_dir,
            "dmp_endpoint": f"https://127.0.0.1:{server.port}",
            "dmp_server_roots": [roots],
        }
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        sandbox.store.close()


@contextmanager
def _data_dir(given: Path | None) -> Iterator[Path]:
    if given is not None:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="cardbridge-soak-") as directory:
        yield Path(directory)


class _Soak:
    def __init__(self, config: SoakConfig, backend: EmulatedBackend, live: LiveServer) -> None:
        self.config = config
        self.live = live
        self.specs = route_specs(live.app)
        missing = set(EXPECTED_ERRORS) - set(self.specs)
        if missing:
            raise RuntimeError(f"routes of the plan unknown to the app: {sorted(missing)}")
        self.tally = Tally(EXPECTED_ERRORS)
        self.stop = threading.Event()
        self.sampler = Sampler(config.sample_every)
        self.warmup_sample: Sample | None = None
        self.crashes: list[str] = []
        self.crash_lock = threading.Lock()
        self.mover = CardMover(backend, [DEMO_CPS_READER, DEMO_VITALE_READER], seeded(config.seed))
        self.follower = EventFollower(live.url, live.token)
        self.clients = [
            threading.Thread(
                target=self._client,
                args=(scenario, seeded(config.seed * 1000 + index)),
                name=f"soak-client-{name}",
                daemon=True,
            )
            for index, (name, scenario) in enumerate(
                (name, scenario)
                for name, scenario in SCENARIOS.items()
                for _ in range(config.clients_per_scenario)
            )
        ]

    def _client(self, scenario: Scenario, rng: random.Random) -> None:
        pacing = Pacing(rng, self.stop, self.config.pause)
        with self.live.client() as http:
            caller = Caller(http, self.specs, self.tally, pacing)
            try:
                while True:
                    scenario(caller)
            except SoakOverError:
                return
            except Exception as error:  # a failed check, reported with the others
                with self.crash_lock:
                    self.crashes.append(f"{threading.current_thread().name}: {error!r}")
                log(f"client thread crashed: {error!r}")

    def run(self) -> SoakReport:
        config = self.config
        log(
            f"soak: {config.seconds:.0f} s of mixed load on {self.live.url}, "
            f"{len(self.clients)} clients, cards moving in 2 emulated readers"
        )
        self.follower.start()
        if not self.follower.following.wait(REQUEST_TIMEOUT):
            raise RuntimeError(f"the event stream did not start: {self.follower.error}")
        self.sampler.start()
        start = time.monotonic()
        for thread in self.clients:
            thread.start()
        self.mover.start()
        try:
            warmup_end = self._wait_warmup(start)
            self._progress_until(start, start + config.seconds)
        finally:
            end_sample = self.sampler.take()
            kinds_end = thread_kinds()
            self.stop.set()
            for thread in self.clients:
                thread.join(REQUEST_TIMEOUT * 2)
            self.mover.stop()
            self.sampler.stop()
        settled = self._events_settled()
        results = self._results(warmup_end, end_sample, settled)
        report = SoakReport(
            config,
            results,
            self.tally,
            list(self.sampler.samples),
            warmup_end,
            dict(self.mover.counts()),
            dict(self.follower.counts()),
        )
        if any(r.name.startswith("threads") and r.passed is False for r in results):
            report.notes.append(f"threads at the end, by kind: {dict(kinds_end)}")
        return report

    def _wait_warmup(self, start: float) -> float:
        """Until the warm-up time passed and every route answered 2xx (at most half the
        run); return the warm-up's end, in seconds into the run."""
        config = self.config
        limit = start + max(config.warmup_seconds, config.seconds / 2)
        while time.monotonic() < limit:
            elapsed = time.monotonic() - start
            if elapsed >= config.warmup_seconds and not self.tally.never_ok():
                break
            time.sleep(0.1)
        warmup_end = time.monotonic() - start
        self.warmup_sample = self.sampler.take()
        log(f"warm-up done at {warmup_end:.0f} s: {self._progress_line(warmup_end)}")
        return warmup_end

    def _progress_until(self, start: float, end: float) -> None:
        next_line = time.monotonic() + self.config.progress_seconds
        while (now := time.monotonic()) < end:
            time.sleep(min(end, next_line) - now)
            if time.monotonic() >= next_line:
                log(self._progress_line(time.monotonic() - start))
                next_line += self.config.progress_seconds

    def _progress_line(self, elapsed: float) -> str:
        calls, _, expected, unexpected = self.tally.totals()
        latest = self.sampler.take()
        moves = self.mover.counts()
        return (
            f"[{elapsed:5.0f}/{self.config.seconds:.0f} s] {calls} requests "
            f"({calls / max(elapsed, 1e-9):.0f}/s), {expected} expected errors, "
            f"{unexpected} unexpected; {moves.total()} card moves, "
            f"{self.follower.counts().total()} card events; rss {latest.rss_mb:.1f} MB, "
            f"{latest.threads} threads, {latest.fds} fds"
        )

    def _events_settled(self) -> int:
        """Mismatches between the moves and the stream, once the last events came."""
        deadline = time.monotonic() + EVENTS_SETTLE
        while (wrong := self.follower.mismatches(self.mover.moves)) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.05)
        return wrong

    def _final_state(self) -> tuple[int, int]:
        """The PIN tries left, and the journal's problems, once the cards are back."""
        with self.live.client() as http:
            tries = http.get("/v1/cps/pin").json().get("tries_left", -1)
            check = http.get("/v1/dmp/journal/verify").json()
        problems = len(check.get("problems", [])) + (0 if check.get("ok") else 1)
        return int(tries), problems

    def _results(self, warmup_end: float, end: Sample, event_mismatches: int) -> list[Result]:
        seconds = self.config.seconds
        warmup = self.sampler.between(0.0, warmup_end + 0.5)
        baseline = self.warmup_sample or warmup[-1]
        threads_before = max(s.threads for s in warmup)
        fds_before = max(s.fds for s in warmup)
        calls, ok, expected, unexpected = self.tally.totals()
        outside = sum(r.outside_schema.total() for r in self.tally.routes.values())
        peak = max(s.rss_mb for s in self.sampler.samples)
        tries, journal_problems = self._final_state()
        moves, events = self.mover.counts(), self.follower.counts()
        never_ok = self.tally.never_ok()
        return [
            Result("requests", calls, "requests", note=f"{calls / seconds:.0f}/s, {ok} ok"),
            Result("expected errors (cards moving)", expected, "answers"),
            Result("unexpected answers", unexpected, "answers", NONE_ALLOWED),
            Result(
                "client threads crashed",
                len(self.crashes),
                "threads",
                NONE_ALLOWED,
                note="; ".join(self.crashes)[:300],
            ),
            Result("statuses not in the OpenAPI document", outside, "answers", NONE_ALLOWED),
            Result(
                "routes that never answered 2xx",
                len(never_ok),
                "routes",
                NONE_ALLOWED,
                note=", ".join(never_ok),
            ),
            Result(
                "resident memory growth after warm-up",
                end.rss_mb - baseline.rss_mb,
                "MB",
                MEMORY_GROWTH_MB,
                note=f"{baseline.rss_mb:.1f} → {end.rss_mb:.1f} MB, peak {peak:.1f} MB",
            ),
            Result(
                "threads, end − warm-up",
                end.threads - threads_before,
                "threads",
                THREAD_GROWTH,
                note=f"{threads_before} → {end.threads}",
            ),
            Result(
                "file descriptors, end − warm-up",
                end.fds - fds_before,
                "fds",
                FD_GROWTH,
                note=f"{fds_before} → {end.fds}",
            ),
            Result(
                "card events missing, extra or out of order",
                event_mismatches + (1 if self.follower.error else 0),
                "events",
                NONE_ALLOWED,
                note=f"{moves['card_removed']} removals, {moves['card_inserted']} insertions; "
                f"stream: {events['card_removed']}, {events['card_inserted']}"
                + (f"; {self.follower.error}" if self.follower.error else ""),
            ),
            Result(
                "CPS PIN tries left at the end",
                tries,
                "tries",
                Target(">=", MAX_PIN_TRIES),
                note="only the right PIN was sent",
            ),
            Result("DMP journal problems at the end", journal_problems, "problems", NONE_ALLOWED),
        ]
