"""Random APDUs, random sequences: the card always answers a well-formed response."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardbridge.emulator.engine import IsoCard
from testkit.apdu import VALID_COMMANDS, check_answer
from tests.support.fuzzing import examples

KNOWN_INS = [0x20, 0x22, 0x24, 0x2A, 0x2C, 0x84, 0x88, 0xA4, 0xB0, 0xC0, 0xCA, 0xCB]

raw_apdus = st.binary(max_size=300)
structured_apdus = st.builds(
    lambda cla, ins, p1, p2, data, le: (
        bytes((cla, ins, p1, p2))
        + (bytes((len(data),)) + data if data else b"")
        + (bytes((le,)) if le is not None else b"")
    ),
    st.sampled_from([0x00, 0x00, 0x00, 0x80, 0x0C, 0x10, 0x01]),
    st.one_of(st.sampled_from(KNOWN_INS), st.integers(0, 255)),
    st.integers(0, 255),
    st.integers(0, 255),
    st.binary(max_size=255),
    st.one_of(st.none(), st.integers(0, 255)),
)
valid_apdus = st.sampled_from([bytes.fromhex(command) for command in VALID_COMMANDS])
apdus = st.one_of(raw_apdus, structured_apdus, valid_apdus, valid_apdus)


@pytest.mark.parametrize("which", ["cps", "vitale"])
@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sequence=st.lists(apdus, max_size=16))
def test_random_apdus_get_well_formed_answers(
    which: str, sequence: list[bytes], request: pytest.FixtureRequest
) -> None:
    card: IsoCard = request.getfixturevalue(which)
    card.reset()
    for apdu in sequence:
        check_answer(card, apdu)
