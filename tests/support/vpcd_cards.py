"""Putting an emulated card into a vpcd reader of the real pcscd, and waiting for pcscd."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from cardbridge.emulator.card import VirtualCard
from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.errors import PcscError
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.reader_interface import ReaderState
from testkit.pcscd import VpcdSlot

# pcscd polls vpcd readers every ~400 ms; this much longer is a failure, not slowness.
PRESENCE_TIMEOUT = 10.0


def wait_presence(reader: str, present: bool, timeout: float = PRESENCE_TIMEOUT) -> None:
    """Until pcscd reports a card (or none) in ``reader``."""
    _wait_for(
        lambda state: state.name == reader and state.card_present == present,
        timeout,
        f"pcscd never reported {'a' if present else 'no'} card in {reader}",
    )


def wait_atr(reader: str, atr: bytes, timeout: float = PRESENCE_TIMEOUT) -> None:
    """Until pcscd reports exactly ``atr`` in ``reader`` (it may report a card present
    before it has powered it up, or still show the previous card for one poll)."""
    _wait_for(
        lambda state: state.name == reader and state.atr == atr,
        timeout,
        f"pcscd never reported the card's ATR in {reader}",
    )


def _wait_for(seen: Callable[[ReaderState], bool], timeout: float, failure: str) -> None:
    """Until pcscd reports a reader state that ``seen`` accepts (pcscd away counts as no
    reader); ``TimeoutError(failure)`` past ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            states = PcscBackend().list_readers()
        except PcscError:
            states = []
        if any(seen(state) for state in states):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(failure)
        time.sleep(0.05)


@contextmanager
def card_in_reader(slot: VpcdSlot, card: VirtualCard) -> Iterator[VpcdBridge]:
    """``card`` in the vpcd reader of ``slot``, as pcscd sees it; removed on exit."""
    with VpcdBridge(card, port=slot.port) as bridge:
        wait_presence(slot.reader, True)
        yield bridge
    wait_presence(slot.reader, False)
