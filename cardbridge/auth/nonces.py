"""Challenge nonces: 32 random bytes, base64, five minutes, single use, bound to an origin.

A :class:`NonceStore` keeps issued nonces until they are taken (atomically: get and
delete) or expire. :class:`MemoryNonceStore` serves one process (the bridge);
:class:`RedisNonceStore` lets a verifier run as several server instances.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from cardbridge.auth.origin import normalize_origin
from cardbridge.errors import NonceInvalidError, OriginMismatchError

if TYPE_CHECKING:
    import redis

NONCE_BYTES = 32
# What a login nonce may be, as the Web eID application accepts it: base64 text of at
# most 128 characters carrying at least 32 bytes (256 bits from the relying party's CSPRNG).
MIN_NONCE_BYTES = 32
MAX_NONCE_CHARS = 128
NONCE_LIFETIME = timedelta(minutes=5)
MAX_MEMORY_NONCES = 10_000
MAX_NONCES_PER_ORIGIN = 1_000


def check_nonce(nonce: str) -> None:
    """Refuse (:class:`NonceInvalidError`) a nonce that cannot be a relying party's: not
    standard base64, fewer than 32 bytes, or longer than 128 characters."""
    if len(nonce) > MAX_NONCE_CHARS:
        raise NonceInvalidError(f"The nonce is longer than {MAX_NONCE_CHARS} characters.")
    try:
        raw = base64.b64decode(nonce, validate=True)
    except (binascii.Error, ValueError):
        raise NonceInvalidError("The nonce must be base64 text (A-Z, a-z, 0-9, +, /, =).") from None
    if len(raw) < MIN_NONCE_BYTES:
        raise NonceInvalidError(
            f"The nonce must carry at least {MIN_NONCE_BYTES} random bytes "
            f"(it has {len(raw)}): generate it on the relying party's server."
        )


class NonceStore(Protocol):
    """Where issued nonces wait for their single use."""

    def put(self, nonce: str, origin: str, ttl: float) -> None:
        """Keep ``nonce`` bound to ``origin`` for ``ttl`` seconds."""
        ...

    def take(self, nonce: str) -> str | None:
        """Remove ``nonce`` and return its origin; ``None`` if unknown, expired or taken."""
        ...


class MemoryNonceStore:
    """In-process store, bounded per origin and in all, so that a flood of challenges
    from one origin cannot push out another origin's.

    An origin holds at most ``per_origin`` pending nonces: past that, its own oldest is
    dropped. When the store holds ``capacity`` nonces (expired ones dropped first), the
    oldest nonce of the origin that holds the most goes: an origin's challenge is only
    ever evicted by its own, or when it holds as many as the biggest flood.
    """

    def __init__(
        self,
        *,
        capacity: int = MAX_MEMORY_NONCES,
        per_origin: int = MAX_NONCES_PER_ORIGIN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # Every pending nonce, oldest first (for expiry), and each origin's, oldest first.
        self._entries: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._by_origin: dict[str, OrderedDict[str, None]] = {}
        self._lock = threading.Lock()
        self._capacity = capacity
        self._per_origin = min(per_origin, capacity)
        self._clock = clock

    def put(self, nonce: str, origin: str, ttl: float) -> None:
        now = self._clock()
        with self._lock:
            while self._entries:
                oldest, (_, expiry) = next(iter(self._entries.items()))
                if expiry > now:
                    break
                self._remove(oldest)
            pending = self._by_origin.setdefault(origin, OrderedDict())
            if len(pending) >= self._per_origin:
                self._remove(next(iter(pending)))
            elif len(self._entries) >= self._capacity:
                biggest = max(self._by_origin.values(), key=len)
                self._remove(next(iter(biggest)))
            self._entries[nonce] = (origin, now + ttl)
            self._by_origin.setdefault(origin, OrderedDict())[nonce] = None

    def take(self, nonce: str) -> str | None:
        with self._lock:
            entry = self._remove(nonce)
        if entry is None or entry[1] <= self._clock():
            return None
        return entry[0]

    def _remove(self, nonce: str) -> tuple[str, float] | None:
        entry = self._entries.pop(nonce, None)
        if entry is not None:
            pending = self._by_origin[entry[0]]
            del pending[nonce]
            if not pending:
                del self._by_origin[entry[0]]
        return entry


class RedisNonceStore:
    """Store shared by several verifier instances (atomic GETDEL, TTL kept by Redis)."""

    def __init__(self, client: redis.Redis, *, prefix: str = "cardbridge:nonce:") -> None:
        self._client = client
        self._prefix = prefix

    def put(self, nonce: str, origin: str, ttl: float) -> None:
        self._client.set(self._prefix + nonce, origin, px=max(1, int(ttl * 1000)), nx=True)

    def take(self, nonce: str) -> str | None:
        value = self._client.getdel(self._prefix + nonce)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)


@dataclass(frozen=True, slots=True)
class IssuedChallenge:
    """An issued challenge: the nonce to sign and when it stops being accepted."""

    nonce: str
    expires_at: datetime


class Challenges:
    """Issues and consumes nonces through a :class:`NonceStore`."""

    def __init__(self, store: NonceStore, *, lifetime: timedelta = NONCE_LIFETIME) -> None:
        self.store = store
        self.lifetime = lifetime

    def issue(self, origin: str) -> IssuedChallenge:
        """A new nonce bound to ``origin`` (normalised)."""
        nonce = base64.b64encode(secrets.token_bytes(NONCE_BYTES)).decode()
        self.store.put(nonce, normalize_origin(origin), self.lifetime.total_seconds())
        return IssuedChallenge(nonce, datetime.now(UTC) + self.lifetime)

    def consume(self, nonce: str, origin: str) -> None:
        """Use ``nonce`` once for ``origin``; raise if unknown, expired, reused or foreign."""
        bound = self.store.take(nonce)
        if bound is None:
            raise NonceInvalidError
        if bound != normalize_origin(origin):
            raise OriginMismatchError("The challenge was issued for another web site.")
