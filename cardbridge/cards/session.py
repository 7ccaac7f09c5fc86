"""What every card session shares: its connection, its APDU protocol, the card check,
and what a failed exchange means.

A card pulled out in the middle of a command does not always read as a removal at once:
pcscd may first report the exchange as failed (``SCARD_E_NOT_TRANSACTED``, an
unresponsive card: ``card_communication_error``) and only notice the empty reader at its
next look, some tenths of a second later. So a session that meets a communication error
asks the connection, if it can tell (:class:`~cardbridge.pcsc.connection.RemovalAware`),
whether the card left, for up to :data:`REMOVAL_CONFIRMATION` seconds, and raises
``CardRemovedError`` if it did: a clinician is told to insert the card again, not that the
card is unreadable.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from cardbridge.errors import CardCommunicationError, CardRemovedError, WrongCardTypeError
from cardbridge.messages import Text
from cardbridge.pcsc.atr import CardFamily, CardModel, identify_atr
from cardbridge.pcsc.connection import Connection, RemovalAware
from cardbridge.pcsc.protocol import ApduProtocol

# pcscd looks at each reader about every 0.4 s: by then it has seen a card pulled out.
REMOVAL_CONFIRMATION = 1.0
REMOVAL_POLL = 0.05


class CardSession:
    """A card application on one connection; the ATR must be of ``family``."""

    family: CardFamily
    wrong_card_message: Text

    def __init__(self, connection: Connection) -> None:
        self.model: CardModel = identify_atr(connection.atr)
        if self.model.family is not self.family:
            raise WrongCardTypeError(self.wrong_card_message, reader=connection.reader)
        self._connection = connection
        self._protocol = ApduProtocol(connection)

    @property
    def reader(self) -> str:
        return self._connection.reader

    @property
    def apdu_count(self) -> int:
        """APDUs exchanged so far by this session (for benchmarks and tests)."""
        return self._protocol.apdu_count

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One PC/SC transaction for an operation; a communication failure explained by
        the card's removal raises :class:`CardRemovedError`."""
        try:
            with self._connection.transaction():
                yield
        except CardCommunicationError as error:
            if self._card_left():
                raise CardRemovedError(reader=self.reader) from error
            raise

    def _card_left(self) -> bool:
        """Whether the connection reports the card gone within the confirmation delay."""
        connection = self._connection
        if not isinstance(connection, RemovalAware):
            return False
        deadline = time.monotonic() + REMOVAL_CONFIRMATION
        while not connection.card_removed():
            if time.monotonic() >= deadline:
                return False
            time.sleep(REMOVAL_POLL)
        return True
