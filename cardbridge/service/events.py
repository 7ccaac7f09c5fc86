"""Reader events handed from the monitor's thread to asyncio subscribers (the SSE streams).

The monitor calls :meth:`EventBroadcaster._publish` on its own thread; each event is
passed to the event loop with ``call_soon_threadsafe`` and put in every subscriber's
bounded queue. A subscriber that does not keep up (a stalled client) is dropped rather
than let its queue grow: its stream ends, and a reconnecting client gets the current
state first, so it misses nothing it needs.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from cardbridge.pcsc.reader_interface import EventHub, EventKind, ReaderEvent

# ReaderEvent is what subscribers receive: the API takes it from here, not from pcsc.
__all__ = ["End", "EventBroadcaster", "EventKind", "ReaderEvent", "Subscription"]

QUEUE_SIZE = 256


class End(enum.Enum):
    """Why a subscription ended."""

    CLOSED = "closed"  # the server is stopping
    OVERFLOW = "overflow"  # the subscriber fell too far behind


class Subscription:
    """Events for one subscriber, in order; ``None`` from :meth:`next` means nothing new."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[ReaderEvent | End] = asyncio.Queue(QUEUE_SIZE + 1)
        self.ended: End | None = None

    def _offer(self, item: ReaderEvent | End) -> None:
        if self.ended is not None:
            return
        if isinstance(item, End) or self._queue.qsize() >= QUEUE_SIZE:
            self.ended = item if isinstance(item, End) else End.OVERFLOW
            self._queue.put_nowait(self.ended)  # the one slot kept for the end
        else:
            self._queue.put_nowait(item)

    async def next(self, timeout: float) -> ReaderEvent | End | None:
        """The next event, the end of the subscription, or ``None`` after ``timeout`` s."""
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None


class EventBroadcaster:
    """Fans the events of an :class:`EventHub` out to asyncio subscriptions."""

    def __init__(self, hub: EventHub) -> None:
        self._hub = hub
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscriptions: set[Subscription] = set()
        self._unsubscribe: Callable[[], None] | None = None
        self._closed = False

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start receiving events; subscriptions are served on ``loop``."""
        self._loop = loop
        self._closed = False
        if self._unsubscribe is None:
            self._unsubscribe = self._hub.subscribe(self._publish)

    def close(self) -> None:
        """End every subscription (server shutdown); call on the event loop."""
        self._closed = True
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for subscription in list(self._subscriptions):
            subscription._offer(End.CLOSED)

    @property
    def subscribers(self) -> int:
        return len(self._subscriptions)

    @contextmanager
    def subscribe(self) -> Iterator[Subscription]:
        """A subscription for the duration of the block; call on the event loop.

        Events published after this call are delivered; take the state snapshot after
        subscribing, so that nothing falls between the two (at worst an event is seen
        twice, once in the snapshot).
        """
        subscription = Subscription()
        if self._closed:
            subscription._offer(End.CLOSED)
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)

    def _publish(self, event: ReaderEvent) -> None:
        """Runs on the monitor's thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._deliver, event)
        except RuntimeError:  # the loop closed in between: the server is gone
            return

    def _deliver(self, event: ReaderEvent) -> None:
        for subscription in list(self._subscriptions):
            subscription._offer(event)
