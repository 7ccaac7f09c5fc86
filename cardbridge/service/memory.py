"""What the service remembers of one card insertion, dropped the moment the card leaves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Generic, TypeVar

from pydantic import BaseModel

from cardbridge.cards.models import Practitioner, VitaleCard
from cardbridge.errors import CardRemovedError
from cardbridge.service.models import CertificateBundle

Model = TypeVar("Model", bound=BaseModel)
Session = TypeVar("Session")


@dataclass(frozen=True)
class Snapshot(Generic[Model]):
    """A model read from a card, with its JSON encoded once for every later answer."""

    model: Model

    @cached_property
    def json(self) -> bytes:
        return self.model.model_dump_json().encode()


@dataclass
class CardMemory:
    """The cache of one card insertion in one reader.

    A fresh object replaces it at each removal, so an operation still running on the
    departed card writes into an orphan that nobody reads any more. ``identity`` is the
    ATR and serial of the card the values come from: a read that finds another card
    under the same insertion (a swap nobody reported) throws everything away.
    """

    identity: tuple[bytes, str] | None = None
    practitioner: Snapshot[Practitioner] | None = None
    certificates: Snapshot[CertificateBundle] | None = None
    vitale: Snapshot[VitaleCard] | None = None
    # The PIN was verified through this bridge and the card was not reset since.
    pin_verified: bool = False
    # The caller whose PIN session this is (Caller.id), and when it last used it
    # (time.monotonic()); a login token alone opens no session.
    pin_owner: str | None = None
    pin_used_at: float = 0.0
    # Card sessions bound to the reader's connection, by class (the CPS's, VitaleSession).
    _sessions: dict[type, object] = field(default_factory=dict, repr=False)
    # What holds only while the PIN session lasts, by class: the signed VIHFs, the DMP
    # connection authenticated by the card. Dropped (and closed) when the session ends.
    _pin_scoped: dict[type, object] = field(default_factory=dict, repr=False)

    def bind(self, atr: bytes, serial: str, *, reader: str) -> None:
        """Record which card the values come from; another card means it was swapped."""
        if self.identity is None:
            self.identity = (atr, serial)
        elif self.identity != (atr, serial):
            raise CardRemovedError(reader=reader)

    def session(self, kind: type[Session], open_session: Callable[[], Session]) -> Session:
        """The session of class ``kind`` on this insertion's connection, opened once."""
        found = self._sessions.get(kind)
        if not isinstance(found, kind):
            found = open_session()
            self._sessions[kind] = found
        return found

    def pin_scoped(self, kind: type[Session], make: Callable[[], Session]) -> Session:
        """The object of class ``kind`` that lives as long as the PIN session, made once."""
        found = self._pin_scoped.get(kind)
        if not isinstance(found, kind):
            found = make()
            self._pin_scoped[kind] = found
        return found

    def find_pin_scoped(self, kind: type[Session]) -> Session | None:
        """The object of class ``kind`` of the PIN session, if one was made."""
        found = self._pin_scoped.get(kind)
        return found if isinstance(found, kind) else None

    def end_pin_scope(self) -> None:
        """Drop what held only for the PIN session, closing what can be closed."""
        scoped, self._pin_scoped = self._pin_scoped, {}
        for value in scoped.values():
            close = getattr(value, "close", None)
            if callable(close):
                close()

    def forget_sessions(self) -> None:
        """The connection was closed: sessions are opened again on the next one."""
        self._sessions.clear()

    def forget_pin(self) -> None:
        """The card lost its verified PIN (reset by another program, or the session ended):
        hide the situations and drop what held for the session (signed VIHFs)."""
        self.pin_verified = False
        self.pin_owner = None
        self.end_pin_scope()
        if self.practitioner is not None and self.practitioner.model.situations is not None:
            locked = self.practitioner.model.model_copy(update={"situations": None})
            self.practitioner = Snapshot(locked)
