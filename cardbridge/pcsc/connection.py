"""The ``Connection`` that card sessions talk to, whatever carries the APDUs.

Card applications never discover readers nor import pyscard: they receive a
:class:`Connection` (the pyscard backend, the in-process emulator, a scripted test
double) and call :meth:`Connection.transmit`. A multi-APDU operation runs inside
:meth:`Connection.transaction` so that no other program's APDUs interleave with it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable


@runtime_checkable
class Transmitter(Protocol):
    """Anything that sends one raw command APDU and returns ``(data, sw)``."""

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Send one command APDU; return the response data and the status word."""
        ...


@runtime_checkable
class Connection(Transmitter, Protocol):
    """A connection to the card in one reader."""

    @property
    def reader(self) -> str:
        """Name of the reader holding the card."""
        ...

    @property
    def atr(self) -> bytes:
        """Answer To Reset of the card, as seen when connecting."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Exclusive access to the card for a sequence of APDUs (PC/SC transaction)."""
        ...

    def close(self) -> None:
        """Disconnect, leaving the card powered and its state as it is."""
        ...

    def __enter__(self) -> Connection: ...

    def __exit__(self, *exc_info: object) -> None: ...


@runtime_checkable
class RemovalAware(Protocol):
    """A connection that can tell, without a word to the card, whether its card left.

    Optional: card sessions ask it when an exchange failed in a way that a removal can
    explain (see :class:`~cardbridge.cards.session.CardSession`).
    """

    def card_removed(self) -> bool:
        """Whether the transport already knows that the card of this connection left
        (pulled out, or its reader unplugged); ``False`` when it is there or unknown."""
        ...
