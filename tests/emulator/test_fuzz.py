"""Random APDUs, random sequences: the card always answers a well-formed response."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardbridge.emulator.engine import IsoCard

KNOWN_INS = [0x20, 0x22, 0x24, 0x2A, 0x2C, 0x84, 0x88, 0xA4, 0xB0, 0xC0, 0xCA, 0xCB]
SUCCESS_FAMILIES = {0x90, 0x61, 0x62, 0x63}
ERROR_FAMILIES = {0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6D, 0x6E}

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
# Valid commands in the mix let random sequences reach deep states (PIN verified,
# environment set, hash given) where the random ones then land.
VALID = [
    "00A4040C0DE828BD080F8025000001FF0010",
    "00A4040C0BD250000002564954414C45",
    "00A4000C023F00",
    "00A4090C063F000001D120",
    "002000010431323334",
    "00200001",
    "0022 41A4 06 800102 840182",
    "0022 41B6 06 800142 840181",
    "002A90A022 9020" + "AB" * 32,
    "002A90A006 9000 80023132",
    "002A9E9A00",
    "0088000033 3031300D060960864801650304020105000420" + "CD" * 32,
    "00B0820000",
    "00B0000000",
    "00C0000000",
    "00CB3FFF0A4D087006BF810102A08000",
]
valid_apdus = st.sampled_from([bytes.fromhex(command) for command in VALID])
apdus = st.one_of(raw_apdus, structured_apdus, valid_apdus, valid_apdus)


def check(card: IsoCard, apdu: bytes) -> None:
    response = card.process(apdu)
    assert len(response) >= 2
    sw = int.from_bytes(response[-2:], "big")
    assert sw != 0x6F00, f"internal error on {apdu.hex()}"
    assert sw >> 8 in SUCCESS_FAMILIES | ERROR_FAMILIES, f"{sw:04X} on {apdu.hex()}"
    if sw >> 8 in ERROR_FAMILIES:
        assert response == response[-2:], "errors carry no data"


@pytest.mark.parametrize("which", ["cps", "vitale"])
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=st.lists(apdus, max_size=16))
def test_random_apdus_get_well_formed_answers(
    which: str, sequence: list[bytes], request: pytest.FixtureRequest
) -> None:
    card: IsoCard = request.getfixturevalue(which)
    card.reset()
    for apdu in sequence:
        check(card, apdu)
