"""Fault injection for tests: a card that is pulled out, slow, refusing or garbled on cue.

:class:`FaultyCard` wraps any :class:`~cardbridge.emulator.card.VirtualCard` and
follows a :class:`FaultPlan`. APDUs are counted from 1 over the life of the wrapper.
Once the card is "removed" it answers every APDU with an empty response, and calls
``on_removed`` once:

- in process, nothing to wire: the connection turns the empty response into
  ``card_removed`` and takes the card out of its reader;
- through vpcd, pass the bridge's ``stop`` as ``on_removed``: closing the connection
  ejects the card from pcscd's reader (the bridge itself never sends empty replies).
  A truncation to zero bytes reads as a removal too.

A held answer (``hold_after``) lets a test act at a known moment of an exchange: the
APDU has run on the card and the host is waiting for its answer (:attr:`FaultyCard.holding`
is set) until the test calls :meth:`FaultyCard.release`, for instance after pulling the
card out of its in-process reader. No fixed sleep guesses when the host is talking.

A reset (another program resetting the card, or the reader after a glitch) erases the
card's volatile state (verified PIN, current file) and the host is told instead of the
answer: :meth:`FaultyCard.process` raises :class:`~cardbridge.errors.CardResetError`, as
:class:`~cardbridge.pcsc.backend.PcscConnection` does when PC/SC reports
``SCARD_W_RESET_CARD``, and the card goes on answering afterwards. This is for in-process
connections, which pass the error on; through vpcd a card cannot announce a reset, so
tests there reset it from another PC/SC connection (``SCARD_RESET_CARD``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NoReturn

from cardbridge.emulator.card import VirtualCard
from cardbridge.errors import CardResetError

# How long a held answer waits for release() at most: a test that forgets to release
# fails on its own assertions instead of hanging.
HOLD_LIMIT = 30.0


@dataclass(frozen=True)
class FaultPlan:
    """What goes wrong, and at which APDU (numbered from 1).

    - ``remove_before``: that APDU never reaches the card; the card is gone.
    - ``remove_after``: that APDU runs on the card (a VERIFY counts), then the card is
      pulled out before its response gets back.
    - ``reset_before`` / ``reset_after``: the card is reset before that APDU (which never
      runs) or after it ran (its answer is lost); the host gets ``CardResetError``.
    - ``hold_after``: that APDU runs on the card, then its answer waits for
      :meth:`FaultyCard.release` (at most :data:`HOLD_LIMIT` seconds).
    - ``delay``: seconds the card takes before each answer.
    - ``status_at`` / ``status_for_ins``: APDU number, or INS byte, answered with that
      status word instead of running the command.
    - ``truncate_at``: APDU number → how many bytes of its response (SW included) arrive.
    """

    remove_before: int | None = None
    remove_after: int | None = None
    reset_before: int | None = None
    reset_after: int | None = None
    hold_after: int | None = None
    delay: float = 0.0
    status_at: Mapping[int, int] = field(default_factory=dict)
    status_for_ins: Mapping[int, int] = field(default_factory=dict)
    truncate_at: Mapping[int, int] = field(default_factory=dict)


class FaultyCard:
    """A :class:`VirtualCard` that misbehaves as its :class:`FaultPlan` says."""

    def __init__(
        self,
        card: VirtualCard,
        plan: FaultPlan,
        *,
        on_removed: Callable[[], None] | None = None,
    ) -> None:
        self.card = card
        self.plan = plan
        self.on_removed = on_removed
        self._count = 0
        self._removed = False
        self._lock = threading.Lock()
        self.holding = threading.Event()
        """Set once the ``hold_after`` APDU has run and its answer waits for :meth:`release`."""
        self._released = threading.Event()

    @property
    def atr(self) -> bytes:
        return self.card.atr

    @property
    def removed(self) -> bool:
        return self._removed

    @property
    def apdu_count(self) -> int:
        """APDUs received so far, including those that a fault swallowed."""
        return self._count

    def release(self) -> None:
        """Let the held answer (``hold_after``) go back to the host."""
        self._released.set()

    def power_on(self) -> None:
        if not self._removed:
            self.card.power_on()

    def power_off(self) -> None:
        if not self._removed:
            self.card.power_off()

    def reset(self) -> None:
        if not self._removed:
            self.card.reset()

    def _remove(self) -> bytes:
        self._removed = True
        self.card.power_off()
        if self.on_removed is not None:
            self.on_removed()
        return b""

    def _reset(self) -> NoReturn:
        self.card.reset()
        raise CardResetError

    def process(self, apdu: bytes) -> bytes:
        """The card's answer, or what the plan makes of it (``b""`` once removed).

        Raises :class:`CardResetError` where the plan resets the card.
        """
        with self._lock:
            self._count += 1
            number = self._count
            if self._removed:
                return b""
        plan = self.plan
        if plan.delay:
            time.sleep(plan.delay)
        if plan.remove_before == number:
            return self._remove()
        if plan.reset_before == number:
            self._reset()
        forced = plan.status_at.get(number)
        if forced is None and len(apdu) > 1:
            forced = plan.status_for_ins.get(apdu[1])
        response = forced.to_bytes(2, "big") if forced is not None else self.card.process(apdu)
        if plan.hold_after == number:
            self.holding.set()
            self._released.wait(HOLD_LIMIT)
        if plan.remove_after == number:
            return self._remove()
        if plan.reset_after == number:
            self._reset()
        if number in plan.truncate_at:
            return response[: plan.truncate_at[number]]
        return response
