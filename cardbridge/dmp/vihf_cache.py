"""Signed VIHFs kept for reuse, so that the card signs once per patient, mode and caller.

A VIHF states who calls the DMP, for which patient, in which mode (and why, in an
emergency), and is valid for a window (``Conditions/@NotOnOrAfter``). The transactions of
one key — patient, mode and reason, secret access or not, caller, practitioner, practice
situation — reuse the same signed assertion until ``margin`` before its end, rather than
having the card sign each call (docs/dmp-client.md, "VIHF"). An assertion is never shared
across callers: each caller has its own PIN session, and one caller's VIHF must not serve
another. It is reused only with the card session that signed it (``card``): a card taken
out and put back, or another card, is another session, and signs anew. The cache is
dropped (:meth:`VihfCache.clear`) when the card is removed or the PIN session ends;
:meth:`VihfCache.clear_caller` drops one caller's assertions.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta

from cardbridge.dmp.access import AccessMode

# Reuse stops this long before the assertion's end, so that a call made with it still
# arrives while it is valid (network, clock skew with the DMP). Ours.
DEFAULT_MARGIN = timedelta(minutes=2)
# At most this many assertions are kept (a workstation serves a handful of patients at a
# time); past it, the one closest to its end goes first. Ours.
MAX_ENTRIES = 256


@dataclass(frozen=True, slots=True)
class VihfKey:
    """What makes two calls share a VIHF: everything the assertion states but its times."""

    patient_cx: str | None
    mode: AccessMode
    reason: str | None
    secret: bool
    caller: str
    practitioner: str
    situation: int


@dataclass(frozen=True, slots=True)
class SignedVihf:
    """A signed assertion and what the workflow reports of it."""

    xml: bytes
    assertion_id: str
    issuer: str
    not_on_or_after: datetime


class VihfCache:
    """Signed VIHFs by :class:`VihfKey`, each reused until ``margin`` before its end.

    Thread-safe: the card's worker threads and the event loop may use it at once.
    """

    def __init__(self, margin: timedelta = DEFAULT_MARGIN, max_entries: int = MAX_ENTRIES) -> None:
        self.margin = margin
        self.max_entries = max_entries
        # Each VIHF with a weak reference to the card session that signed it (a dead
        # reference never matches, even if a new session reuses the old one's address).
        self._entries: dict[VihfKey, tuple[SignedVihf, weakref.ref[object]]] = {}
        self._lock = threading.Lock()

    def _usable(self, vihf: SignedVihf, now: datetime) -> bool:
        return now < vihf.not_on_or_after - self.margin

    def get(self, key: VihfKey, now: datetime, *, card: object) -> SignedVihf | None:
        """The VIHF of ``key`` if ``card`` (the card session) signed it and it may still be
        used at ``now``; ``None`` otherwise."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            vihf, signer = found
            if signer() is not card or not self._usable(vihf, now):
                del self._entries[key]
                return None
            return vihf

    def put(self, key: VihfKey, vihf: SignedVihf, now: datetime, *, card: object) -> None:
        """Keep ``vihf``, signed on ``card``, for ``key`` (replacing an older one), if it is
        still usable."""
        with self._lock:
            for stale in [k for k, (v, _) in self._entries.items() if not self._usable(v, now)]:
                del self._entries[stale]
            if not self._usable(vihf, now):
                return
            self._entries[key] = (vihf, weakref.ref(card))
            while len(self._entries) > self.max_entries:
                soonest = min(self._entries, key=lambda k: self._entries[k][0].not_on_or_after)
                del self._entries[soonest]

    def clear(self) -> None:
        """Forget every assertion: the card was removed or its PIN session ended."""
        with self._lock:
            self._entries.clear()

    def clear_caller(self, caller: str) -> None:
        """Forget the assertions of one caller (its own PIN session ended)."""
        with self._lock:
            for key in [k for k in self._entries if k.caller == caller]:
                del self._entries[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
