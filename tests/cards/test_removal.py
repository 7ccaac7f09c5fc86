"""A card pulled out at every APDU of a read and of a PIN verification: a typed error each
time, and the PIN counter untouched unless the VERIFY reached the card."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest

from cardbridge.cards.cps import CpsSession
from cardbridge.cards.vitale import VitaleSession
from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.faults import FaultPlan, FaultyCard
from cardbridge.errors import CardRemovedError, PinInvalidError
from cardbridge.pcsc.apdu import Ins
from tests.cards.conftest import connected

MakeCard = Callable[[object], IsoCard]
Operation = Callable[[IsoCard], object]


def read_practitioner(card: IsoCard) -> object:
    with connected(card) as connection:
        return CpsSession(connection).read_practitioner()


def verify_wrong_pin(card: IsoCard) -> object:
    with connected(card) as connection:
        return CpsSession(connection).verify_pin("9999")


def read_vitale(card: IsoCard) -> object:
    with connected(card) as connection:
        return VitaleSession(connection).read()


def tries_left(card: IsoCard) -> int:
    card.power_off()  # the card was pulled out: it comes back powered off
    with connected(card) as connection:
        return CpsSession(connection).pin_status().tries_left


def apdus_of(operation: Operation, card: IsoCard) -> list[bytes]:
    """The APDUs one clean run of ``operation`` sends."""
    sent: list[bytes] = []
    process = card.process

    def recording(apdu: bytes) -> bytes:
        sent.append(apdu)
        return process(apdu)

    card.process = recording  # type: ignore[method-assign]
    try:
        with contextlib.suppress(PinInvalidError):  # verify_wrong_pin's expected outcome
            operation(card)
    finally:
        del card.process
    return sent


@pytest.mark.parametrize(
    ("profile", "operation"),
    [
        ("demo-cps", read_practitioner),
        ("demo-cps", verify_wrong_pin),
        ("demo-vitale", read_vitale),
    ],
)
@pytest.mark.parametrize("when", ["remove_before", "remove_after"])
def test_removal_at_every_apdu(
    make_card: MakeCard, profile: str, operation: Operation, when: str
) -> None:
    sent = apdus_of(operation, make_card(profile))
    assert sent
    for number, apdu in enumerate(sent, start=1):
        card = make_card(profile)
        before = tries_left(card) if profile == "demo-cps" else None
        faulty = FaultyCard(card, FaultPlan(**{when: number}))
        with pytest.raises(CardRemovedError):
            operation(faulty)  # type: ignore[arg-type]
        if before is not None:
            reached_card = when == "remove_after" and apdu[1] == Ins.VERIFY
            assert tries_left(card) == before - reached_card, (when, number)
