"""Another PC/SC application (a separate process) holding the card in a transaction.

pcsc-lite makes every other client's SCardConnect and SCardBeginTransaction wait for
as long as that program holds its transaction: cardbridge gives up after its deadline
with ``card_busy`` (never hangs), refuses new connections at once while its given-up
call still waits, and cleans up after itself when the card is released.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from smartcard import scard

from cardbridge.errors import CardBusyError
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.holdup import HELD_MESSAGE
from tests.real.pcsc.conftest import InsertedCard
from tests.real.pcsc.test_backend import OtherProgram
from tests.support.other_program import card_held_by_another_program

BUSY_TIMEOUT = 0.5
RELEASE_TIMEOUT = 10.0
READ = bytes.fromhex("00B0000004")


@pytest.fixture
def impatient(inserted: InsertedCard) -> Iterator[PcscBackend]:
    """A second backend on the same card, giving up after half a second."""
    backend = PcscBackend(busy_timeout=BUSY_TIMEOUT)
    yield backend
    backend.stop()


def wait_released(backend: PcscBackend, reader: str) -> None:
    deadline = time.monotonic() + RELEASE_TIMEOUT
    while backend._held_up.held_up(reader):
        assert time.monotonic() < deadline, "the given-up call never returned"
        time.sleep(0.02)


def test_a_transaction_held_elsewhere_gives_card_busy(
    inserted: InsertedCard, impatient: PcscBackend
) -> None:
    reader = inserted.reader
    connection = impatient.connect(reader)
    with card_held_by_another_program(reader) as other:
        with pytest.raises(CardBusyError) as busy, connection.transaction():
            connection.transmit(READ)
        assert busy.value.message == HELD_MESSAGE
        # The connection whose call was given up is unusable; new ones are refused at once.
        with pytest.raises(CardBusyError):
            connection.transmit(READ)
        with pytest.raises(CardBusyError):
            impatient.connect(reader)
        connection.close()  # a no-op: the late call cleans up
        other.release()
    wait_released(impatient, reader)
    with impatient.connect(reader) as again, again.transaction():
        assert again.transmit(READ) == (bytes([0, 1, 2, 3]), 0x9000)


def test_the_late_transaction_is_ended_for_the_others(
    inserted: InsertedCard, impatient: PcscBackend
) -> None:
    """The transaction obtained after giving up is ended at once: nobody stays locked out."""
    reader = inserted.reader
    connection = impatient.connect(reader)
    with card_held_by_another_program(reader) as other:
        with pytest.raises(CardBusyError), connection.transaction():
            pass
        other.release()
    wait_released(impatient, reader)
    third = OtherProgram(reader)
    begun: list[int] = []
    worker = threading.Thread(target=lambda: begun.append(scard.SCardBeginTransaction(third.card)))
    worker.start()
    worker.join(RELEASE_TIMEOUT)
    assert begun == [0], "the card stayed locked by the given-up transaction"
    scard.SCardEndTransaction(third.card, scard.SCARD_LEAVE_CARD)
    third.disconnect()


def test_connecting_while_held_gives_card_busy(
    inserted: InsertedCard, impatient: PcscBackend
) -> None:
    reader = inserted.reader
    with card_held_by_another_program(reader) as other:
        with pytest.raises(CardBusyError):
            impatient.connect(reader)
        other.release()
    wait_released(impatient, reader)
    with impatient.connect(reader) as connection:
        assert connection.transmit(READ)[1] == 0x9000
