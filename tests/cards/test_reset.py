"""A card reset (by another program, or the reader) during a PIN command: ``card_removed``,
never ``pin_invalid``; the PIN state changed only if the command reached the card.

PC/SC reports a reset instead of the answer (``SCARD_W_RESET_CARD``), which the transport
raises as ``CardResetError`` (code ``card_removed``); the connection stays usable, and the
card has lost its verified PIN.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cardbridge.dmp.workflow import DmpWorkflow
from cardbridge.emulator.engine import IsoCard
from cardbridge.errors import CardBridgeError, CardResetError, PinRequiredError
from tests.cards.conftest import connected
from tests.cards.operations import (
    OPERATIONS,
    Call,
    Operation,
    PinState,
    clean_exchange,
    command_name,
)
from tests.support.faults import FaultPlan, FaultyCard

MakeCard = Callable[[object], IsoCard]
RESETS: dict[str, Callable[[int], FaultPlan]] = {
    "before": lambda number: FaultPlan(reset_before=number),
    "after": lambda number: FaultPlan(reset_after=number),
}
PIN_COMMANDS = [operation for operation in OPERATIONS if operation.secret is not None]


@pytest.mark.parametrize("operation", PIN_COMMANDS, ids=str)
def test_reset_at_every_apdu_of_a_pin_command(
    make_card: MakeCard, dmp_workflow: DmpWorkflow, operation: Operation
) -> None:
    exchange = clean_exchange(operation, make_card(operation.profile), dmp_workflow)
    assert operation.start is not None
    for when, reset in RESETS.items():
        for number, apdu in enumerate(exchange.sent, start=1):
            where = f"{operation}: reset {when} APDU {number} ({command_name(apdu)})"
            card = make_card(operation.profile)
            operation.start.put(card)
            with connected(FaultyCard(card, reset(exchange.prepared + number))) as connection:
                call = Call(operation.session(connection), dmp_workflow)
                operation.prepare(call)
                before = PinState.of(card)
                with pytest.raises(CardBridgeError) as caught:
                    operation.run(call)
                assert type(caught.value) is CardResetError, where
                assert caught.value.code == "card_removed"
                reached = exchange.reached(operation.secret, number, ran=when == "after")
                expected = operation.reached if reached else before
                assert PinState.of(card) == expected, where
                # The same connection goes on, with a card that forgot its verified PIN.
                assert call.session.pin_status().tries_left == expected.tries_left, where
                with pytest.raises(PinRequiredError):
                    call.session.read_situations()
