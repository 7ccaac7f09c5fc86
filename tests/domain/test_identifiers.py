"""idNat_PS, RPPS, ADELI and Struct_IdNat rules (vectors from docs/domain.md §1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardbridge.domain.identifiers import (
    PractitionerIdType,
    StructureIdType,
    is_structure_bound_card,
    is_valid_adeli,
    is_valid_rpps,
    luhn_is_valid,
    practitioner_id_type,
    structure_id_type,
)

# Every real and test RPPS docs/domain.md lists.
VALID_RPPS = [
    "10002813839",
    "99700075122",
    "99700735741",
    "99900038839",
    "99900063480",
    "99900023351",
]


@pytest.mark.parametrize("rpps", VALID_RPPS)
def test_domain_rpps_numbers_pass_luhn(rpps: str) -> None:
    assert luhn_is_valid(rpps)
    assert is_valid_rpps(rpps)
    assert practitioner_id_type("8" + rpps) is PractitionerIdType.RPPS


@pytest.mark.parametrize("rpps", VALID_RPPS)
def test_any_changed_key_fails(rpps: str) -> None:
    for key in "0123456789":
        if key != rpps[-1]:
            assert not is_valid_rpps(rpps[:-1] + key)


@given(st.text(alphabet="0123456789", min_size=2, max_size=20), st.integers(0, 18))
def test_luhn_detects_every_single_digit_error(digits: str, where: int) -> None:
    position = where % len(digits)
    body = digits[:position] + str((int(digits[position]) + 1) % 10) + digits[position + 1 :]
    assert not (luhn_is_valid(digits) and luhn_is_valid(body))


@pytest.mark.parametrize("value", ["", "1000281383a", "１０００２８１３８３９", "+10002813839"])
def test_luhn_refuses_non_ascii_digits(value: str) -> None:
    assert not luhn_is_valid(value)


@pytest.mark.parametrize("value", ["1000281383", "100028138390", "1000281383X", "10002813838"])
def test_rpps_length_and_key(value: str) -> None:
    assert not is_valid_rpps(value)


@pytest.mark.parametrize(
    ("national_id", "expected"),
    [
        ("810002813839", PractitionerIdType.RPPS),
        ("899700075122", PractitionerIdType.RPPS),
        ("810002813838", None),  # wrong key
        ("81000281383", None),  # 10 digits
        ("0751234567", PractitionerIdType.ADELI),
        ("02B1234567", PractitionerIdType.ADELI),  # Corsica
        ("075123456", None),  # 8 characters
        ("3101234567/12345", PractitionerIdType.STRUCTURE_BOUND),
        ("6999000388390001", PractitionerIdType.STRUCTURE_BOUND),
        ("1", None),
        ("2123456789", None),
        ("7123456789", None),
        ("9123456789", None),
        ("", None),
    ],
)
def test_practitioner_id_type(national_id: str, expected: PractitionerIdType | None) -> None:
    assert practitioner_id_type(national_id) is expected


@pytest.mark.parametrize("prefix", ["1", "3", "4", "5", "6"])
def test_every_structure_bound_prefix(prefix: str) -> None:
    """docs/domain.md §1: prefixes 1, 3, 4, 5 and 6 are ids bound to a structure."""
    assert practitioner_id_type(prefix + "0B0307377/0042") is PractitionerIdType.STRUCTURE_BOUND
    assert practitioner_id_type(prefix) is None


def test_adeli_shape() -> None:
    assert is_valid_adeli("751234567")
    assert is_valid_adeli("2A1234567")
    assert not is_valid_adeli("7512345678")
    assert not is_valid_adeli("75123456A")


@pytest.mark.parametrize(
    ("structure_id", "expected"),
    [
        ("10B0307377", StructureIdType.FINESS),  # docs/domain.md example
        ("339172288100052", StructureIdType.SIRET),  # docs/domain.md example
        ("499700735741008", StructureIdType.RPPS),  # docs/domain.md example
        ("2391722881", StructureIdType.SIREN),
        ("0751234567", StructureIdType.ADELI),
        ("499700735740008", None),  # RPPS part with a wrong key
        ("49970073574100A", None),
        ("499700735741A08", None),  # the rang is the last three characters, all digits
        ("33917228810005", None),  # SIRET one digit short
        ("239172288", None),
        ("5123456789", None),
        ("", None),
    ],
)
def test_structure_id_type(structure_id: str, expected: StructureIdType | None) -> None:
    assert structure_id_type(structure_id) is expected


def test_structure_bound_card_types() -> None:
    assert [t for t in range(5) if is_structure_bound_card(t)] == [2, 3]
