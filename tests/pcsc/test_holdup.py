"""Calls that another program can hold up: given up after the deadline, undone later."""

from __future__ import annotations

import threading

import pytest

from cardbridge.errors import CardBusyError
from cardbridge.pcsc.holdup import HELD_MESSAGE, HeldUpCalls

READER = "Reader A"


def test_a_prompt_call_returns_its_result() -> None:
    calls = HeldUpCalls(timeout=5.0)
    assert calls.call(READER, lambda: 42, undo=pytest.fail) == 42
    assert not calls.held_up(READER)


def test_a_failing_call_raises_its_error() -> None:
    def fail() -> int:
        raise ValueError("pcscd said no")

    with pytest.raises(ValueError, match="pcscd said no"):
        HeldUpCalls(timeout=5.0).call(READER, fail, undo=pytest.fail)


def test_a_held_call_is_given_up_then_undone_when_it_returns() -> None:
    calls = HeldUpCalls(timeout=0.05)
    release = threading.Event()
    undone: list[int] = []
    finished = threading.Event()

    def undo(result: int | None) -> None:
        undone.append(result)
        finished.set()

    with pytest.raises(CardBusyError) as busy:
        calls.call(READER, lambda: release.wait() and 7, undo=undo)
    assert busy.value.message == HELD_MESSAGE
    assert busy.value.reader == READER
    assert calls.held_up(READER)
    with pytest.raises(CardBusyError):
        calls.check(READER)  # refused at once, nothing waits
    calls.check("Reader B")  # other readers are not concerned

    release.set()
    assert finished.wait(5.0)
    assert undone == [7]
    for _ in range(100):  # the count drops right after undo returns
        if not calls.held_up(READER):
            break
        threading.Event().wait(0.01)
    assert not calls.held_up(READER)
    calls.check(READER)


def test_a_given_up_call_that_fails_later_is_undone_with_none() -> None:
    """Its PC/SC context must still be released: ``undo`` learns it failed."""
    calls = HeldUpCalls(timeout=0.05)
    release = threading.Event()
    undone: list[object] = []

    def fail_later() -> int:
        release.wait()
        raise OSError("card gone")

    with pytest.raises(CardBusyError):
        calls.call(READER, fail_later, undo=undone.append)
    release.set()
    for _ in range(500):
        if not calls.held_up(READER):
            break
        threading.Event().wait(0.01)
    assert not calls.held_up(READER)
    assert undone == [None]
