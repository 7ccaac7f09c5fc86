"""Readers as the service sees them: one worker, one connection and one memory per card.

A card keeps its verified PIN only while it stays powered, and pcscd powers it off
shortly after its last client disconnects: so each reader holding a card has ONE
connection, opened at first use and kept until the card leaves. Everything that
talks to a card runs on its reader's single worker thread, which is what serialises
conversations with one card (a PIN verification never lands between the APDUs of a
read) while readers work in parallel, and keeps PC/SC off the event loop.

A removal is acted on twice, whichever comes first: the monitor's ``card_removed``
event, and an operation that finds the card gone. Either way the reader's
*generation* moves on: its memory is replaced by an empty one, its connection is
closed (on the worker, after the operation in progress), and any operation that
started before that answers ``card_removed`` instead of a value from the old card.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from cardbridge.cards.locate import choose_reader
from cardbridge.cards.session import REMOVAL_CONFIRMATION
from cardbridge.errors import (
    CardAbsentError,
    CardBridgeError,
    CardBusyError,
    CardRemovedError,
    CardResetError,
    ConfirmationRequiredError,
    PcscError,
    PcscUnavailableError,
    PinError,
    PinRetryLaterError,
    ReaderNotFoundError,
)
from cardbridge.messages.refusals import CARD_QUEUE_FULL
from cardbridge.pcsc.atr import CardFamily
from cardbridge.pcsc.connection import Connection
from cardbridge.pcsc.reader_interface import EventKind, ReaderBackend, ReaderEvent, ReaderState
from cardbridge.service.memory import CardMemory

log = logging.getLogger(__name__)

T = TypeVar("T")

# Operations waiting for one reader; past this the reader answers card_busy rather than
# queueing without bound behind a slow card.
MAX_PENDING = 256
# At start, how long to wait for the monitor to report the readers pcscd already has.
START_SYNC_TIMEOUT = 2.0
_START_SYNC_POLL = 0.02

_REMOVALS = frozenset({EventKind.CARD_REMOVED, EventKind.READER_REMOVED})


class CardAccess:
    """What an operation gets on the worker thread: the card's connection and memory."""

    def __init__(self, slot: ReaderSlot, generation: int, memory: CardMemory) -> None:
        self._slot = slot
        self.generation = generation
        self.memory = memory

    @property
    def reader(self) -> str:
        return self._slot.name

    @property
    def connection(self) -> Connection:
        """The reader's connection, opened on first use and kept until the card leaves."""
        return self._slot.connection(self.generation)

    def drop_connection(self) -> None:
        """Close the connection now (the next operation opens another); the card's PIN
        counts as not verified."""
        self._slot.drop_connection(self.generation)


class ReaderSlot:
    """One reader: its worker thread, its connection and the memory of its card."""

    def __init__(self, name: str, backend: ReaderBackend) -> None:
        self.name = name
        self._backend = backend
        self._lock = threading.Lock()  # guards the fields below; held for moments only
        self._changed = threading.Condition(self._lock)  # notified when the card leaves
        self._generation = 0
        self._memory = CardMemory()
        self._connection: Connection | None = None
        self._retired: list[Connection] = []  # taken from the card, to be closed
        self._retired_memories: list[CardMemory] = []  # of departed cards, to be closed
        self._pending = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="card-worker")

    @property
    def memory(self) -> CardMemory:
        """The memory of the card in the reader now (read without touching the card)."""
        return self._memory

    async def run(self, operation: Callable[[CardAccess], T], *, retry_reset: bool = True) -> T:
        """Run ``operation`` on the reader's worker, after those already queued.

        ``retry_reset``: after a reset by another program (``CardResetError``) the
        operation runs once more from the start; only for operations that change
        nothing on the card.
        """
        with self._lock:
            if self._pending >= MAX_PENDING:
                raise CardBusyError(CARD_QUEUE_FULL, reader=self.name)
            self._pending += 1
        try:
            future = self._executor.submit(self._call, operation, retry_reset)
        except RuntimeError:  # the executor was shut down: the server is stopping
            self._done(None)
            raise PcscError("The card bridge is stopping.", reader=self.name) from None
        future.add_done_callback(self._done)
        return await asyncio.wrap_future(future)

    def _done(self, _: Future[Any] | None) -> None:
        with self._lock:
            self._pending -= 1

    def _call(self, operation: Callable[[CardAccess], T], retry_reset: bool) -> T:
        attempts = 2 if retry_reset else 1
        for attempt in range(attempts):
            with self._lock:
                access = CardAccess(self, self._generation, self._memory)
            try:
                result = operation(access)
            except CardResetError:
                access.memory.forget_pin()
                if attempt + 1 == attempts:
                    raise
                continue
            except (CardRemovedError, CardAbsentError, PcscUnavailableError, ReaderNotFoundError):
                # Acted on now: the monitor may report the removal only later.
                self.invalidate(access.generation)
                raise
            except (PinError, ConfirmationRequiredError, PinRetryLaterError):
                raise  # the card's own verdict, or the bridge's guard: never a removal
            except CardBusyError:
                # Another program holds the card: this connection may be unusable now
                # (a call given up on it is still waiting); the next operation reconnects.
                self.drop_connection(access.generation)
                raise
            except CardBridgeError as error:
                # A card pulled out mid-command gives a garbled or truncated answer before
                # pcscd notices it is gone: if the removal follows shortly, that is what
                # the caller is told.
                if self._removed_since(access.generation, REMOVAL_CONFIRMATION):
                    raise CardRemovedError(reader=self.name) from error
                raise
            with self._lock:
                if self._generation != access.generation:
                    raise CardRemovedError(reader=self.name)
            return result
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _removed_since(self, generation: int, timeout: float) -> bool:
        """Whether the card of ``generation`` leaves within ``timeout`` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: self._generation != generation, timeout)

    def connection(self, generation: int) -> Connection:
        """The connection of ``generation``'s card (worker thread only)."""
        connection = self._connection
        if connection is not None:
            return connection
        connection = self._backend.connect(self.name)
        with self._lock:
            if self._generation == generation:
                self._connection = connection
                return connection
        connection.close()
        raise CardRemovedError(reader=self.name)

    def drop_connection(self, generation: int) -> None:
        """Close the connection of ``generation``'s card, keeping its identity (worker
        thread only). The PIN counts as not verified any more: without our connection we
        would not see another program reset the card, or pcscd power it off."""
        with self._lock:
            if generation != self._generation or self._connection is None:
                return
            connection, self._connection = self._connection, None
            self._memory.forget_sessions()
            self._memory.forget_pin()
        connection.close()

    def invalidate(self, generation: int | None = None) -> None:
        """Forget the card (of ``generation`` only, if given); safe from any thread."""
        with self._lock:
            if generation is not None and generation != self._generation:
                return
            self._generation += 1
            departed, self._memory = self._memory, CardMemory()
            self._changed.notify_all()
            connection, self._connection = self._connection, None
            # What held for the PIN session (a DMP connection the card authenticated)
            # is closed with the card's connection.
            self._retired_memories.append(departed)
            if connection is not None:
                self._retired.append(connection)
        # Closed on the worker, after the operation in progress that may still use it.
        try:
            self._executor.submit(self._close_retired)
        except RuntimeError:  # the worker is stopped
            self._close_retired()

    def _close_retired(self) -> None:
        with self._lock:
            retired, self._retired = self._retired, []
            memories, self._retired_memories = self._retired_memories, []
        for memory in memories:
            memory.end_pin_scope()
        for connection in retired:
            connection.close()

    def close(self) -> None:
        """Forget the card, drop queued operations, wait for the running one, stop."""
        self.invalidate()
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._close_retired()  # those whose closing was queued behind a cancelled operation


