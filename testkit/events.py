"""Collecting reader events in tests, and waiting for the ones expected."""

from __future__ import annotations

import threading
from collections.abc import Callable

from cardbridge.pcsc.reader_interface import EventHub, EventKind, ReaderEvent

SERVICE_EVENTS = frozenset({EventKind.PCSC_AVAILABLE, EventKind.PCSC_UNAVAILABLE})
# pcscd looks for cards every ~400 ms; an event later than this is a failure, not slowness.
EVENT_TIMEOUT = 5.0


class EventLog:
    """Every event published in ``hub`` from now on, for the readers of interest.

    Other test runs use other readers of the same pcscd at the same time, so tests
    look only at their own readers (and at the service events, which have no reader).
    """

    def __init__(self, hub: EventHub, readers: set[str] | None = None) -> None:
        self._hub = hub
        self._readers = readers
        self._events: list[ReaderEvent] = []
        self._condition = threading.Condition()
        self.unsubscribe = hub.subscribe(self._record)

    def _record(self, event: ReaderEvent) -> None:
        mine = self._readers is None or event.reader in self._readers
        if not mine and event.kind not in SERVICE_EVENTS:
            return
        with self._condition:
            self._events.append(event)
            self._condition.notify_all()

    @property
    def events(self) -> list[ReaderEvent]:
        with self._condition:
            return list(self._events)

    def kinds(self, reader: str | None = None) -> list[tuple[EventKind, str]]:
        """``(kind, reader)`` pairs, for one reader (plus service events) if given."""
        return [
            (e.kind, e.reader) for e in self.events if reader is None or e.reader in (reader, "")
        ]

    def wait_for(self, predicate: Callable[[list[ReaderEvent]], bool], timeout: float) -> bool:
        """Wait until ``predicate(events)`` holds; ``False`` after ``timeout`` seconds."""
        with self._condition:
            return self._condition.wait_for(lambda: predicate(self._events), timeout)

    def wait_for_event(
        self, kind: EventKind, reader: str = "", timeout: float = EVENT_TIMEOUT
    ) -> bool:
        """Wait until an event of ``kind`` for ``reader`` is in the log (since :meth:`clear`)."""
        return self.wait_for(
            lambda events: any(e.kind is kind and e.reader == reader for e in events), timeout
        )

    def wait_until_empty(self, reader: str, timeout: float = EVENT_TIMEOUT) -> bool:
        """Wait until the hub shows ``reader`` without a card, then :meth:`clear`.

        A card removed just before may still be reported: pcscd notices a removal at its
        next poll. Inserting before that would mix the old card's events with the new's.
        """

        def empty(_: list[ReaderEvent]) -> bool:
            return any(s.name == reader and not s.card_present for s in self._hub.snapshot())

        if not self.wait_for(empty, timeout):
            return False
        self.clear()
        return True

    def clear(self) -> None:
        with self._condition:
            self._events.clear()
