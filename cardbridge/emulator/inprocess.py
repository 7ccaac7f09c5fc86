"""In-process emulated readers: a :class:`~cardbridge.pcsc.reader_interface.ReaderBackend` of kind
``emulator`` whose readers hold software cards.

Cards are inserted and removed at run time (:meth:`EmulatedBackend.insert`,
:meth:`EmulatedBackend.remove`), which publishes ``card_inserted`` / ``card_removed``
as a PC/SC monitor would. A connection behaves like a PC/SC one: it belongs to the card
that was there at connect time (``card_removed`` once that card left, even if another
was inserted since), :meth:`EmulatedConnection.transaction` is exclusive per reader,
and closing it leaves the card as it is. :func:`demo_backend` gives the two readers
with the demo CPS and Vitale cards that ``cardbridge serve --emulator`` serves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cardbridge.emulator.card import VirtualCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.keys import KeySource, generate_key
from cardbridge.emulator.profiles import load_profile
from cardbridge.errors import (
    CardAbsentError,
    CardCommunicationError,
    CardRemovedError,
    PcscError,
    ReaderNotFoundError,
)
from cardbridge.pcsc.reader_interface import EventHub, EventKind, ReaderEvent, ReaderState

DEMO_CPS_READER = "cardbridge emulated reader 0 (CPS)"
DEMO_VITALE_READER = "cardbridge emulated reader 1 (Vitale)"


@dataclass
class _Slot:
    card: VirtualCard | None = None
    insertion: int = 0  # changes at each insertion and removal
    transaction: threading.RLock = field(default_factory=threading.RLock)

    def state(self, name: str) -> ReaderState:
        card = self.card
        return ReaderState(name, card is not None, card.atr if card is not None else None)


class EmulatedBackend:
    """Named readers holding software cards, in this process."""

    def __init__(self, readers: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._slots: dict[str, _Slot] = {name: _Slot() for name in readers}
        self._events = EventHub()
        self._started = False

    @property
    def kind(self) -> Literal["emulator"]:
        return "emulator"

    @property
    def events(self) -> EventHub:
        return self._events

    def start(self) -> None:
        """Publish the readers and cards present (idempotent)."""
        with self._lock:
            if self._started:
                return
            self._started = True
            states = [slot.state(name) for name, slot in self._slots.items()]
        for state in states:
            self._publish(EventKind.READER_ADDED, state)
            if state.card_present:
                self._publish(EventKind.CARD_INSERTED, state)

    def stop(self) -> None:
        with self._lock:
            self._started = False

    def _publish(self, kind: EventKind, state: ReaderState, *, gone: bool = False) -> None:
        event = ReaderEvent(kind, state.name, state.atr, timestamp=time.time())
        self._events.publish(event, None if gone else state)

    def _slot(self, reader: str) -> _Slot:
        try:
            return self._slots[reader]
        except KeyError:
            raise ReaderNotFoundError(f"No reader named {reader!r}.", reader=reader) from None

    def add_reader(self, reader: str) -> None:
        """Plug in an empty reader."""
        with self._lock:
            if reader in self._slots:
                return
            self._slots[reader] = _Slot()
            started = self._started
        if started:
            self._publish(EventKind.READER_ADDED, ReaderState(reader, False))

    def remove_reader(self, reader: str) -> None:
        """Unplug a reader (its card goes with it)."""
        self.remove(reader)
        with self._lock:
            self._slot(reader)
            del self._slots[reader]
            started = self._started
        if started:
            self._publish(EventKind.READER_REMOVED, ReaderState(reader, False), gone=True)

    def insert(self, reader: str, card: VirtualCard) -> None:
        """Insert ``card`` (powered on) in ``reader``, taking out any card already there."""
        self.remove(reader)
        card.power_on()
        with self._lock:
            slot = self._slot(reader)
            slot.card = card
            slot.insertion += 1
            state, started = slot.state(reader), self._started
        if started:
            self._publish(EventKind.CARD_INSERTED, state)

    def remove(self, reader: str) -> None:
        """Take the card out of ``reader`` (nothing happens if it is empty)."""
        with self._lock:
            slot = self._slot(reader)
            card, slot.card = slot.card, None
            if card is None:
                return
            slot.insertion += 1
            state, started = slot.state(reader), self._started
        card.power_off()
        if started:
            self._publish(EventKind.CARD_REMOVED, state)

    def card(self, reader: str) -> VirtualCard | None:
        """The card in ``reader`` now, if any."""
        with self._lock:
            return self._slot(reader).card

    def list_readers(self) -> list[ReaderState]:
        with self._lock:
            return sorted(
                (slot.state(name) for name, slot in self._slots.items()), key=lambda s: s.name
            )

    def connect(self, reader: str) -> EmulatedConnection:
        with self._lock:
            slot = self._slot(reader)
            if slot.card is None:
                raise CardAbsentError(reader=reader)
            return EmulatedConnection(self, reader, slot, slot.insertion, slot.card.atr)

    def _card_for(self, reader: str, slot: _Slot, insertion: int) -> VirtualCard:
        with self._lock:
            if slot.card is None or slot.insertion != insertion:
                raise CardRemovedError(reader=reader)
            return slot.card

    def _removed_during(self, reader: str, slot: _Slot, insertion: int) -> None:
        """The card vanished while answering: take it out if it is still the same one."""
        with self._lock:
            same = slot.card is not None and slot.insertion == insertion
        if same:
            self.remove(reader)


class EmulatedConnection:
    """A :class:`~cardbridge.pcsc.connection.Connection` to a card of an emulated reader."""

    def __init__(
        self, backend: EmulatedBackend, reader: str, slot: _Slot, insertion: int, atr: bytes
    ) -> None:
        self._backend = backend
        self._reader = reader
        self._slot = slot
        self._insertion = insertion
        self._atr = atr
        self._closed = False

    @property
    def reader(self) -> str:
        return self._reader

    @property
    def atr(self) -> bytes:
        return self._atr

    def _card(self) -> VirtualCard:
        if self._closed:
            raise PcscError("This card connection is closed.", reader=self._reader)
        return self._backend._card_for(self._reader, self._slot, self._insertion)

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        with self._slot.transaction:
            response = self._card().process(apdu)
            # Pulled out while answering: whatever it said, the reader lost it.
            self._card()
        if not response:
            self._backend._removed_during(self._reader, self._slot, self._insertion)
            raise CardRemovedError(reader=self._reader)
        if len(response) < 2:
            raise CardCommunicationError(reader=self._reader)
        return response[:-2], int.from_bytes(response[-2:], "big")

    def card_removed(self) -> bool:
        """Whether the card of this connection has left the reader (even if another
        was inserted since)."""
        try:
            self._backend._card_for(self._reader, self._slot, self._insertion)
        except CardRemovedError:
            return True
        return False

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Exclusive use of the reader; fails at once if the card has left."""
        with self._slot.transaction:
            self._card()
            yield

    def close(self) -> None:
        """Forget the connection; the card stays powered, its state untouched."""
        self._closed = True

    def __enter__(self) -> EmulatedConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def demo_backend(
    *, data_dir: Path | None = None, keys: KeySource = generate_key
) -> EmulatedBackend:
    """Two readers holding the packaged ``demo-cps`` and ``demo-vitale`` cards."""
    backend = EmulatedBackend([DEMO_CPS_READER, DEMO_VITALE_READER])
    backend.insert(
        DEMO_CPS_READER, build_card(load_profile("demo-cps"), data_dir=data_dir, keys=keys)
    )
    backend.insert(DEMO_VITALE_READER, build_card(load_profile("demo-vitale"), data_dir=data_dir))
    return backend
