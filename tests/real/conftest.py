"""Fixtures of the real tier: pcscd (through the harness), vpcd readers, locks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.pcscd import VpcdSlot, pcscd_lock, state, vpcd_slots

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The hook sees every collected test, not only this folder's: mark ours alone.
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.real)


@pytest.fixture(autouse=True)
def _pcscd_access(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every real test shares pcscd; ``pcscd_exclusive`` tests may restart it."""
    exclusive = request.node.get_closest_marker("pcscd_exclusive") is not None
    if exclusive and not state().owned:
        reason = "this pcscd was not started by scripts/pcscd-harness: cannot restart it"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with pcscd_lock(exclusive=exclusive):
        yield


@pytest.fixture
def vpcd_slot() -> Iterator[VpcdSlot]:
    """One free virtual reader of the real pcscd."""
    with vpcd_slots(1) as slots:
        yield slots[0]


@pytest.fixture
def vpcd_pair() -> Iterator[list[VpcdSlot]]:
    """Two free virtual readers of the real pcscd."""
    with vpcd_slots(2) as slots:
        yield slots
