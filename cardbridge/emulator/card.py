"""The card side of the emulator: what a reader (in-process or vpcd) needs from a card.

A :class:`VirtualCard` is plugged into an in-process reader
(:mod:`cardbridge.emulator.inprocess`) or into a virtual reader of the real pcscd
(:mod:`cardbridge.emulator.vpcd`). Its volatile state (PIN verified, current file,
security environment) is lost on :meth:`power_off` and :meth:`reset`; persistent
state (PIN counters, keys, files) lives as long as the object.
"""

from __future__ import annotations

from typing import Protocol


class VirtualCard(Protocol):
    """A software smart card."""

    @property
    def atr(self) -> bytes:
        """The Answer To Reset."""
        ...

    def power_on(self) -> None:
        """Contacts powered: the card starts from its reset state."""
        ...

    def power_off(self) -> None:
        """Contacts unpowered: volatile state is lost."""
        ...

    def reset(self) -> None:
        """Warm reset: volatile state is lost, the card stays powered."""
        ...

    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU with ``data || SW1 SW2``; never raises for bad input."""
        ...
