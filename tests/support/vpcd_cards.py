"""Putting an emulated card into a vpcd reader of the real pcscd, and waiting for pcscd."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from cardbridge.emulator.card import VirtualCard
from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.errors import PcscError
from cardbridge.pcsc.backend import PcscBackend
from tests.support.pcscd import VpcdSlot

# pcscd polls vpcd readers every ~400 ms; this much longer is a failure, not slowness.
PRESENCE_TIMEOUT = 10.0


def wait_presence(reader: str, present: bool, timeout: float = PRESENCE_TIMEOUT) -> None:
    """Until pcscd reports a card (or none) in ``reader``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            states = PcscBackend().list_readers()
        except PcscError:
            states = []
        if any(s.name == reader and s.card_present == present for s in states):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"pcscd never reported {'a' if present else 'no'} card in {reader}")
        time.sleep(0.05)


def wait_atr(reader: str, atr: bytes, timeout: float = PRESENCE_TIMEOUT) -> None:
    """Until pcscd reports exactly ``atr`` in ``reader`` (it may report a card present
    before it has powered it up, or still show the previous card for one poll)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            states = PcscBackend().list_readers()
        except PcscError:
            states = []
        if any(s.name == reader and s.atr == atr for s in states):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"pcscd never reported the card's ATR in {reader}")
        time.sleep(0.05)


@contextmanager
def card_in_reader(slot: VpcdSlot, card: VirtualCard) -> Iterator[VpcdBridge]:
    """``card`` in the vpcd reader of ``slot``, as pcscd sees it; removed on exit."""
    with VpcdBridge(card, port=slot.port) as bridge:
        wait_presence(slot.reader, True)
        yield bridge
    wait_presence(slot.reader, False)
