"""Reader monitor logic: event diffs, and the monitor thread against a fake PC/SC layer."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from smartcard import scard

from cardbridge.pcsc import monitor as monitor_module
from cardbridge.pcsc.monitor import PcscMonitor, Tracked, reader_changes, removal_changes
from cardbridge.pcsc.reader_interface import EventHub, EventKind, ReaderState
from testkit.events import EventLog
from tests.support.fake_scard import FakeScard

CPS3 = bytes.fromhex("3BAC00402A001225006480000310009000")
VITALE = bytes.fromhex("3B751300004309EA9000")

ADDED, REMOVED = EventKind.READER_ADDED, EventKind.READER_REMOVED
INSERTED, EJECTED = EventKind.CARD_INSERTED, EventKind.CARD_REMOVED
UNAVAILABLE, AVAILABLE = EventKind.PCSC_UNAVAILABLE, EventKind.PCSC_AVAILABLE


def tracked(counter: int, atr: bytes | None = None, flags: int = 0) -> Tracked:
    presence = 0x20 if atr else 0x10
    return Tracked(ReaderState("R", atr is not None, atr), counter << 16 | presence | flags)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param(None, tracked(0), [ADDED], id="new empty reader"),
        pytest.param(None, tracked(1, CPS3), [ADDED, INSERTED], id="new reader with card"),
        pytest.param(tracked(0), tracked(1, CPS3), [INSERTED], id="insertion"),
        pytest.param(tracked(1, CPS3), tracked(2), [EJECTED], id="removal"),
        pytest.param(tracked(1, CPS3), tracked(3, VITALE), [EJECTED, INSERTED], id="swap"),
        pytest.param(tracked(1, CPS3), tracked(3, CPS3), [EJECTED, INSERTED], id="same ATR swap"),
        pytest.param(tracked(1, CPS3), tracked(1, CPS3, 0x100), [], id="card now in use"),
        pytest.param(tracked(0), tracked(2), [], id="in and out unseen"),
    ],
)
def test_reader_changes(before: Tracked | None, after: Tracked, expected: list[EventKind]) -> None:
    changes = reader_changes(before, after)
    assert [event.kind for event, _ in changes] == expected
    for event, state in changes:
        if event.kind is INSERTED:
            assert event.atr == after.state.atr
            assert state == after.state
        if event.kind is EJECTED:
            assert state == ReaderState("R", card_present=False)


def test_swap_reports_the_new_card_type() -> None:
    changes = reader_changes(tracked(1, CPS3), tracked(3, VITALE))
    assert changes[-1][0].card_type == "vitale"


def test_removed_reader_loses_its_card_first() -> None:
    assert [e.kind for e, _ in removal_changes(tracked(1, CPS3))] == [EJECTED, REMOVED]
    assert [e.kind for e, _ in removal_changes(tracked(2))] == [REMOVED]


# --- the monitor thread, with a fake PC/SC layer ----------------------------------------


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeScard:
    fake = FakeScard()
    monkeypatch.setattr(monitor_module, "scard", fake)
    return fake


@pytest.fixture
def hub() -> EventHub:
    return EventHub()


@pytest.fixture
def log(hub: EventHub) -> EventLog:
    return EventLog(hub)


@pytest.fixture
def monitor(fake: FakeScard, hub: EventHub) -> Iterator[PcscMonitor]:
    monitor = PcscMonitor(hub)
    yield monitor
    monitor.stop()


def settle(log: EventLog, count: int) -> list[tuple[EventKind, str]]:
    assert log.wait_for(lambda events: len(events) >= count, 5.0), log.kinds()
    return log.kinds()


def test_start_reports_readers_and_cards(
    fake: FakeScard, monitor: PcscMonitor, log: EventLog, hub: EventHub
) -> None:
    fake.add_reader("A")
    fake.add_reader("B")
    fake.insert("B", CPS3)
    monitor.start()
    assert settle(log, 3) == [(ADDED, "A"), (ADDED, "B"), (INSERTED, "B")]
    assert hub.snapshot() == [ReaderState("A", False), ReaderState("B", True, CPS3)]


def test_cards_in_and_out(fake: FakeScard, monitor: PcscMonitor, log: EventLog) -> None:
    fake.add_reader("A")
    monitor.start()
    settle(log, 1)
    fake.insert("A", CPS3)
    settle(log, 2)
    fake.remove_card("A")
    settle(log, 3)
    events = log.events
    assert [e.kind for e in events[:3]] == [ADDED, INSERTED, EJECTED]
    assert events[1].card_type == "cps"


def test_the_monitor_waits_without_polling(
    fake: FakeScard, monitor: PcscMonitor, log: EventLog
) -> None:
    """Its waits have no timeout (INFINITE): it wakes for a change or a cancel, never on a
    clock (the fake treats any other non-zero timeout as endless, so look at them)."""
    fake.add_reader("A")
    monitor.start()
    settle(log, 1)
    fake.insert("A", CPS3)
    settle(log, 2)
    blocking = [timeout for timeout in fake.timeouts if timeout != 0]
    assert blocking
    assert set(blocking) == {scard.INFINITE}


def test_swap_between_two_wakeups(fake: FakeScard, monitor: PcscMonitor, log: EventLog) -> None:
    fake.add_reader("A")
    fake.insert("A", CPS3)
    monitor.start()
    settle(log, 2)
    fake.swap("A", VITALE)
    assert settle(log, 4)[2:] == [(EJECTED, "A"), (INSERTED, "A")]
    assert log.events[3].atr == VITALE


def test_readers_plugged_and_unplugged(
    fake: FakeScard, monitor: PcscMonitor, log: EventLog, hub: EventHub
) -> None:
    fake.add_reader("A")
    monitor.start()
    settle(log, 1)
    fake.add_reader("B")
    settle(log, 2)
    fake.insert("B", VITALE)
    settle(log, 3)
    fake.remove_reader("B")
    assert settle(log, 5) == [
        (ADDED, "A"),
        (ADDED, "B"),
        (INSERTED, "B"),
        (EJECTED, "B"),
        (REMOVED, "B"),
    ]
    assert [r.name for r in hub.snapshot()] == ["A"]


def test_no_reader_at_all_then_one(fake: FakeScard, monitor: PcscMonitor, log: EventLog) -> None:
    monitor.start()
    fake.add_reader("A")
    assert settle(log, 1) == [(ADDED, "A")]


def test_service_outage_gives_one_event_and_bounded_retries(
    fake: FakeScard, monitor: PcscMonitor, log: EventLog, hub: EventHub
) -> None:
    fake.add_reader("A")
    fake.insert("A", CPS3)
    monitor.start()
    settle(log, 2)
    attempts = fake.establish_attempts
    fake.stop_service()
    assert settle(log, 3)[2] == (UNAVAILABLE, "")
    assert not hub.available
    assert hub.snapshot() == []
    time.sleep(1.0)  # let it retry for a while
    # Back-off: a handful of attempts per second, not a busy loop.
    assert fake.establish_attempts - attempts <= 12
    assert len(log.events) == 3
    fake.start_service()
    assert settle(log, 6)[3:] == [(AVAILABLE, ""), (ADDED, "A"), (INSERTED, "A")]
    assert hub.available


def test_stop_is_prompt_and_releases_everything(
    fake: FakeScard, monitor: PcscMonitor, log: EventLog
) -> None:
    fake.add_reader("A")
    before = set(threading.enumerate())
    monitor.start()
    settle(log, 1)
    started = time.monotonic()
    monitor.stop()
    assert time.monotonic() - started < 2.0
    assert not monitor.running
    assert set(threading.enumerate()) == before
    assert fake.open_contexts == 0


def test_stop_during_outage(fake: FakeScard, monitor: PcscMonitor, log: EventLog) -> None:
    fake.stop_service()
    monitor.start()
    settle(log, 1)
    monitor.stop()
    assert not monitor.running
    assert fake.open_contexts == 0


def test_start_twice_runs_one_thread(fake: FakeScard, monitor: PcscMonitor) -> None:
    monitor.start()
    monitor.start()
    assert [t.name for t in threading.enumerate()].count("pcsc-monitor") == 1


# --- cards seen while pcscd powers them up ---------------------------------------------


def test_a_card_being_powered_up_is_read_again(
    fake: FakeScard, monitor: PcscMonitor, log: EventLog, hub: EventHub
) -> None:
    fake.add_reader("A")
    monitor.start()
    settle(log, 1)
    fake.insert_powering_up("A", CPS3, answers=3)
    settle(log, 2)
    inserted = log.events[1]
    assert (inserted.kind, inserted.atr, inserted.card_type) == (INSERTED, CPS3, "cps")
    assert hub.snapshot() == [ReaderState("A", True, CPS3)]


def test_a_card_that_never_settles_is_published_after_a_bounded_wait(
    fake: FakeScard, monitor: PcscMonitor, log: EventLog
) -> None:
    fake.add_reader("A")
    monitor.start()
    settle(log, 1)
    fake.insert_powering_up("A", CPS3, answers=10_000)
    settle(log, 2)
    inserted = log.events[1]
    assert inserted.kind is INSERTED
    assert inserted.atr is not None
    assert len(inserted.atr) == 33
    assert inserted.card_type == "unknown"
