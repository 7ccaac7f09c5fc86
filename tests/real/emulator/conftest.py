"""``cardbridge emulator`` run as users run it: a child process feeding a vpcd reader."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from cardbridge.errors import PcscError
from cardbridge.pcsc.backend import PcscBackend
from testkit.pcscd import VpcdSlot

START_TIMEOUT = 20.0


def card_present(reader: str) -> bool:
    """Whether pcscd reports a card in ``reader`` now (``False`` while pcscd is away)."""
    try:
        states = PcscBackend().list_readers()
    except PcscError:
        return False
    return any(state.name == reader and state.card_present for state in states)


class EmulatorProcess:
    """A running ``cardbridge emulator --vpcd ... PROFILE``."""

    def __init__(self, slot: VpcdSlot, profile: str) -> None:
        self.slot = slot
        address = f"127.0.0.1:{slot.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cardbridge", "emulator", "--vpcd", address, profile],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._inserted = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if "is in the vpcd reader" in line:
                self._inserted.set()

    def wait_inserted(self, timeout: float = START_TIMEOUT) -> None:
        """Until pcscd reports the card (it polls vpcd readers every ~400 ms)."""
        deadline = time.monotonic() + timeout
        if not self._inserted.wait(timeout):
            self.stop()
            pytest.fail(f"the emulator never inserted its card: {self.lines} {self.errors()}")
        while not card_present(self.slot.reader):
            if time.monotonic() > deadline:
                pytest.fail(f"pcscd never reported the card in {self.slot.reader}")
            time.sleep(0.1)

    def errors(self) -> str:
        return (
            self.process.stderr.read()
            if self.process.stderr and self.process.poll() is not None
            else ""
        )

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(10)
        self._reader.join(5)
        return code


@pytest.fixture
def run_emulator() -> Iterator[Callable[[VpcdSlot, str], EmulatorProcess]]:
    """Start emulators (``run_emulator(slot, profile)``); all are stopped at the end."""
    started: list[EmulatorProcess] = []

    def start(slot: VpcdSlot, profile: str) -> EmulatorProcess:
        emulator = EmulatorProcess(slot, profile)
        started.append(emulator)
        emulator.wait_inserted()
        return emulator

    yield start
    for emulator in started:
        emulator.stop()
