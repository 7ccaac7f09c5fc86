"""Cards swapped in one vpcd reader faster than pcscd polls it: every event names the right card.

pcscd looks at vpcd readers about every 400 ms. Here a CPS3, a Vitale and a CPS4 take
turns in one reader 50 times. Each card leaves 0 to 150 ms after vpcd first asked it
something (its presence check: pcscd is about to power it up), so pcscd sees some,
misses others, and is often powering a card up when it goes. The next card comes as soon
as pcscd has noticed the reader empty: vpcd checks presence by asking the card its ATR,
so a card replaced between two of its checks would look like the same card, to pcscd
and to any program (a vpcd limit, not a reader's). Whatever pcscd reports,
each ``card_inserted`` of cardbridge's monitor must carry a complete ATR of a card that
was really in the reader just before, never a padded one nor ``unknown``; and once a card
stays, ``cardbridge readers --json`` names it.

A card leaves only after vpcd has taken its connection: closing one still waiting in
vpcd's listen queue would make the next card's connection wait a TCP retry (1 s).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from cardbridge.emulator.card import VirtualCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import load_profile
from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.pcsc.atr import AtrShape, atr_shape, identify_atr
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.monitor import PcscMonitor
from cardbridge.pcsc.reader_interface import EventHub, EventKind, ReaderEvent
from testkit.pcscd import VpcdSlot

SWAPS = 50
SHORT_STAY = (0.0, 0.15)  # after vpcd's first question: well under pcscd's polling period
LONG_STAY_EVERY = 10  # then the card stays until pcscd reports it, and the CLI is asked
CATCH_UP = 4.0  # pcscd reports a card that stays within a few polling periods
RECENT = 1.5  # an event names a card that was in the reader this long before it, at most
PROFILES = ("demo-cps", "demo-vitale", "cps4-doctor")


class Watched:
    """A card that tells when the vpcd driver first spoke to it."""

    def __init__(self, card: VirtualCard) -> None:
        self.card = card
        self.spoken = threading.Event()

    @property
    def atr(self) -> bytes:
        self.spoken.set()
        return self.card.atr

    def power_on(self) -> None:
        self.spoken.set()
        self.card.power_on()

    def power_off(self) -> None:
        self.card.power_off()

    def reset(self) -> None:
        self.card.reset()

    def process(self, apdu: bytes) -> bytes:
        return self.card.process(apdu)


@dataclass
class Stay:
    card: int
    start: float
    end: float = float("inf")


@pytest.fixture
def monitored(vpcd_slot: VpcdSlot) -> Iterator[list[tuple[float, ReaderEvent]]]:
    """cardbridge's PC/SC monitor, recording this reader's events with their time."""
    hub = EventHub()
    events: list[tuple[float, ReaderEvent]] = []
    hub.subscribe(
        lambda event: (
            events.append((time.monotonic(), event)) if event.reader == vpcd_slot.reader else None
        )
    )
    monitor = PcscMonitor(hub)
    monitor.start()
    yield events
    monitor.stop()


def readers_json(reader: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "cardbridge", "readers", "--json"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return next(entry for entry in json.loads(out.stdout) if entry["name"] == reader)


def wait_reported(reader: str, atr: bytes | None) -> list[bytes | None]:
    """Until pcscd reports ``atr`` (``None``: no card) in ``reader``; the ATRs seen on the
    way, the last one ``atr`` unless pcscd never reported it."""
    seen: list[bytes | None] = []
    deadline = time.monotonic() + CATCH_UP
    while time.monotonic() < deadline:
        state = next(s for s in PcscBackend().list_readers() if s.name == reader)
        if not seen or seen[-1] != state.atr:
            seen.append(state.atr)
        if state.atr == atr:
            break
        time.sleep(0.02)
    return seen


def test_fast_swaps_name_the_right_cards(
    vpcd_slot: VpcdSlot,
    monitored: list[tuple[float, ReaderEvent]],
    key_pool: KeyPool,
    issuer: PkiIssuer,
) -> None:
    cards = [build_card(load_profile(p), keys=key_pool, issuer=issuer) for p in PROFILES]
    atrs = [card.atr for card in cards]
    chooser = random.Random(16)
    stays: list[Stay] = []
    checked = 0
    bridge: VpcdBridge | None = None
    try:
        for swap in range(SWAPS):
            index = swap % len(cards)
            if bridge is not None:
                bridge.stop()
                stays[-1].end = time.monotonic()
                assert wait_reported(vpcd_slot.reader, None)[-1] is None, f"swap {swap}"
            watched = Watched(cards[index])
            bridge = VpcdBridge(watched, port=vpcd_slot.port, reconnect=False)
            bridge.start()
            stays.append(Stay(index, time.monotonic()))
            assert watched.spoken.wait(5), "vpcd never asked the card anything"
            if swap % LONG_STAY_EVERY == LONG_STAY_EVERY - 1:
                seen = wait_reported(vpcd_slot.reader, atrs[index])
                assert seen[-1] == atrs[index], f"swap {swap}: {[a and a.hex() for a in seen]}"
                entry = readers_json(vpcd_slot.reader)
                assert entry["card_present"] is True
                assert entry["card_type"] == identify_atr(atrs[index]).family
                assert entry["atr"] == atrs[index].hex(" ").upper()
                checked += 1
            else:
                time.sleep(chooser.uniform(*SHORT_STAY))
    finally:
        if bridge is not None:
            bridge.stop()
    assert checked == SWAPS // LONG_STAY_EVERY
    inserted = [(at, e) for at, e in monitored if e.kind is EventKind.CARD_INSERTED]
    assert len(inserted) >= checked
    for at, event in inserted:
        assert event.atr is not None
        assert atr_shape(event.atr) is AtrShape.COMPLETE, event.atr.hex()
        assert event.atr in atrs, event.atr.hex()
        card = atrs.index(event.atr)
        assert event.card_type == identify_atr(atrs[card]).family != "unknown"
        # The card it names was in the reader shortly before the event.
        assert any(
            stay.card == card and stay.start <= at and stay.end >= at - RECENT for stay in stays
        ), f"{event.card_type} at {at:.2f} was not in the reader"
