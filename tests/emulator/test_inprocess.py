"""In-process emulated readers: events, connections, removal, transactions."""

from __future__ import annotations

import threading

import pytest

from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.inprocess import (
    DEMO_CPS_READER,
    DEMO_VITALE_READER,
    EmulatedBackend,
    demo_backend,
)
from cardbridge.emulator.keys import KeyPool
from cardbridge.errors import (
    CardAbsentError,
    CardCommunicationError,
    CardRemovedError,
    PcscError,
    ReaderNotFoundError,
)
from cardbridge.pcsc.atr import CardFamily
from cardbridge.pcsc.connection import Connection
from cardbridge.pcsc.reader_interface import EventKind, ReaderBackend, ReaderEvent
from tests.support.faults import FaultPlan, FaultyCard

STATUS = bytes.fromhex("00200001")


@pytest.fixture
def backend() -> EmulatedBackend:
    backend = EmulatedBackend(["A", "B"])
    backend.start()
    return backend


def test_demo_backend(key_pool: KeyPool) -> None:
    backend: ReaderBackend = demo_backend(keys=key_pool)
    assert backend.kind == "emulator"
    backend.start()
    states = {s.name: s for s in backend.events.snapshot()}
    assert states[DEMO_CPS_READER].card_type is CardFamily.CPS
    assert states[DEMO_VITALE_READER].card_type is CardFamily.VITALE
    assert backend.list_readers() == backend.events.snapshot()
    with backend.connect(DEMO_CPS_READER) as connection:
        assert isinstance(connection, Connection)
        assert connection.transmit(STATUS) == (b"", 0x63C3)


def test_events_and_states(backend: EmulatedBackend, cps: IsoCard) -> None:
    events: list[ReaderEvent] = []
    backend.events.subscribe(events.append)
    backend.insert("A", cps)
    backend.remove("A")
    backend.remove("A")  # already empty: nothing happens
    backend.add_reader("C")
    backend.remove_reader("C")
    assert [(e.kind, e.reader) for e in events] == [
        (EventKind.CARD_INSERTED, "A"),
        (EventKind.CARD_REMOVED, "A"),
        (EventKind.READER_ADDED, "C"),
        (EventKind.READER_REMOVED, "C"),
    ]
    assert events[0].atr == cps.atr
    assert [s.name for s in backend.events.snapshot()] == ["A", "B"]


def test_start_publishes_what_is_there(cps: IsoCard) -> None:
    backend = EmulatedBackend(["A"])
    backend.insert("A", cps)
    events: list[ReaderEvent] = []
    backend.events.subscribe(events.append)
    backend.start()
    backend.start()
    assert [e.kind for e in events] == [EventKind.READER_ADDED, EventKind.CARD_INSERTED]


def test_connect_errors(backend: EmulatedBackend) -> None:
    with pytest.raises(ReaderNotFoundError):
        backend.connect("Z")
    with pytest.raises(CardAbsentError):
        backend.connect("A")
    with pytest.raises(ReaderNotFoundError):
        backend.insert("Z", IsoCardStub())


class IsoCardStub:
    """A card that says yes to everything."""

    atr = b"\x3b\x00"

    def power_on(self) -> None: ...

    def power_off(self) -> None: ...

    def reset(self) -> None: ...

    def process(self, apdu: bytes) -> bytes:
        return b"\x90\x00"


def test_connection_belongs_to_one_insertion(backend: EmulatedBackend, cps: IsoCard) -> None:
    backend.insert("A", cps)
    connection = backend.connect("A")
    assert connection.reader == "A"
    assert connection.atr == cps.atr
    backend.remove("A")
    with pytest.raises(CardRemovedError):
        connection.transmit(STATUS)
    backend.insert("A", cps)  # the same card again: still a new insertion
    with pytest.raises(CardRemovedError):
        connection.transmit(STATUS)
    with pytest.raises(CardRemovedError), connection.transaction():
        pass
    assert backend.connect("A").transmit(STATUS) == (b"", 0x63C3)


def test_close_leaves_the_card_as_it_is(backend: EmulatedBackend, cps: IsoCard) -> None:
    backend.insert("A", cps)
    with backend.connect("A") as connection:
        assert connection.transmit(bytes.fromhex("0020000104 31323334")) == (b"", 0x9000)
    with pytest.raises(PcscError):
        connection.transmit(STATUS)
    assert backend.connect("A").transmit(STATUS) == (b"", 0x9000)  # still verified


def test_insert_powers_on_remove_powers_off(backend: EmulatedBackend, cps: IsoCard) -> None:
    backend.insert("A", cps)
    assert backend.connect("A").transmit(bytes.fromhex("0020000104 31323334"))[1] == 0x9000
    backend.insert("A", cps)  # taken out and in again
    assert backend.card("A") is cps
    assert backend.connect("A").transmit(STATUS) == (b"", 0x63C3)


def test_fault_removal_takes_the_card_out(backend: EmulatedBackend, cps: IsoCard) -> None:
    events: list[ReaderEvent] = []
    backend.events.subscribe(events.append)
    backend.insert("A", FaultyCard(cps, FaultPlan(remove_after=2)))
    connection = backend.connect("A")
    assert connection.transmit(STATUS) == (b"", 0x63C3)
    with pytest.raises(CardRemovedError):
        connection.transmit(STATUS)
    assert backend.card("A") is None
    assert events[-1].kind is EventKind.CARD_REMOVED
    with pytest.raises(CardAbsentError):
        backend.connect("A")


def test_truncated_response_is_a_communication_error(
    backend: EmulatedBackend, cps: IsoCard
) -> None:
    backend.insert("A", FaultyCard(cps, FaultPlan(truncate_at={1: 1})))
    with pytest.raises(CardCommunicationError):
        backend.connect("A").transmit(STATUS)


def test_transaction_is_exclusive_per_reader(backend: EmulatedBackend, cps: IsoCard) -> None:
    backend.insert("A", cps)
    backend.insert("B", IsoCardStub())
    first, second = backend.connect("A"), backend.connect("A")
    other_reader = backend.connect("B")
    entered = threading.Event()
    log: list[str] = []

    def competitor() -> None:
        entered.wait()
        other_reader.transmit(STATUS)
        log.append("other reader")
        second.transmit(STATUS)
        log.append("second")

    thread = threading.Thread(target=competitor)
    thread.start()
    with first.transaction():
        entered.set()
        thread.join(0.2)
        log.append("first done")
    thread.join()
    assert log == ["other reader", "first done", "second"]


def test_removal_during_a_transaction(backend: EmulatedBackend, cps: IsoCard) -> None:
    backend.insert("A", cps)
    connection = backend.connect("A")
    with connection.transaction():
        assert connection.transmit(STATUS)[1] == 0x63C3
        backend.remove("A")  # physical removal does not wait for the transaction
        with pytest.raises(CardRemovedError):
            connection.transmit(STATUS)
