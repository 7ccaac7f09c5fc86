"""The reader pool and slots: choosing readers, serialising, forgetting removed cards."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from cardbridge.emulator.factory import build_card
from cardbridge.emulator.inprocess import EmulatedBackend
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import load_profile
from cardbridge.errors import (
    CardAbsentError,
    CardBusyError,
    CardCommunicationError,
    CardRemovedError,
    CardResetError,
    PcscUnavailableError,
    PinInvalidError,
    ReaderNotFoundError,
    WrongCardTypeError,
)
from cardbridge.pcsc.atr import CardFamily
from cardbridge.pcsc.reader_interface import EventKind, ReaderEvent
from cardbridge.service import reader_pool
from cardbridge.service.reader_pool import CardAccess, ReaderPool
from testkit.cards import ScriptedCard

UNKNOWN_ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")


@pytest.fixture
def backend(key_pool: KeyPool, issuer: PkiIssuer) -> EmulatedBackend:
    backend = EmulatedBackend(["a", "b", "c"])
    backend.insert("a", build_card(load_profile("demo-vitale")))
    backend.insert("b", build_card(load_profile("demo-cps"), keys=key_pool, issuer=issuer))
    return backend


@pytest.fixture
def pool(backend: EmulatedBackend) -> Iterator[ReaderPool]:
    pool = ReaderPool(backend)
    pool.start()
    yield pool
    pool.close()


def test_choose(pool: ReaderPool, backend: EmulatedBackend) -> None:
    assert pool.choose(CardFamily.CPS).name == "b"
    assert pool.choose(CardFamily.VITALE).name == "a"
    assert pool.choose(CardFamily.CPS, "b").name == "b"
    with pytest.raises(ReaderNotFoundError):
        pool.choose(CardFamily.CPS, "z")
    with pytest.raises(CardAbsentError):
        pool.choose(CardFamily.CPS, "c")
    with pytest.raises(WrongCardTypeError):
        pool.choose(CardFamily.CPS, "a")
    backend.remove("b")
    with pytest.raises(CardAbsentError, match="No CPS card in the readers"):
        pool.choose(CardFamily.CPS)
    # An unrecognised card may be a CPS with an ATR not in the table: its session decides.
    backend.insert("c", ScriptedCard(UNKNOWN_ATR))
    assert pool.choose(CardFamily.CPS).name == "c"


def test_service_events(pool: ReaderPool, backend: EmulatedBackend) -> None:
    slot = pool.slot("b")
    asyncio.run(slot.run(lambda access: access.connection))
    backend.events.publish(ReaderEvent(EventKind.PCSC_UNAVAILABLE))
    with pytest.raises(PcscUnavailableError):
        pool.choose(CardFamily.CPS)
    assert slot.memory is not None
    backend.events.publish(ReaderEvent(EventKind.PCSC_AVAILABLE))
    backend.remove_reader("b")
    assert pool.slot("b") is not slot  # the removed reader's slot was dropped


def test_removal_during_an_operation_answers_card_removed(pool: ReaderPool) -> None:
    slot = pool.slot("b")
    memory = slot.memory

    def operation(access: CardAccess) -> str:
        access.connection.transmit(bytes.fromhex("00A4000C023F00"))
        slot.invalidate()  # the monitor reports the removal now, while the read ends well
        return "value of the departed card"

    with pytest.raises(CardRemovedError):
        asyncio.run(slot.run(operation))
    assert slot.memory is not memory


def test_a_removal_found_by_an_operation_is_acted_on(
    pool: ReaderPool, backend: EmulatedBackend
) -> None:
    slot = pool.slot("b")
    memory = slot.memory
    memory.pin_verified = True

    def operation(access: CardAccess) -> None:
        raise CardRemovedError(reader="b")  # before any monitor event

    with pytest.raises(CardRemovedError):
        asyncio.run(slot.run(operation))
    assert slot.memory is not memory
    assert not slot.memory.pin_verified


def test_reset_retried_once_for_reads_only(pool: ReaderPool) -> None:
    slot = pool.slot("b")
    calls: list[int] = []

    def reset_once(access: CardAccess) -> str:
        calls.append(access.generation)
        access.memory.pin_verified = True
        if len(calls) == 1:
            raise CardResetError(reader="b")
        return "read again"

    assert asyncio.run(slot.run(reset_once)) == "read again"
    assert len(calls) == 2
    calls.clear()
    with pytest.raises(CardResetError):
        asyncio.run(slot.run(reset_once, retry_reset=False))
    assert len(calls) == 1
    assert not slot.memory.pin_verified  # a reset un-verifies the PIN


def test_one_operation_at_a_time_per_reader_readers_in_parallel(pool: ReaderPool) -> None:
    inside: dict[str, int] = {"a": 0, "b": 0}
    overlap = {"same reader": False, "across readers": False}
    lock = threading.Lock()

    def operation(name: str) -> Callable[[CardAccess], None]:
        def work(access: CardAccess) -> None:
            with lock:
                inside[name] += 1
                overlap["same reader"] |= inside[name] > 1
            threading.Event().wait(0.02)
            with lock:
                overlap["across readers"] |= inside["a"] > 0 and inside["b"] > 0
                inside[name] -= 1

        return work

    async def storm() -> None:
        await asyncio.gather(
            *(pool.slot(name).run(operation(name)) for name in ("a", "b") for _ in range(10))
        )

    asyncio.run(storm())
    assert overlap == {"same reader": False, "across readers": True}


def test_bounded_queue(pool: ReaderPool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader_pool, "MAX_PENDING", 2)
    release = threading.Event()
    slot = pool.slot("b")

    async def three() -> list[object]:
        blocked = [asyncio.ensure_future(slot.run(lambda _: release.wait(5))) for _ in range(2)]
        await asyncio.sleep(0.05)
        try:
            with pytest.raises(CardBusyError):
                await slot.run(lambda _: None)
        finally:
            release.set()
        return list(await asyncio.gather(*blocked))

    assert asyncio.run(three()) == [True, True]
    asyncio.run(slot.run(lambda _: None))  # free again


def test_close_closes_the_connections(pool: ReaderPool, backend: EmulatedBackend) -> None:
    connections = [
        asyncio.run(pool.slot(name).run(lambda access: access.connection)) for name in ("a", "b")
    ]
    pool.close()
    for connection in connections:
        with pytest.raises(Exception, match="closed"):
            connection.transmit(bytes.fromhex("00A4000C023F00"))


def test_an_error_followed_by_the_removal_is_card_removed(
    pool: ReaderPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader_pool, "REMOVAL_CONFIRMATION", 0.3)
    slot = pool.slot("b")

    def garbled(access: CardAccess) -> None:
        # The monitor reports the removal a little after the garbled answer.
        threading.Timer(0.1, slot.invalidate).start()
        raise CardCommunicationError(reader="b")

    with pytest.raises(CardRemovedError):
        asyncio.run(slot.run(garbled))

    def just_garbled(access: CardAccess) -> None:
        raise CardCommunicationError(reader="b")

    with pytest.raises(CardCommunicationError):
        asyncio.run(slot.run(just_garbled))

    def wrong_pin(access: CardAccess) -> None:
        raise PinInvalidError(2, reader="b")

    started = time.monotonic()
    with pytest.raises(PinInvalidError):
        asyncio.run(slot.run(wrong_pin))
    assert time.monotonic() - started < 0.2  # a PIN verdict is never second-guessed
