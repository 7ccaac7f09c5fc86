"""What stands between a caller and a blocked card: waits after wrong codes, and the
confirmation of a try that could block it.

After a wrong PIN or PUK, the next try on that reader's card waits 1 s, then 2 s, 4 s…
(up to :data:`MAX_DELAY`), so that neither a bug nor a hostile program spends every try
in milliseconds; a right code clears the wait. The last PIN try and every PUK try are
sent only when the caller confirmed them (:func:`require_confirmation`).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from cardbridge.errors import ConfirmationRequiredError, PinRetryLaterError

FIRST_DELAY = 1.0
MAX_DELAY = 300.0


class PinBackoff:
    """Per reader: when the next PIN or PUK try is allowed."""

    def __init__(
        self, *, first_delay: float = FIRST_DELAY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.first_delay = first_delay
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}
        self._next_try: dict[str, float] = {}

    def check(self, reader: str) -> None:
        """Raise :class:`PinRetryLaterError` if the reader's card must wait still."""
        with self._lock:
            wait = self._next_try.get(reader, 0.0) - self._clock()
        if wait > 0:
            raise PinRetryLaterError(max(1, math.ceil(wait)), reader=reader)

    def failed(self, reader: str) -> None:
        """A wrong code: the next try waits twice as long as the last wait."""
        with self._lock:
            count = self._failures.get(reader, 0)
            self._failures[reader] = count + 1
            delay = min(self.first_delay * 2**count, MAX_DELAY)
            self._next_try[reader] = self._clock() + delay

    def succeeded(self, reader: str) -> None:
        """A right code: no wait any more."""
        with self._lock:
            self._failures.pop(reader, None)
            self._next_try.pop(reader, None)


def require_confirmation(tries_left: int, *, confirmed: bool, reader: str | None = None) -> None:
    """Refuse the PIN's last try unless ``confirmed``."""
    if tries_left == 1 and not confirmed:
        raise ConfirmationRequiredError(tries_left, reader=reader)


def require_puk_confirmation(*, confirmed: bool, reader: str | None = None) -> None:
    """Refuse any PUK try unless ``confirmed`` (the card does not say how many are left
    before the try; the last ones end it for good)."""
    if not confirmed:
        raise ConfirmationRequiredError(None, puk=True, reader=reader)
