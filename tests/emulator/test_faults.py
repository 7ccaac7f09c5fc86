"""Fault injection: removal before/after an APDU, held answers, delays, forced status words,
truncation."""

from __future__ import annotations

import threading
import time

import pytest

from cardbridge.emulator.engine import IsoCard
from cardbridge.errors import CardResetError
from testkit.apdu import sw
from tests.support.faults import FaultPlan, FaultyCard

RIGHT = "0020000104 31323334"
WRONG = "0020000104 39393939"
STATUS = "00200001"


def test_removed_before_an_apdu_it_never_runs(cps: IsoCard) -> None:
    removed: list[bool] = []
    card = FaultyCard(cps, FaultPlan(remove_before=2), on_removed=lambda: removed.append(True))
    assert sw(card, STATUS) == 0x63C3
    assert card.process(bytes.fromhex(WRONG)) == b""
    assert removed == [True]
    assert card.removed
    assert card.process(bytes.fromhex(STATUS)) == b""
    assert sw(cps, STATUS) == 0x63C3  # the wrong PIN never reached the card


def test_removed_after_an_apdu_it_ran(cps: IsoCard) -> None:
    card = FaultyCard(cps, FaultPlan(remove_after=1))
    assert card.process(bytes.fromhex(WRONG)) == b""
    assert sw(cps, STATUS) == 0x63C2  # the try was spent, the answer lost
    assert card.apdu_count == 1


def test_removal_powers_the_card_off(cps: IsoCard) -> None:
    assert sw(cps, RIGHT) == 0x9000
    card = FaultyCard(cps, FaultPlan(remove_before=1))
    card.process(bytes.fromhex(STATUS))
    card.power_on()  # ignored: the card is gone
    assert sw(cps, STATUS) == 0x63C3


def test_a_held_answer_waits_for_the_release(cps: IsoCard) -> None:
    card = FaultyCard(cps, FaultPlan(hold_after=2))
    assert sw(card, STATUS) == 0x63C3
    assert not card.holding.is_set()
    answers: list[bytes] = []
    host = threading.Thread(target=lambda: answers.append(card.process(bytes.fromhex(WRONG))))
    host.start()
    assert card.holding.wait(5.0)
    assert sw(cps, STATUS) == 0x63C2  # the command ran on the card
    assert answers == []  # but its answer has not reached the host
    card.release()
    host.join(5.0)
    assert answers == [bytes.fromhex("63C2")]
    assert sw(card, STATUS) == 0x63C2  # the APDUs after it are not held


def test_reset_before_an_apdu_it_never_runs(cps: IsoCard) -> None:
    card = FaultyCard(cps, FaultPlan(reset_before=3))
    assert card.process(bytes.fromhex(RIGHT)) == bytes.fromhex("9000")
    assert sw(card, STATUS) == 0x9000
    with pytest.raises(CardResetError):
        card.process(bytes.fromhex(WRONG))
    assert not card.removed
    assert sw(card, STATUS) == 0x63C3  # the wrong PIN never ran; the verified PIN is gone


def test_reset_after_an_apdu_it_ran(cps: IsoCard) -> None:
    card = FaultyCard(cps, FaultPlan(reset_after=1))
    with pytest.raises(CardResetError):
        card.process(bytes.fromhex(RIGHT))
    assert sw(card, STATUS) == 0x63C3  # verified, then reset: no longer verified
    card = FaultyCard(cps, FaultPlan(reset_after=1))
    with pytest.raises(CardResetError):
        card.process(bytes.fromhex(WRONG))
    assert sw(card, STATUS) == 0x63C2  # the try was spent, the answer lost
    assert card.apdu_count == 2


def test_forced_status_words(cps: IsoCard) -> None:
    card = FaultyCard(cps, FaultPlan(status_at={2: 0x6F00}, status_for_ins={0x84: 0x6D00}))
    assert sw(card, STATUS) == 0x63C3
    assert card.process(bytes.fromhex(RIGHT)) == bytes.fromhex("6F00")
    assert sw(card, STATUS) == 0x63C3  # the forced answer replaced the command
    assert sw(card, "0084000008") == 0x6D00
    assert card.process(b"") == bytes.fromhex("6700")


def test_truncated_response(cps: IsoCard) -> None:
    card = FaultyCard(cps, FaultPlan(truncate_at={1: 5}))
    assert card.process(bytes.fromhex("00B09C0000")) == bytes.fromhex("5A0A802500")
    assert len(card.process(bytes.fromhex("00B09C0000"))) == 14


def test_delay(cps: IsoCard) -> None:
    card = FaultyCard(cps, FaultPlan(delay=0.05))
    start = time.perf_counter()
    sw(card, STATUS)
    assert time.perf_counter() - start >= 0.05
    assert card.atr == cps.atr
