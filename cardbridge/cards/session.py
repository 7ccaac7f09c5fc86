"""What every card session shares: its connection, its APDU protocol, the card check."""

from __future__ import annotations

from cardbridge.errors import WrongCardTypeError
from cardbridge.pcsc.atr import CardFamily, CardModel, identify_atr
from cardbridge.pcsc.connection import Connection
from cardbridge.pcsc.protocol import ApduProtocol


class CardSession:
    """A card application on one connection; the ATR must be of ``family``."""

    family: CardFamily
    wrong_card_message: str

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
