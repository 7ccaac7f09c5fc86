"""``cardbridge emulator``: signals remove the card, pcscd restarts bring it back, faults."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

import pytest

from cardbridge.emulator.factory import build_card
from cardbridge.emulator.profiles import load_profile
from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.errors import CardCommunicationError, CardRemovedError
from cardbridge.layouts import cps
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.reader_interface import EventKind
from testkit.events import EVENT_TIMEOUT, EventLog
from testkit.pcscd import VpcdSlot, restart_pcscd
from tests.real.emulator.conftest import EmulatorProcess
from tests.support.faults import FaultPlan, FaultyCard

STATUS = bytes.fromhex("00200001")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_removes_the_card(
    vpcd_slot: VpcdSlot,
    run_emulator: Callable[[VpcdSlot, str], EmulatorProcess],
    sig: signal.Signals,
) -> None:
    backend = PcscBackend()
    log = EventLog(backend.events, {vpcd_slot.reader})
    backend.start()
    try:
        assert log.wait_until_empty(vpcd_slot.reader)
        emulator = run_emulator(vpcd_slot, "demo-cps")
        assert log.wait_for_event(EventKind.CARD_INSERTED, vpcd_slot.reader)
        with backend.connect(vpcd_slot.reader) as connection:
            assert connection.transmit(STATUS) == (b"", 0x63C3)
        assert emulator.stop(sig) == 0
        assert log.wait_for_event(EventKind.CARD_REMOVED, vpcd_slot.reader)
        assert "removed" in emulator.lines[-1]
    finally:
        backend.stop()


def _present(reader: str) -> bool:
    backend = PcscBackend()
    try:
        states = {state.name: state for state in backend.list_readers()}
    except Exception:  # pcscd still starting
        return False
    return reader in states and states[reader].atr == cps.ATR_CPS3


@pytest.mark.pcscd_exclusive
def test_the_card_comes_back_after_pcscd_restarts(
    vpcd_slot: VpcdSlot, run_emulator: Callable[[VpcdSlot, str], EmulatorProcess]
) -> None:
    emulator = run_emulator(vpcd_slot, "demo-cps")
    assert _present(vpcd_slot.reader)
    restart_pcscd()
    deadline = time.monotonic() + 20
    while not _present(vpcd_slot.reader):
        assert time.monotonic() < deadline, "the card did not come back"
        time.sleep(0.2)
    assert emulator.process.poll() is None


def test_fault_removal_through_vpcd(vpcd_slot: VpcdSlot) -> None:
    card = FaultyCard(build_card(load_profile("demo-vitale")), FaultPlan(remove_after=2))
    backend = PcscBackend()
    log = EventLog(backend.events, {vpcd_slot.reader})
    backend.start()
    try:
        assert log.wait_until_empty(vpcd_slot.reader)
        with VpcdBridge(card, port=vpcd_slot.port) as bridge:
            card.on_removed = bridge.stop
            assert log.wait_for_event(EventKind.CARD_INSERTED, vpcd_slot.reader)
            with backend.connect(vpcd_slot.reader) as connection:
                assert connection.transmit(bytes.fromhex("0084000008"))[1] == 0x9000
                # Pulled out while answering: pcscd reports a failed exchange, then no card.
                with pytest.raises((CardRemovedError, CardCommunicationError)):
                    connection.transmit(bytes.fromhex("0084000008"))
                assert log.wait_for_event(EventKind.CARD_REMOVED, vpcd_slot.reader, EVENT_TIMEOUT)
                with pytest.raises(CardRemovedError):
                    connection.transmit(bytes.fromhex("0084000008"))
    finally:
        backend.stop()
