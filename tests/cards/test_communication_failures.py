"""A removal that first reads as a communication failure is reported as ``card_removed``.

pcscd answers an exchange cut by a removal with an error (``card_communication_error``)
and notices the empty reader only at its next look. :class:`LateNotice` plays that
transport over an in-process card.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from smartcard import scard

from cardbridge.cards import session as card_session
from cardbridge.cards.cps import CpsSession
from cardbridge.cards.vitale import VitaleSession
from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.inprocess import EmulatedBackend
from cardbridge.errors import CardBridgeError, CardCommunicationError, CardRemovedError
from cardbridge.pcsc.backend import PcscConnection
from cardbridge.pcsc.connection import Connection, RemovalAware
from cardbridge.pcsc.scard_codes import ScardCode
from tests.cards.conftest import READER, connected
from tests.cards.operations import PIN, WRONG_PIN, PinState

MakeCard = Callable[[object], IsoCard]


class CutTransport:
    """A connection whose card is pulled out during APDU ``fails_at``: that APDU and
    the next ones fail without reaching the card."""

    def __init__(self, connection: Connection, fails_at: int) -> None:
        self._connection = connection
        self.fails_at = fails_at
        self.sent = 0

    @property
    def reader(self) -> str:
        return self._connection.reader

    @property
    def atr(self) -> bytes:
        return self._connection.atr

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent += 1
        if self.sent >= self.fails_at:
            raise CardCommunicationError(reader=self.reader)
        return self._connection.transmit(apdu)

    def transaction(self) -> AbstractContextManager[None]:
        return self._connection.transaction()

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> CutTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class LateNotice(CutTransport):
    """The same, over a transport that knows the card left from its ``noticed_at``-th look."""

    def __init__(self, connection: Connection, fails_at: int, noticed_at: int = 3) -> None:
        super().__init__(connection, fails_at)
        self.noticed_at = noticed_at
        self.looks = 0

    def card_removed(self) -> bool:
        self.looks += 1
        return self.sent >= self.fails_at and self.looks >= self.noticed_at


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(card_session, "REMOVAL_POLL", 0.0)


Operation = Callable[[Connection], object]
OPERATIONS: dict[str, tuple[str, Operation, int]] = {
    # name: (profile, operation, APDUs of a clean run)
    "verify_wrong_pin": ("demo-cps", lambda c: CpsSession(c).verify_pin(WRONG_PIN), 3),
    "read_practitioner": ("demo-cps", lambda c: CpsSession(c).read_practitioner(), 17),
    "vitale_read": ("demo-vitale", lambda c: VitaleSession(c).read(), 5),
}


@pytest.mark.parametrize("name", OPERATIONS)
def test_a_failure_at_every_apdu_then_the_card_gone_is_a_removal(
    make_card: MakeCard, name: str
) -> None:
    profile, operation, apdus = OPERATIONS[name]
    for fails_at in range(1, apdus + 1):
        card = make_card(profile)
        with connected(card) as connection:
            late = LateNotice(connection, fails_at)
            with pytest.raises(CardBridgeError) as caught:
                operation(late)
            assert type(caught.value) is CardRemovedError, (name, fails_at)
            assert isinstance(caught.value.__cause__, CardCommunicationError)
            assert late.looks == late.noticed_at
        if profile == "demo-cps":
            assert PinState.of(card).tries_left == 3  # the VERIFY never reached the card


def test_a_failure_with_the_card_still_there_stays_a_communication_error(
    make_card: MakeCard, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(card_session, "REMOVAL_CONFIRMATION", 0.0)
    with connected(make_card("demo-cps")) as connection:
        late = LateNotice(connection, fails_at=3, noticed_at=10**9)
        with pytest.raises(CardBridgeError) as caught:
            CpsSession(late).verify_pin(PIN)
    assert type(caught.value) is CardCommunicationError
    assert late.looks >= 1


def test_a_transport_that_cannot_tell_keeps_its_error(make_card: MakeCard) -> None:
    with connected(make_card("demo-cps")) as connection:
        cut = CutTransport(connection, fails_at=1)
        assert not isinstance(cut, RemovalAware)
        with pytest.raises(CardBridgeError) as caught:
            CpsSession(cut).pin_status()
    assert type(caught.value) is CardCommunicationError


def test_in_process_connections_know_their_card_left(make_card: MakeCard) -> None:
    card = make_card("demo-vitale")
    backend = EmulatedBackend([READER])
    backend.insert(READER, card)
    with backend.connect(READER) as connection:
        assert isinstance(connection, RemovalAware)
        assert not connection.card_removed()
        backend.remove(READER)
        assert connection.card_removed()
        backend.insert(READER, card)
        assert connection.card_removed()  # put back: another insertion, not this card
        assert not backend.connect(READER).card_removed()


@pytest.mark.parametrize(
    ("code", "removed"),
    [
        (ScardCode.S_SUCCESS, False),
        (ScardCode.W_REMOVED_CARD, True),
        (ScardCode.E_NO_SMARTCARD, True),
        (ScardCode.E_READER_UNAVAILABLE, True),
        (ScardCode.E_INVALID_HANDLE, True),
        (ScardCode.W_RESET_CARD, False),  # reset, but there
        (ScardCode.E_NO_SERVICE, False),  # pcscd away: nothing known of the card
        (ScardCode.E_NOT_TRANSACTED, False),
    ],
)
def test_pcsc_connections_ask_scardstatus(
    monkeypatch: pytest.MonkeyPatch, code: ScardCode, removed: bool
) -> None:
    asked: list[int] = []

    def status(card: int) -> tuple[int, str, int, int, list[int]]:
        asked.append(card)
        return int(code), "", 0, 0, []

    monkeypatch.setattr(scard, "SCardStatus", status)
    connection = PcscConnection.__new__(PcscConnection)
    connection._reader, connection._card = "Virtual PCD 00 00", 42
    connection._given_up = False
    assert connection.card_removed() is removed
    assert asked == [42]
    connection._card = None  # closed: nothing to ask
    assert connection.card_removed() is False
    assert asked == [42]
