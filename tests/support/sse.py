"""Following ``GET /v1/events`` on a thread, with the Python client, for the tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from cardbridge.client import CardBridgeClient, Event
from testkit.server import LiveServer

EVENT_TIMEOUT = 5.0


class EventFollower:
    """Every event of one stream, in order (heartbeats included), with their arrival time.

    The server must send heartbeats often (the tests' servers do, every 0.3 s): the
    reading thread looks at its stop flag between events.
    """

    def __init__(self, live: LiveServer) -> None:
        self._client = CardBridgeClient(live.url, token=live.token)
        self._condition = threading.Condition()
        self.events: list[tuple[float, Event]] = []
        self.ended = False
        self._stop = False
        self._thread = threading.Thread(target=self._follow, daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        try:
            for event in self._client.events(heartbeats=True):
                with self._condition:
                    self.events.append((time.monotonic(), event))
                    self._condition.notify_all()
                if self._stop:
                    return
        finally:
            with self._condition:
                self.ended = True
                self._condition.notify_all()

    def names(self) -> list[str]:
        with self._condition:
            return [event.name for _, event in self.events if event.name != "heartbeat"]

    def mark(self) -> int:
        """How many events came so far: give it to :meth:`wait_for` as ``after``."""
        with self._condition:
            return len(self.events)

    def wait_for(
        self, predicate: Callable[[Event], bool], timeout: float = EVENT_TIMEOUT, after: int = 0
    ) -> tuple[float, Event]:
        """The first event (arrival time, event) matching ``predicate``, among those
        that came after the first ``after``."""

        def found() -> tuple[float, Event] | None:
            return next(((t, e) for t, e in self.events[after:] if predicate(e)), None)

        with self._condition:
            if not self._condition.wait_for(lambda: found() is not None or self.ended, timeout):
                raise TimeoutError(f"no such event; got {self.names()}")
            match = found()
            if match is None:
                raise TimeoutError(f"the stream ended; got {self.names()}")
            return match

    def wait_ended(self, timeout: float = EVENT_TIMEOUT) -> bool:
        with self._condition:
            return self._condition.wait_for(lambda: self.ended, timeout)

    def close(self) -> None:
        self._stop = True
        self._thread.join(EVENT_TIMEOUT)
        self._client.close()


def named(name: str, reader: str | None = None) -> Callable[[Event], bool]:
    """A predicate: an event called ``name`` (about ``reader``, if given)."""

    def matches(event: Event) -> bool:
        return event.name == name and (
            reader is None or getattr(event.data, "reader", None) == reader
        )

    return matches
