"""The pyscard backend on the real pcscd, with a scripted card in a vpcd reader."""

from __future__ import annotations

import pytest
from smartcard import scard

from cardbridge.errors import (
    CardAbsentError,
    CardBusyError,
    CardCommunicationError,
    CardRemovedError,
    CardResetError,
    ReaderNotFoundError,
)
from cardbridge.pcsc.apdu import CommandApdu
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.connection import Connection
from cardbridge.pcsc.protocol import ApduProtocol
from cardbridge.pcsc.reader_interface import EventKind, ReaderState
from testkit.cards import CPS3_ATR
from testkit.events import EVENT_TIMEOUT
from tests.real.pcsc.conftest import InsertedCard

VERIFY_1234 = bytes.fromhex("002000010431323334")
VERIFY_STATUS = bytes.fromhex("00200001")
SW_OK = 0x9000
SW_NOT_VERIFIED = 0x63C3

_PROTOCOLS = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1


class OtherProgram:
    """Another PC/SC client on the same card, through raw pyscard."""

    def __init__(self, reader: str, share: int = scard.SCARD_SHARE_SHARED) -> None:
        code, self.context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        assert code == 0
        code, self.card, _ = scard.SCardConnect(self.context, reader, share, _PROTOCOLS)
        assert code == 0, hex(code)

    def disconnect(self, disposition: int = scard.SCARD_LEAVE_CARD) -> None:
        assert scard.SCardDisconnect(self.card, disposition) == 0
        scard.SCardReleaseContext(self.context)


def test_list_readers_shows_the_card_and_its_type(inserted: InsertedCard) -> None:
    states = {state.name: state for state in inserted.backend.list_readers()}
    assert states[inserted.reader] == ReaderState(inserted.reader, True, CPS3_ATR)
    assert states[inserted.reader].card_type == "cps"


def test_connection_is_a_connection(inserted: InsertedCard) -> None:
    with inserted.backend.connect(inserted.reader) as connection:
        assert isinstance(connection, Connection)
        assert connection.reader == inserted.reader
        assert connection.atr == CPS3_ATR


def test_transmit_returns_data_and_status_word(inserted: InsertedCard) -> None:
    with inserted.backend.connect(inserted.reader) as connection:
        assert connection.transmit(bytes.fromhex("00B0000004")) == (bytes([0, 1, 2, 3]), SW_OK)
        data, sw = connection.transmit(bytes.fromhex("00B0000000"))
        assert (len(data), sw) == (256, SW_OK)
        assert connection.transmit(bytes.fromhex("00EE0000")) == (b"", 0x6D00)


def test_protocol_follows_61xx_through_pcscd(inserted: InsertedCard) -> None:
    with inserted.backend.connect(inserted.reader) as connection:
        protocol = ApduProtocol(connection)
        data = protocol.send(CommandApdu(0x00, 0xCA, 0x00, 0x00, le=256))
    assert data == inserted.card.long_data  # 200 bytes, then 61 00 (256), then 61 90 (144)
    assert protocol.apdu_count == 3


def test_transaction_around_several_apdus(inserted: InsertedCard) -> None:
    with inserted.backend.connect(inserted.reader) as connection:
        with connection.transaction():
            assert connection.transmit(VERIFY_1234)[1] == SW_OK
            with connection.transaction():  # re-entrant
                assert connection.transmit(bytes.fromhex("0084000008"))[1] == SW_OK
            assert connection.transmit(VERIFY_STATUS)[1] == SW_OK
        assert connection.transmit(VERIFY_STATUS)[1] == SW_OK


def test_close_leaves_the_card_powered_with_its_state(inserted: InsertedCard) -> None:
    connection = inserted.backend.connect(inserted.reader)
    seen = len(inserted.card.power_events())
    assert connection.transmit(VERIFY_1234)[1] == SW_OK
    connection.close()
    connection.close()  # idempotent
    # Reconnect at once (pcscd powers idle cards off only after a grace period).
    with inserted.backend.connect(inserted.reader) as again:
        assert again.transmit(VERIFY_STATUS)[1] == SW_OK  # still verified
    assert inserted.card.power_events()[seen:] == []


def test_the_check_above_would_see_a_power_off(inserted: InsertedCard) -> None:
    """Control for the test above: a client that unpowers the card is noticed."""
    other = OtherProgram(inserted.reader)
    seen = len(inserted.card.power_events())
    other.disconnect(scard.SCARD_UNPOWER_CARD)
    with inserted.backend.connect(inserted.reader) as connection:
        assert connection.transmit(VERIFY_STATUS)[1] == SW_NOT_VERIFIED
    assert "power_off" in inserted.card.power_events()[seen:]


def test_reset_by_another_program_fails_the_operation_then_recovers(
    inserted: InsertedCard,
) -> None:
    with inserted.backend.connect(inserted.reader) as connection:
        assert connection.transmit(VERIFY_1234)[1] == SW_OK
        other = OtherProgram(inserted.reader)
        other.disconnect(scard.SCARD_RESET_CARD)
        with pytest.raises(CardResetError) as caught:
            connection.transmit(VERIFY_STATUS)
        assert caught.value.code == "card_removed"
        assert caught.value.reader == inserted.reader
        # Reconnected, leaving the card as it is: usable, and honest about the lost PIN.
        assert connection.transmit(VERIFY_STATUS)[1] == SW_NOT_VERIFIED
    assert "reset" in inserted.card.power_events()


def test_reset_seen_when_a_transaction_begins(inserted: InsertedCard) -> None:
    with inserted.backend.connect(inserted.reader) as connection:
        OtherProgram(inserted.reader).disconnect(scard.SCARD_RESET_CARD)
        with pytest.raises(CardResetError), connection.transaction():
            pytest.fail("the transaction must not start on a reset card")
        with connection.transaction():
            assert connection.transmit(VERIFY_STATUS)[1] == SW_NOT_VERIFIED


def test_card_held_exclusively_elsewhere_is_busy(inserted: InsertedCard) -> None:
    other = OtherProgram(inserted.reader, scard.SCARD_SHARE_EXCLUSIVE)
    try:
        with pytest.raises(CardBusyError) as caught:
            inserted.backend.connect(inserted.reader)
        assert "another program" in caught.value.message
    finally:
        other.disconnect()


def test_removed_card(inserted: InsertedCard) -> None:
    with inserted.backend.connect(inserted.reader) as connection:
        inserted.bridge.stop()
        assert inserted.log.wait_for_event(EventKind.CARD_REMOVED, inserted.reader, EVENT_TIMEOUT)
        with pytest.raises(CardRemovedError):
            connection.transmit(VERIFY_STATUS)


def test_closed_connection_refuses_to_transmit(inserted: InsertedCard) -> None:
    connection = inserted.backend.connect(inserted.reader)
    connection.close()
    with pytest.raises(CardCommunicationError, match="closed"):
        connection.transmit(VERIFY_STATUS)


def test_empty_reader(empty_reader: str, backend: PcscBackend) -> None:
    assert ReaderState(empty_reader, False) in backend.list_readers()
    with pytest.raises(CardAbsentError) as caught:
        backend.connect(empty_reader)
    assert caught.value.reader == empty_reader


def test_unknown_reader(backend: PcscBackend) -> None:
    with pytest.raises(ReaderNotFoundError, match="“No Such Reader 00 00”"):
        backend.connect("No Such Reader 00 00")
