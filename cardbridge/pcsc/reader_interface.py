"""Readers, reader events and the backend interface shared by PC/SC and the emulator.

A :class:`ReaderBackend` lists readers, connects to the card in one of them and runs
a monitor that publishes :class:`ReaderEvent` objects. The PC/SC backend
(:mod:`cardbridge.pcsc.backend`) and the in-process emulated readers
(:mod:`cardbridge.emulator.inprocess`) both implement it, so the API and the CLI
never care which one they use.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, Protocol

from cardbridge.pcsc.atr import CardFamily, identify_atr
from cardbridge.pcsc.connection import Connection

log = logging.getLogger(__name__)


class EventKind(StrEnum):
    READER_ADDED = "reader_added"
    READER_REMOVED = "reader_removed"
    CARD_INSERTED = "card_inserted"
    CARD_REMOVED = "card_removed"
    PCSC_UNAVAILABLE = "pcsc_unavailable"
    PCSC_AVAILABLE = "pcsc_available"


@dataclass(frozen=True, slots=True)
class ReaderState:
    """A reader and what is in it."""

    name: str
    card_present: bool
    atr: bytes | None = None
    # The card's family when the backend knows it without an ATR (a PKCS#11 token).
    family: CardFamily | None = None

    @property
    def card_type(self) -> CardFamily | None:
        """``cps``, ``vitale`` or ``unknown`` when a card is present, else ``None``."""
        if not self.card_present:
            return None
        if self.family is not None:
            return self.family
        if self.atr is None:
            return None
        return identify_atr(self.atr).family


@dataclass(frozen=True, slots=True)
class ReaderEvent:
    """A change seen by a monitor. ``reader`` is empty for the PC/SC service events."""

    kind: EventKind
    reader: str = ""
    atr: bytes | None = None
    timestamp: float = field(default=0.0, compare=False)
    family: CardFamily | None = None  # as in ReaderState

    @property
    def card_type(self) -> CardFamily | None:
        if self.kind is not EventKind.CARD_INSERTED:
            return None
        if self.family is not None:
            return self.family
        if self.atr is None:
            return None
        return identify_atr(self.atr).family


Subscriber = Callable[[ReaderEvent], None]


class EventHub:
    """Thread-safe fan-out of reader events to subscribers, with the current snapshot.

    Subscribers are called on the monitor's thread and must not block (the API
    hands events over to its event loop). A failing subscriber is logged and kept.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []
        self._readers: dict[str, ReaderState] = {}
        self.available = True

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Register ``subscriber``; return the function that unsubscribes it."""
        with self._lock:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def snapshot(self) -> list[ReaderState]:
        """Readers as last seen, in name order."""
        with self._lock:
            return sorted(self._readers.values(), key=lambda r: r.name)

    def publish(self, event: ReaderEvent, state: ReaderState | None = None) -> None:
        """Record the new state of ``event.reader`` (``None`` removes it) and notify."""
        with self._lock:
            if event.kind is EventKind.PCSC_UNAVAILABLE:
                self.available = False
                self._readers.clear()
            elif event.kind is EventKind.PCSC_AVAILABLE:
                self.available = True
            elif state is None:
                self._readers.pop(event.reader, None)
            else:
                self._readers[event.reader] = state
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(event)
            except Exception:
                log.exception("reader event subscriber failed")


class ReaderBackend(Protocol):
    """Where readers come from: PC/SC, the in-process emulator, or the slots of a PKCS#11
    module (:mod:`cardbridge.cards.pkcs11_backend`)."""

    @property
    def kind(self) -> Literal["pcsc", "emulator", "pkcs11"]: ...

    @property
    def events(self) -> EventHub:
        """Events and the current snapshot, fed once :meth:`start` ran."""
        ...

    def start(self) -> None:
        """Start following readers and cards (idempotent)."""
        ...

    def stop(self) -> None:
        """Stop following; releases threads and PC/SC contexts."""
        ...

    def list_readers(self) -> list[ReaderState]:
        """Ask the readers now (not the monitor's snapshot)."""
        ...

    def connect(self, reader: str) -> Connection:
        """Connect to the card in ``reader`` (shared mode, card left as found on close)."""
        ...
