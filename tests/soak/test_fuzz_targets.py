"""The atheris fuzz targets (``make fuzz``) on Hypothesis inputs: random bytes and their
seeds with bytes changed, in ``make test`` too: a target that breaks is seen here first."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soak.fuzz_targets import TARGETS
from tests.support.fuzzing import examples

NAMES = sorted(TARGETS)


@pytest.mark.parametrize("name", NAMES)
def test_seeds_are_accepted(name: str) -> None:
    target = TARGETS[name]
    seeds = target.seeds()
    assert seeds
    assert target.seeds() == seeds  # Hypothesis draws from them: they must not change
    for seed in seeds:
        target.run(seed)


@st.composite
def mutated_seed(draw: st.DrawFn, name: str) -> bytes:
    data = bytearray(draw(st.sampled_from(TARGETS[name].seeds())))
    for _ in range(draw(st.integers(0, 4))):
        if not data:
            break
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data[: draw(st.integers(0, len(data)))] if draw(st.booleans()) else data)


@pytest.mark.parametrize("name", NAMES)
@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_targets_raise_only_typed_errors(name: str, data: st.DataObject) -> None:
    raw = data.draw(st.one_of(st.binary(max_size=300), mutated_seed(name)))
    TARGETS[name].run(raw)
