"""Pairing the status page: a one-time link, then a cookie that names the paired page.

``cardbridge serve`` prints a pairing link and ``cardbridge open`` asks the running
bridge for one (with the API token) and opens it in the browser. Following it once
turns the one-time code into a page session: a random secret the browser keeps in an
``HttpOnly``, ``SameSite=Strict`` cookie. Only a hash of each secret is kept on disk
(``pairings.json`` of the state dir, mode 0600), so that a restarted bridge still knows
the browser; the clinician unpairs a page from the page itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cardbridge.service.state_file import read_state, write_state

# A printed link is followed within minutes, or a new one is asked for (`cardbridge open`).
LINK_LIFETIME = timedelta(minutes=10)
MAX_PENDING_LINKS = 16
# Browsers paired at once (profiles, workstations sharing a home); the oldest goes first.
MAX_PAIRINGS = 32
_SECRET_BYTES = 32
_ID_BYTES = 8
PAIRINGS_FILE = "pairings.json"


@dataclass(frozen=True, slots=True)
class PairingLink:
    """A one-time code, to be put in the link ``/pair?code=…``."""

    code: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PageSession:
    """A paired page: its id and the cookie value that proves it."""

    pairing: str
    cookie: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Pairings:
    """Pairing links (in memory) and paired pages (their secrets' hashes, on disk)."""

    def __init__(self, state_dir: Path, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._path = state_dir / PAIRINGS_FILE
        self._clock = clock
        self._lock = threading.Lock()
        self._links: OrderedDict[str, float] = OrderedDict()
        stored = read_state(self._path).get("pages", {})
        self._pages: dict[str, dict[str, str]] = {
            pairing: page
            for pairing, page in stored.items()
            if isinstance(page, dict) and isinstance(page.get("secret_sha256"), str)
        }

    def issue_link(self) -> PairingLink:
        """A new one-time code, valid :data:`LINK_LIFETIME`."""
        code = secrets.token_urlsafe(_SECRET_BYTES)
        lifetime = LINK_LIFETIME.total_seconds()
        with self._lock:
            now = self._clock()
            for old, expiry in list(self._links.items()):
                if expiry <= now or len(self._links) >= MAX_PENDING_LINKS:
                    del self._links[old]
            self._links[_digest(code)] = now + lifetime
        return PairingLink(code, datetime.now(UTC) + LINK_LIFETIME)

    def redeem(self, code: str) -> PageSession | None:
        """Use ``code`` once: a new paired page, or ``None`` if unknown, used or expired."""
        with self._lock:
            expiry = self._links.pop(_digest(code), None)
            if expiry is None or expiry <= self._clock():
                return None
            pairing = secrets.token_hex(_ID_BYTES)
            secret = secrets.token_urlsafe(_SECRET_BYTES)
            self._pages[pairing] = {
                "secret_sha256": _digest(secret),
                "paired_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            while len(self._pages) > MAX_PAIRINGS:
                oldest = min(self._pages, key=lambda key: self._pages[key].get("paired_at", ""))
                del self._pages[oldest]
            self._save()
        return PageSession(pairing, f"{pairing}.{secret}")

    def authenticate(self, cookie: str) -> str | None:
        """The pairing that ``cookie`` proves, or ``None``."""
        pairing, _, secret = cookie.partition(".")
        page = self._pages.get(pairing)
        if page is None or not secret:
            return None
        if not hmac.compare_digest(_digest(secret), page["secret_sha256"]):
            return None
        return pairing

    def unpair(self, pairing: str) -> None:
        """Forget a paired page: its cookie proves nothing any more."""
        with self._lock:
            if self._pages.pop(pairing, None) is not None:
                self._save()

    def _save(self) -> None:
        write_state(self._path, {"pages": self._pages})