class ReaderPool:
    """The readers of a backend as the monitor reports them, and their slots."""

    def __init__(self, backend: ReaderBackend) -> None:
        self.backend = backend
        self._lock = threading.Lock()
        self._slots: dict[str, ReaderSlot] = {}
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def available(self) -> bool:
        """Whether the reader service (pcscd) is reachable."""
        return self.backend.events.available

    def snapshot(self) -> list[ReaderState]:
        """The readers as last reported, in name order; no PC/SC call."""
        return self.backend.events.snapshot()

    def start(self) -> None:
        """Follow the backend's events, start it, and wait for its first report."""
        if self._unsubscribe is None:
            self._unsubscribe = self.backend.events.subscribe(self._on_event)
        self.backend.start()
        self._wait_for_first_report()

    def _wait_for_first_report(self) -> None:
        """Until the monitor reports the readers pcscd has now (bounded), so that the
        first requests do not see an empty list that is only not filled yet."""
        try:
            expected = {state.name for state in self.backend.list_readers()}
        except PcscError:
            return  # pcscd is away: the monitor reports when it comes
        deadline = time.monotonic() + START_SYNC_TIMEOUT
        while time.monotonic() < deadline:
            if expected <= {state.name for state in self.snapshot()}:
                return
            time.sleep(_START_SYNC_POLL)
        log.info("the reader monitor has not reported every reader yet")

    def close(self) -> None:
        """Stop following, close every connection and worker, stop the backend."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        with self._lock:
            slots, self._slots = list(self._slots.values()), {}
        for slot in slots:
            slot.close()
        self.backend.stop()

    def slots(self) -> list[ReaderSlot]:
        """The slots of the readers used so far."""
        with self._lock:
            return list(self._slots.values())

    def slot(self, name: str) -> ReaderSlot:
        """The slot of reader ``name`` (created at first use)."""
        slot = self._slots.get(name)
        if slot is None:
            with self._lock:
                slot = self._slots.setdefault(name, ReaderSlot(name, self.backend))
        return slot

    def choose(self, family: CardFamily, reader: str | None = None) -> ReaderSlot:
        """The slot of the reader holding a card of ``family`` (``reader`` if named).

        Without a name, a reader whose card was recognised by its ATR comes first,
        then one with an unrecognised card (its session decides). Decided on the
        monitor's snapshot, so it never waits for PC/SC.
        """
        if not self.available:
            raise PcscUnavailableError
        return self.slot(choose_reader(self.snapshot(), family, reader).name)

    def _on_event(self, event: ReaderEvent) -> None:
        """Runs on the monitor's thread: forget what a removal makes stale, at once."""
        if event.kind is EventKind.PCSC_UNAVAILABLE:
            with self._lock:
                slots = list(self._slots.values())
            for slot in slots:
                slot.invalidate()
        elif event.kind in _REMOVALS:
            found = self._slots.get(event.reader)
            if found is not None:
                found.invalidate()
            if event.kind is EventKind.READER_REMOVED:
                self._drop(event.reader)

    def _drop(self, name: str) -> None:
        with self._lock:
            slot = self._slots.pop(name, None)
        if slot is not None:
            # Not waited for here: this is the monitor's thread.
            threading.Thread(target=slot.close, name="card-worker-stop", daemon=True).start()
