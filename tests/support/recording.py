"""Recording what reaches emulated cards, to check that conversations never interleave.

:class:`RecordingBackend` is an in-process backend whose connections mark the start and
end of each transaction in the log of the reader's :class:`RecordingCard`, which logs
every APDU with the transaction of the thread that sent it.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cardbridge.emulator.card import VirtualCard
from cardbridge.emulator.inprocess import EmulatedBackend, EmulatedConnection

_transaction_ids = itertools.count(1)
_current = threading.local()


@dataclass(frozen=True)
class Entry:
    kind: str  # "begin", "apdu", "end"
    transaction: int | None
    apdu: bytes = b""


class RecordingCard:
    """A card that logs every APDU it answers."""

    def __init__(self, card: VirtualCard) -> None:
        self.card = card
        self.log: list[Entry] = []
        self._lock = threading.Lock()

    @property
    def atr(self) -> bytes:
        return self.card.atr

    def power_on(self) -> None:
        self.card.power_on()

    def power_off(self) -> None:
        self.card.power_off()

    def reset(self) -> None:
        self.card.reset()

    def note(self, entry: Entry) -> None:
        with self._lock:
            self.log.append(entry)

    def process(self, apdu: bytes) -> bytes:
        self.note(Entry("apdu", getattr(_current, "transaction", None), apdu))
        return self.card.process(apdu)

    @property
    def apdus(self) -> int:
        with self._lock:
            return sum(1 for entry in self.log if entry.kind == "apdu")


class RecordingConnection:
    """An emulated connection whose transactions are marked in the card's log."""

    def __init__(self, connection: EmulatedConnection, card: RecordingCard | None) -> None:
        self._connection = connection
        self._card = card

    @property
    def reader(self) -> str:
        return self._connection.reader

    @property
    def atr(self) -> bytes:
        return self._connection.atr

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        return self._connection.transmit(apdu)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._connection.transaction():
            outer = getattr(_current, "transaction", None)
            if outer is not None:  # re-entered: part of the same transaction
                yield
                return
            number = next(_transaction_ids)
            _current.transaction = number
            if self._card is not None:
                self._card.note(Entry("begin", number))
            try:
                yield
            finally:
                if self._card is not None:
                    self._card.note(Entry("end", number))
                _current.transaction = None

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> RecordingConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class RecordingBackend(EmulatedBackend):
    """In-process readers whose connections mark their transactions."""

    def __init__(self, readers: Iterable[str] = ()) -> None:
        super().__init__(readers)

    def connect(self, reader: str) -> RecordingConnection:  # type: ignore[override]
        card = self.card(reader)
        return RecordingConnection(
            super().connect(reader), card if isinstance(card, RecordingCard) else None
        )


def interleavings(log: list[Entry]) -> list[str]:
    """What is wrong in a card's log: APDUs outside any transaction, or a transaction
    whose entries are not contiguous."""
    problems: list[str] = []
    open_transaction: int | None = None
    for position, entry in enumerate(log):
        if entry.kind == "begin":
            if open_transaction is not None:
                problems.append(
                    f"{position}: transaction {entry.transaction} began inside {open_transaction}"
                )
            open_transaction = entry.transaction
        elif entry.kind == "end":
            if entry.transaction != open_transaction:
                problems.append(f"{position}: transaction {entry.transaction} ended out of order")
            open_transaction = None
        elif entry.transaction is None or entry.transaction != open_transaction:
            problems.append(
                f"{position}: APDU {entry.apdu[:4].hex()} of transaction {entry.transaction} "
                f"while {open_transaction} was open"
            )
    return problems
