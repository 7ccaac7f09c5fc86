"""PC/SC calls that another program can hold up, run with a deadline.

While another program holds a PC/SC transaction on a card, pcsc-lite makes every
SCardConnect, SCardBeginTransaction and SCardTransmit of other programs on that card
wait, with no timeout and no way to cancel (SCardCancel only ends SCardGetStatusChange).
A clinician's request must not hang behind a program that never lets go, so these calls
run on a helper thread and are given up after a deadline: the caller gets
:class:`~cardbridge.errors.CardBusyError`, and the late call, whenever it returns, is
undone by a clean-up function on the helper thread (end the transaction, disconnect,
release the context). Until then the reader counts as held up, and new connections to
it are refused at once instead of waiting again.

A blocked call holds only its own PC/SC context: other readers, the monitor and new
contexts keep working (checked against pcscd 1.9.9).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

from cardbridge.errors import CardBusyError

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long a card operation waits for another program's transaction to end.
BUSY_TIMEOUT = 5.0

HELD_MESSAGE = (
    "Another program is using the card and does not release it. Close that program "
    "(or finish what it asks, such as a PIN on the reader's keypad), then retry."
)


class HeldUpCalls:
    """Per reader, the calls given up that have not returned yet."""

    def __init__(self, timeout: float = BUSY_TIMEOUT) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._pending: Counter[str] = Counter()

    def held_up(self, reader: str) -> bool:
        """Whether a call given up on ``reader`` is still waiting for the card."""
        with self._lock:
            return self._pending[reader] > 0

    def check(self, reader: str) -> None:
        """Raise :class:`CardBusyError` at once if ``reader`` is held up."""
        if self.held_up(reader):
            raise CardBusyError(HELD_MESSAGE, reader=reader)

    def call(self, reader: str, call: Callable[[], T], undo: Callable[[T | None], None]) -> T:
        """``call()``'s result, or :class:`CardBusyError` after the timeout.

        ``undo`` runs on the helper thread when a given-up call ends: with its result, or
        with ``None`` if it failed. It must release whatever the call obtained, and the
        PC/SC context the call held.
        """
        done = threading.Event()
        outcome: list[T] = []
        failure: list[BaseException] = []
        abandoned = False
        lock = threading.Lock()

        def run() -> None:
            try:
                result = call()
            except BaseException as error:  # handed to the caller, or logged if given up
                with lock:
                    late = abandoned
                    failure.append(error)
                if late:
                    log.debug("a PC/SC call given up on %s failed later: %r", reader, error)
                    try:
                        undo(None)
                    finally:
                        self._returned(reader)
                done.set()
                return
            with lock:
                late = abandoned
                outcome.append(result)
            if late:
                try:
                    undo(result)
                finally:
                    self._returned(reader)
            done.set()

        threading.Thread(target=run, name="pcsc-held-call", daemon=True).start()
        if not done.wait(self.timeout):
            with lock:
                if not (outcome or failure):
                    abandoned = True
                    with self._lock:
                        self._pending[reader] += 1
            if abandoned:
                log.info("the card in %s is held by another program: request given up", reader)
                raise CardBusyError(HELD_MESSAGE, reader=reader)
            done.wait()
        if failure:
            raise failure[0]
        return outcome[0]

    def _returned(self, reader: str) -> None:
        with self._lock:
            self._pending[reader] -= 1
            if self._pending[reader] <= 0:
                del self._pending[reader]
        log.info("the PC/SC call given up on %s has ended", reader)
