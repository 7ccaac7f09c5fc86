"""Reader monitor: one thread blocked in SCardGetStatusChange, publishing reader events.

The thread asks pcscd for changes on every reader plus the ``\\\\?PnP?\\Notification``
pseudo-reader (whose state changes when a reader comes or goes), with no timeout: it
wakes only when something happens, and :meth:`PcscMonitor.stop` wakes it with
SCardCancel. Changes become :class:`ReaderEvent` objects in an :class:`EventHub`.

pcsc-lite counts card insertions and removals per reader in the high word of the
event state. Comparing counters, not only presence, catches a card swapped between
two wake-ups: it gives ``card_removed`` then ``card_inserted``. A card inserted and
removed between two wake-ups leaves nothing to report and gives no event.

A card seen while pcscd powers it up (an ATR padded to 33 bytes or cut short) is read
again before its ``card_inserted`` is published, so that the event names its type.

When pcscd goes away the monitor publishes one ``pcsc_unavailable`` event and tries
again with a bounded back-off; when pcscd is back it publishes ``pcsc_available``,
then ``reader_added`` (and ``card_inserted``) for each reader.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from enum import Enum, auto

from smartcard import scard

from cardbridge.pcsc.reader_interface import EventHub, EventKind, ReaderEvent, ReaderState
from cardbridge.pcsc.scard_codes import (
    PNP_NOTIFICATION,
    SERVICE_GONE,
    ScardCode,
    StateFlag,
    describe_code,
    event_counter,
    reader_state,
)
from cardbridge.pcsc.settle import settled_state

log = logging.getLogger(__name__)

# Back-off while pcscd is away: short first (a restart takes well under a second), capped
# so that events flow again within 2 s of pcscd's return.
BACKOFF_FIRST = 0.05
BACKOFF_MAX = 0.5
# stop() repeats SCardCancel until the thread is out: a cancel sent just before the thread
# enters SCardGetStatusChange is lost.
STOP_CANCEL_INTERVAL = 0.05
STOP_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class Tracked:
    """What the monitor last saw in a reader, and the raw event state it came with."""

    state: ReaderState
    event_state: int

    @property
    def counter(self) -> int:
        return event_counter(self.event_state)

    @property
    def current_state(self) -> int:
        """The event state as the next SCardGetStatusChange expects it back.

        All flags are passed back (without CHANGED): pcsc-lite wakes the caller whenever
        the state it is given differs, so leaving out MUTE or UNAVAILABLE would wake the
        monitor again and again.
        """
        return self.event_state & ~StateFlag.CHANGED


Change = tuple[ReaderEvent, ReaderState | None]


def reader_changes(before: Tracked | None, after: Tracked, now: float = 0.0) -> list[Change]:
    """Events (with the reader's new state) from ``before`` to ``after``, in order."""
    name = after.state.name
    changes: list[Change] = []
    if before is None:
        changes.append((ReaderEvent(EventKind.READER_ADDED, name, timestamp=now), after.state))
        card_left = False
        card_came = after.state.card_present
    else:
        swapped = before.counter != after.counter or before.state.atr != after.state.atr
        card_left = before.state.card_present and (not after.state.card_present or swapped)
        card_came = after.state.card_present and (not before.state.card_present or swapped)
    if card_left:
        empty = ReaderState(name, card_present=False)
        changes.append((ReaderEvent(EventKind.CARD_REMOVED, name, timestamp=now), empty))
    if card_came:
        event = ReaderEvent(EventKind.CARD_INSERTED, name, after.state.atr, timestamp=now)
        changes.append((event, after.state))
    return changes


def removal_changes(before: Tracked, now: float = 0.0) -> list[Change]:
    """Events for a reader that disappeared: its card goes first."""
    name = before.state.name
    changes: list[Change] = []
    if before.state.card_present:
        empty = ReaderState(name, card_present=False)
        changes.append((ReaderEvent(EventKind.CARD_REMOVED, name, timestamp=now), empty))
    changes.append((ReaderEvent(EventKind.READER_REMOVED, name, timestamp=now), None))
    return changes


class _End(Enum):
    """Why a session with pcscd ended."""

    STOPPED = auto()
    SERVICE_GONE = auto()
    FAILED = auto()


class PcscMonitor:
    """Follows pcscd's readers and cards on a background thread, into ``hub``."""

    def __init__(self, hub: EventHub) -> None:
        self._hub = hub
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._context: int | None = None  # the context to cancel, while a session runs
        self._thread: threading.Thread | None = None
        self._known: dict[str, Tracked] = {}
        self._pnp_state = 0
        self._available = True
        self._delay = BACKOFF_FIRST

    @property
    def running(self) -> bool:
        """Whether the monitor thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (idempotent)."""
        if self.running:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="pcsc-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread promptly and release its PC/SC context."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        deadline = time.monotonic() + STOP_TIMEOUT
        while thread.is_alive() and time.monotonic() < deadline:
            with self._lock:
                if self._context is not None:
                    scard.SCardCancel(self._context)
            thread.join(STOP_CANCEL_INTERVAL)
        if thread.is_alive():
            log.warning("the reader monitor did not stop within %.0f s", STOP_TIMEOUT)

    def _run(self) -> None:
        while not self._stopping.is_set():
            end = self._session()
            if end is _End.STOPPED:
                return
            if end is _End.SERVICE_GONE:
                self._service_gone()
            self._stopping.wait(self._delay)
            self._delay = min(self._delay * 2, BACKOFF_MAX)

    def _session(self) -> _End:
        code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if code != ScardCode.S_SUCCESS:
            return self._failure("connecting to pcscd", code)
        with self._lock:
            self._context = context
        try:
            return self._watch(context)
        except Exception:
            log.exception("the reader monitor failed; starting again")
            return _End.FAILED
        finally:
            with self._lock:
                self._context = None
            scard.SCardReleaseContext(context)

    def _watch(self, context: int) -> _End:
        """Follow readers until pcscd goes away, a call fails or :meth:`stop`."""
        while not self._stopping.is_set():
            code, names = scard.SCardListReaders(context, [])
            if code == ScardCode.E_NO_READERS_AVAILABLE:
                names = []
            elif code != ScardCode.S_SUCCESS:
                return self._failure("listing readers", code)
            self._service_back()
            self._forget_missing(set(names))
            end = self._wait_for_changes(context, names)
            if end is not None:
                return end
        return _End.STOPPED

    def _wait_for_changes(self, context: int, names: list[str]) -> _End | None:
        """Publish card changes until the reader list changes (``None``) or the session ends."""
        while not self._stopping.is_set():
            query = [(name, self._current_state(name)) for name in names]
            query.append((PNP_NOTIFICATION, self._pnp_state))
            code, states = scard.SCardGetStatusChange(context, scard.INFINITE, query)
            if self._stopping.is_set() or code == ScardCode.E_CANCELLED:
                return _End.STOPPED
            if code in (ScardCode.E_UNKNOWN_READER, ScardCode.E_TIMEOUT):
                return None
            if code != ScardCode.S_SUCCESS:
                return self._failure("waiting for reader changes", code)
            if self._apply(context, states):
                return None
        return _End.STOPPED

    def _current_state(self, name: str) -> int:
        tracked = self._known.get(name)
        return StateFlag.UNAWARE if tracked is None else tracked.current_state

    def _apply(self, context: int, states: list[tuple[str, int, list[int]]]) -> bool:
        """Publish what changed; ``True`` when the reader list must be read again.

        A card still being powered up (its ATR padded or cut short) is read again
        before anything is published about it (:mod:`cardbridge.pcsc.settle`).
        """
        relist = False
        now = time.time()
        for name, event_state, atr in states:
            if name == PNP_NOTIFICATION:
                self._pnp_state = event_state & ~StateFlag.CHANGED
                relist = relist or bool(event_state & StateFlag.CHANGED)
            elif event_state & StateFlag.UNKNOWN:
                relist = True
            elif event_state & StateFlag.CHANGED:
                settled, card_atr = settled_state(scard, context, name, event_state, atr)
                after = Tracked(reader_state(name, settled, card_atr), settled)
                self._publish(reader_changes(self._known.get(name), after, now))
                self._known[name] = after
        return relist

    def _forget_missing(self, names: set[str]) -> None:
        now = time.time()
        for name in sorted(self._known.keys() - names):
            self._publish(removal_changes(self._known.pop(name), now))

    def _publish(self, changes: list[Change]) -> None:
        for event, state in changes:
            log.info("%s %s", event.kind.value, event.reader)
            self._hub.publish(event, state)

    def _failure(self, action: str, code: int) -> _End:
        if code & 0xFFFFFFFF in SERVICE_GONE:
            return _End.SERVICE_GONE
        log.warning("reader monitor: %s failed: %s", action, describe_code(code))
        return _End.FAILED

    def _service_gone(self) -> None:
        self._known.clear()
        self._pnp_state = 0
        if self._available:
            self._available = False
            log.warning("pcscd is not reachable: waiting for it to come back")
            self._hub.publish(ReaderEvent(EventKind.PCSC_UNAVAILABLE, timestamp=time.time()))

    def _service_back(self) -> None:
        self._delay = BACKOFF_FIRST
        if not self._available:
            self._available = True
            log.info("pcscd is reachable again")
            self._hub.publish(ReaderEvent(EventKind.PCSC_AVAILABLE, timestamp=time.time()))
