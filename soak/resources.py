"""What the soak watches in its own process: resident memory, threads, file descriptors.

The server runs in this process (uvicorn in a thread), so one sample covers it and its
clients; the clients are a fixed set of threads with one keep-alive connection each,
so anything that grows is the server's.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_STATUS = Path("/proc/self/status")
_FDS = Path("/proc/self/fd")


@dataclass(frozen=True, slots=True)
class Sample:
    """The process at ``elapsed`` seconds into the soak."""

    elapsed: float
    rss_mb: float
    threads: int
    fds: int


def sample(elapsed: float) -> Sample:
    """The process now (Linux ``/proc``)."""
    rss_kb = 0
    threads = 0
    for line in _STATUS.read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kb = int(line.split()[1])
        elif line.startswith("Threads:"):
            threads = int(line.split()[1])
    return Sample(elapsed, rss_kb / 1024, threads, len(os.listdir(_FDS)))


def thread_kinds() -> Counter[str]:
    """The Python threads alive, by name without their number (``card-worker``,
    ``AnyIO worker thread``…): what to look at when their count grows."""
    return Counter(thread.name.rstrip("0123456789_-").strip() for thread in threading.enumerate())


class Sampler:
    """Samples the process every ``period`` seconds on its own thread."""

    def __init__(self, period: float) -> None:
        self.period = period
        self.samples: list[Sample] = []
        self._start = time.monotonic()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="soak-sampler", daemon=True)

    def start(self) -> None:
        self._start = time.monotonic()
        self.take()
        self._thread.start()

    def take(self) -> Sample:
        """A sample now, kept with the others."""
        taken = sample(time.monotonic() - self._start)
        with self._lock:
            self.samples.append(taken)
        return taken

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            self.take()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def between(self, start: float, end: float) -> list[Sample]:
        """The samples taken from ``start`` to ``end`` seconds into the soak."""
        with self._lock:
            return [s for s in self.samples if start <= s.elapsed <= end]
