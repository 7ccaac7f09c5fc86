"""Access to the pcscd that ``scripts/pcscd-harness`` started or found, for the real tier.

There is one pcscd per machine, and several test runs may share it (developers,
concurrent sessions). So:
- each test that uses pcscd holds a shared lock; a test that restarts pcscd holds it
  exclusively (and only when the harness started that pcscd: ``owned``);
- each vpcd reader slot is taken with its own lock, so that two runs never insert
  cards in the same virtual reader.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "scripts" / "pcscd-harness"
STATE_DIR = Path(os.environ.get("CARDBRIDGE_PCSCD_STATE_DIR", "/tmp/cardbridge-pcscd"))
STATE_FILE = STATE_DIR / "state.json"
GLOBAL_LOCK = STATE_DIR / "pcscd.lock"


class PcscdNotReadyError(RuntimeError):
    """No pcscd prepared by the harness."""


@dataclass(frozen=True)
class VpcdSlot:
    """A virtual reader of pcscd and the TCP port where its card connects."""

    reader: str
    port: int

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)


@dataclass(frozen=True)
class PcscdState:
    pid: int
    owned: bool
    slots: tuple[VpcdSlot, ...]
    log: str | None


def state() -> PcscdState:
    """What the harness recorded; raise :class:`PcscdNotReadyError` with the fix."""
    try:
        raw = json.loads(STATE_FILE.read_text())
    except (OSError, ValueError):
        raise PcscdNotReadyError(
            "no pcscd prepared for the tests: run `make test`, or `scripts/pcscd-harness up` "
            "before running pytest directly"
        ) from None
    return PcscdState(
        pid=int(raw["pid"]),
        owned=bool(raw["owned"]),
        slots=tuple(VpcdSlot(s["reader"], int(s["port"])) for s in raw["slots"]),
        log=raw.get("log"),
    )


def _lock_file(path: Path) -> int:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)


@contextmanager
def pcscd_lock(*, exclusive: bool) -> Iterator[None]:
    """Shared: this test uses pcscd. Exclusive: this test may stop and restart it."""
    fd = _lock_file(GLOBAL_LOCK)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


@contextmanager
def vpcd_slots(count: int, *, timeout: float = 300.0) -> Iterator[list[VpcdSlot]]:
    """Take ``count`` free virtual readers for the duration of the block."""
    slots = state().slots
    if count > len(slots):
        raise PcscdNotReadyError(f"{count} vpcd readers needed, pcscd offers {len(slots)}")
    deadline = time.monotonic() + timeout
    held: list[tuple[int, VpcdSlot]] = []
    try:
        while len(held) < count:
            for slot in slots:
                if len(held) == count or any(s == slot for _, s in held):
                    continue
                fd = _lock_file(STATE_DIR / f"slot-{slot.port}.lock")
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                held.append((fd, slot))
            if len(held) < count:
                if time.monotonic() > deadline:
                    raise TimeoutError("no free vpcd reader: other test runs hold them all")
                time.sleep(0.2)
        yield [slot for _, slot in held]
    finally:
        for fd, _ in held:
            os.close(fd)


def restart_pcscd() -> None:
    """Restart the harness's pcscd (hold :func:`pcscd_lock` exclusively first)."""
    subprocess.run([str(HARNESS), "restart"], check=True)


def stop_pcscd() -> None:
    """Stop the harness's pcscd without forgetting its state (for outage tests)."""
    subprocess.run([str(HARNESS), "stop"], check=True)


def kill_pcscd() -> None:
    """SIGKILL the harness's pcscd (no clean exit), keeping its state for :func:`start_pcscd`."""
    subprocess.run([str(HARNESS), "kill"], check=True)


def start_pcscd() -> None:
    """Start the harness's pcscd again after :func:`stop_pcscd`."""
    subprocess.run([str(HARNESS), "start"], check=True)
