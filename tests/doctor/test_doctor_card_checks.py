"""Checks of readers, cards and the CPS PIN counter, from facts made up for the situation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cardbridge.cards.models import PinStatus
from cardbridge.doctor.card_checks import check_cards, check_pin, check_readers
from cardbridge.doctor.pcsc_checks import PcscFacts
from cardbridge.doctor.pcsc_facts import CardProbe, PcscFailure, PcscProbe
from cardbridge.doctor.report import Status
from cardbridge.pcsc.reader_interface import ReaderState
from cardbridge.pcsc.scard_codes import ScardCode
from tests.support.doctor_facts import CPS3, UNKNOWN_ATR, VITALE2
from tests.support.doctor_facts import HEALTHY_PCSC as HEALTHY
from tests.support.doctor_facts import STOPPED_PCSC as STOPPED

FULL = PinStatus(tries_left=3, max_tries=3, blocked=False)


def test_healthy_readers_and_cards() -> None:
    assert check_readers(HEALTHY).message == "2 readers: “Reader A”, “Reader B”"
    assert check_cards(HEALTHY).message == "CPS3 (IAS-ECC) recognised in “Reader A”"
    assert check_readers(STOPPED).message == "not checked: pcscd cannot be reached"
    assert check_cards(STOPPED).status is Status.SKIPPED


def test_no_reader() -> None:
    facts = replace(HEALTHY, probe=PcscProbe(None))
    result = check_readers(facts)
    assert result.status is Status.ERROR
    assert result.message == "pcscd sees no card reader"
    assert result.fix is not None
    assert "lsusb" in result.fix
    assert "udev/60-cardbridge-readers.rules" in result.fix
    assert check_cards(facts).status is Status.SKIPPED


def probe_with(*cards: CardProbe) -> PcscFacts:
    states = tuple(ReaderState(card.reader, True, card.atr) for card in cards)
    return replace(HEALTHY, probe=PcscProbe(None, states, cards))


def test_cards_recognised_in_each_reader() -> None:
    result = check_cards(probe_with(CardProbe("A", CPS3), CardProbe("B", VITALE2)))
    assert result.status is Status.OK
    assert result.message == "CPS3 (IAS-ECC) recognised in “A”; Vitale 2 recognised in “B”"


def test_no_card_is_a_warning() -> None:
    facts = replace(HEALTHY, probe=PcscProbe(None, (ReaderState("A", False),)))
    result = check_cards(facts)
    assert (result.status, result.message) == (Status.WARNING, "no card in any reader")
    assert result.fix is not None
    assert "Insert the CPS" in result.fix


@pytest.mark.parametrize(
    ("card", "message", "fix"),
    [
        (
            CardProbe("A", UNKNOWN_ATR),
            "unknown card in “A” (ATR 3B 8F 80 01",
            "send this ATR to the cardbridge maintainers",
        ),
        (CardProbe("A", None), "the card in “A” does not answer", "chip first"),
        (
            CardProbe("A", CPS3, PcscFailure(ScardCode.W_UNRESPONSIVE_CARD, "cannot talk")),
            "the card in “A” does not answer",
            "insert it again",
        ),
        (
            CardProbe("A", CPS3, PcscFailure(ScardCode.E_SHARING_VIOLATION, "busy")),
            "held exclusively by another program",
            "Close the other program",
        ),
    ],
)
def test_card_problems_are_warnings(card: CardProbe, message: str, fix: str) -> None:
    result = check_cards(probe_with(card, CardProbe("B", CPS3)))
    assert result.status is Status.WARNING
    assert message in result.message
    assert "CPS3 (IAS-ECC) recognised in “B”" in result.message
    assert result.fix is not None
    assert fix in result.fix


def test_pin_counter_of_each_cps() -> None:
    result = check_pin(probe_with(CardProbe("A", CPS3, pin=FULL), CardProbe("B", VITALE2)))
    assert (result.status, result.message) == (Status.OK, "3 of 3 tries left on the CPS in “A”")


def test_pin_without_cps_or_reader() -> None:
    assert check_pin(probe_with(CardProbe("B", VITALE2))).message == (
        "not checked: no CPS in a reader"
    )
    assert check_pin(STOPPED).status is Status.SKIPPED


@pytest.mark.parametrize(
    ("pin", "status", "message", "fix"),
    [
        (
            PinStatus(tries_left=2, max_tries=3, blocked=False),
            Status.WARNING,
            "2 of 3 tries left on the CPS in “A”",
            "another program is presenting one",
        ),
        (
            PinStatus(tries_left=1, max_tries=3, blocked=False),
            Status.WARNING,
            "1 of 3 tries left on the CPS in “A”: the next wrong PIN blocks the card",
            "A right PIN sets the counter back.",
        ),
        (
            PinStatus(tries_left=0, max_tries=3, blocked=True),
            Status.ERROR,
            "blocked on the CPS in “A”",
            "unblock it with the PUK",
        ),
    ],
)
def test_pin_spent_or_blocked(pin: PinStatus, status: Status, message: str, fix: str) -> None:
    result = check_pin(probe_with(CardProbe("A", CPS3, pin=pin)))
    assert (result.status, result.message) == (status, message)
    assert fix in (result.fix or "")


def test_pin_counter_unreadable() -> None:
    card = CardProbe("A", CPS3, pin_error="This card has the ATR of a CPS but was not issued")
    result = check_pin(probe_with(card, CardProbe("B", CPS3, pin=FULL)))
    assert result.status is Status.WARNING
    assert result.message == (
        "the PIN counter of the CPS in “A” could not be read: This card has the ATR of a CPS "
        "but was not issued; 3 of 3 tries left on the CPS in “B”"
    )
