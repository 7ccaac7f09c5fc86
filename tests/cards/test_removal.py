"""A card pulled out at every APDU of every card operation (issues 4 and 9).

For each operation of :data:`~tests.cards.operations.OPERATIONS` (PIN status, VERIFY right
and wrong, reads with and without the situations, certificates, PIN change and unblock
with right and wrong secrets, token, authentication, signature, the VIHF of a DMP access,
the Vitale read) and each of its APDUs, the card leaves the reader either before the APDU
reaches it or after it ran (its answer lost). Every time:

- the caller gets ``CardRemovedError``, never another error (``pin_invalid``…) or a hang;
- the PIN state is untouched unless the PIN command reached the card, and then it is what
  that command does (a try spent, the PIN changed, the PUK try spent…);
- nothing stale after the card is put back: the old connection answers ``card_removed``,
  the card has lost its verified PIN (the situations need the PIN again), and a DMP
  access that failed left no journal record.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cardbridge.cards.cps import CpsSession
from cardbridge.cards.vitale import VitaleSession
from cardbridge.dmp.workflow import DmpWorkflow
from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.inprocess import EmulatedBackend
from cardbridge.errors import CardBridgeError, CardRemovedError, PinRequiredError
from tests.cards.conftest import READER
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
# Pulled out before the APDU reaches the card, or after it ran (its answer lost).
REMOVALS: dict[str, Callable[[int], FaultPlan]] = {
    "before": lambda number: FaultPlan(remove_before=number),
    "after": lambda number: FaultPlan(remove_after=number),
}


@pytest.mark.timeout(60)  # a hang fails the operation, not the whole run
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_removal_at_every_apdu(
    make_card: MakeCard, dmp_workflow: DmpWorkflow, operation: Operation
) -> None:
    exchange = clean_exchange(operation, make_card(operation.profile), dmp_workflow)
    assert exchange.sent
    for when, removal in REMOVALS.items():
        for number, apdu in enumerate(exchange.sent, start=1):
            where = f"{operation}: removed {when} APDU {number} ({command_name(apdu)})"
            card = make_card(operation.profile)
            if operation.start is not None:
                operation.start.put(card)
            backend = EmulatedBackend([READER])
            backend.insert(READER, FaultyCard(card, removal(exchange.prepared + number)))
            records = len(dmp_workflow.journal.query())
            with backend.connect(READER) as connection:
                call = Call(operation.session(connection), dmp_workflow)
                operation.prepare(call)
                before = PinState.of(card) if operation.start is not None else None
                with pytest.raises(CardBridgeError) as caught:
                    operation.run(call)
                assert type(caught.value) is CardRemovedError, where
                assert backend.card(READER) is None, where
                backend.insert(READER, card)
                with pytest.raises(CardRemovedError):  # never the card put back since
                    call.session.pin_status() if before else call.session.read()
            assert len(dmp_workflow.journal.query()) == records, where
            with backend.connect(READER) as connection:
                if before is None:
                    assert VitaleSession(connection).read() == exchange.result, where
                    continue
                reached = exchange.reached(operation.secret, number, ran=when == "after")
                expected = operation.reached if reached else before
                assert PinState.of(card) == expected, where
                session = CpsSession(connection)
                assert session.pin_status().tries_left == expected.tries_left, where
                with pytest.raises(PinRequiredError):
                    session.read_situations()
