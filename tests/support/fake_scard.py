"""A stand-in for the parts of :mod:`smartcard.scard` that the reader monitor uses.

It keeps readers and cards that the test changes, and answers SCardGetStatusChange
the way pcsc-lite does: it blocks until the state it was given differs from the real
one, puts the per-reader event counter in the high word, flags the PnP pseudo-reader
when the reader list changes, and loses a SCardCancel sent while nobody waits.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from cardbridge.pcsc.scard_codes import PNP_NOTIFICATION, ScardCode, StateFlag

PADDED_ATR_SIZE = 33  # pcscd's ATR buffer, which a card being powered up may fill


@dataclass
class _Reader:
    counter: int = 0
    atr: bytes = b""
    powering: int = 0  # answers that still show the ATR padded, as during power-up


class FakeScard:
    SCARD_SCOPE_USER = 0
    INFINITE = 0x7FFFFFFF

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._readers: dict[str, _Reader] = {}
        self._list_version = 0
        self._service_up = True
        self._service_generation = 0
        self._contexts: dict[int, int] = {}  # context -> service generation it belongs to
        self._waiting: set[int] = set()
        self._cancelled: set[int] = set()
        self._next_context = 1
        self.establish_attempts = 0
        self.timeouts: list[int] = []  # of every SCardGetStatusChange, in order

    # --- what the test does -----------------------------------------------------------

    def add_reader(self, name: str) -> None:
        with self._condition:
            self._readers[name] = _Reader()
            self._list_version += 1
            self._condition.notify_all()

    def remove_reader(self, name: str) -> None:
        with self._condition:
            del self._readers[name]
            self._list_version += 1
            self._condition.notify_all()

    def insert(self, name: str, atr: bytes) -> None:
        self._move(name, atr, 1)

    def remove_card(self, name: str) -> None:
        self._move(name, b"", 1)

    def insert_powering_up(self, name: str, atr: bytes, answers: int) -> None:
        """Insert a card whose ATR the next ``answers`` replies show padded to 33 bytes."""
        with self._condition:
            self._readers[name].powering = answers
        self._move(name, atr, 1)

    def swap(self, name: str, atr: bytes) -> None:
        """Remove the card and insert another before anyone looks: the counter moves by 2."""
        self._move(name, atr, 2)

    def stop_service(self) -> None:
        with self._condition:
            self._service_up = False
            self._service_generation += 1
            self._condition.notify_all()

    def start_service(self) -> None:
        with self._condition:
            self._service_up = True
            self._condition.notify_all()

    @property
    def open_contexts(self) -> int:
        with self._condition:
            return len(self._contexts)

    def _move(self, name: str, atr: bytes, steps: int) -> None:
        with self._condition:
            reader = self._readers[name]
            reader.counter += steps
            reader.atr = atr
            self._condition.notify_all()

    # --- the scard API ------------------------------------------------------------------

    def SCardEstablishContext(self, scope: int) -> tuple[int, int]:
        with self._condition:
            self.establish_attempts += 1
            if not self._service_up:
                return ScardCode.E_NO_SERVICE, 0
            context = self._next_context
            self._next_context += 1
            self._contexts[context] = self._service_generation
            return ScardCode.S_SUCCESS, context

    def SCardReleaseContext(self, context: int) -> int:
        with self._condition:
            self._contexts.pop(context, None)
            return ScardCode.S_SUCCESS

    def SCardCancel(self, context: int) -> int:
        with self._condition:
            if context in self._waiting:
                self._cancelled.add(context)
                self._condition.notify_all()
            return ScardCode.S_SUCCESS

    def SCardListReaders(self, context: int, groups: list[str]) -> tuple[int, list[str]]:
        with self._condition:
            if not self._alive(context):
                return ScardCode.E_NO_SERVICE, []
            if not self._readers:
                return ScardCode.E_NO_READERS_AVAILABLE, []
            return ScardCode.S_SUCCESS, list(self._readers)

    def SCardGetStatusChange(
        self, context: int, timeout: int, states: list[tuple[str, int]]
    ) -> tuple[int, list[tuple[str, int, list[int]]]]:
        with self._condition:
            self.timeouts.append(timeout)
            if any(n != PNP_NOTIFICATION and n not in self._readers for n, _ in states):
                return ScardCode.E_UNKNOWN_READER, []
            start_version = self._list_version
            while True:
                if not self._alive(context):
                    return ScardCode.E_NO_SERVICE, []
                if context in self._cancelled:
                    self._cancelled.discard(context)
                    return ScardCode.E_CANCELLED, []
                answer = [self._answer(n, s, start_version) for n, s in states]
                if any(event & StateFlag.CHANGED for _, event, _ in answer):
                    self._powered(states)
                    return ScardCode.S_SUCCESS, answer
                if timeout == 0:
                    self._powered(states)
                    return ScardCode.E_TIMEOUT, answer
                self._waiting.add(context)
                self._condition.wait()
                self._waiting.discard(context)

    def _powered(self, states: list[tuple[str, int]]) -> None:
        for name, _ in states:
            reader = self._readers.get(name)
            if reader is not None and reader.powering:
                reader.powering -= 1

    def _alive(self, context: int) -> bool:
        return self._service_up and self._contexts.get(context) == self._service_generation

    def _answer(self, name: str, current: int, start_version: int) -> tuple[str, int, list[int]]:
        if name == PNP_NOTIFICATION:
            event = self._list_version << 16
            if self._list_version != start_version:
                event |= StateFlag.CHANGED
            return name, event, []
        reader = self._readers.get(name)
        if reader is None:
            return name, StateFlag.UNKNOWN | StateFlag.UNAVAILABLE | StateFlag.CHANGED, []
        presence = StateFlag.PRESENT if reader.atr else StateFlag.EMPTY
        event = reader.counter << 16 | presence
        if (
            current == StateFlag.UNAWARE
            or current & 0xFFFF != presence
            or (current >> 16 and current >> 16 != reader.counter)
        ):
            event |= StateFlag.CHANGED
        atr = reader.atr
        if reader.powering and atr:
            atr = atr + bytes(PADDED_ATR_SIZE - len(atr))
        return name, event, list(atr)
