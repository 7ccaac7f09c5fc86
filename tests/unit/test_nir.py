"""NIR keys (Corsica, temporary numbers) and INS forms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardbridge.domain.nir import INS_OIDS, InsKind, ins_cx, nir_key, parse_nir
from cardbridge.errors import InvalidInputError


@pytest.mark.parametrize(
    "nir", ["295109912611193", "253072B07300470", "253072A07300443", "2 95 10 99 126 111 93"]
)
def test_valid_nirs(nir: str) -> None:
    parsed = parse_nir(nir)
    assert parsed.value == nir.replace(" ", "")
    assert parsed.sex == 2


def test_key_is_computed_from_13_characters() -> None:
    parsed = parse_nir("1550672000101")
    assert parsed.key == "59"
    assert parsed.value == "155067200010159"
    assert parsed.sex == 1
    assert not parsed.temporary


def test_temporary_numbers() -> None:
    body = "7550672000101"
    parsed = parse_nir(body + nir_key(body))
    assert parsed.temporary
    assert parsed.sex == 1


def test_corsica_lowercase_accepted() -> None:
    assert parse_nir("253072b07300470").value == "253072B07300470"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("295109912611194", "key does not match"),
        ("253072B07300443", "key does not match"),
        ("29510991261", "13 characters"),
        ("395109912611193", "not a NIR"),
        ("2951099126X1193", "not a NIR"),
        ("2951022C12611", "not a NIR"),
    ],
)
def test_invalid_nirs_name_the_field(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message) as caught:
        parse_nir(text, field="insured.nir")
    assert caught.value.field == "insured.nir"
    assert str(caught.value).startswith("insured.nir: ")


@given(
    st.sampled_from("1278"),
    st.integers(0, 99),
    st.integers(1, 12),
    st.sampled_from([f"{d:02d}" for d in range(1, 96)] + ["2A", "2B"]),
    st.integers(0, 999999),
)
def test_computed_key_always_validates(
    sex: str, year: int, month: int, dept: str, rest: int
) -> None:
    body = f"{sex}{year:02d}{month:02d}{dept}{rest:06d}"
    assert parse_nir(body + nir_key(body)).body == body
    wrong = f"{(int(nir_key(body)) % 97) + 1:02d}"
    with pytest.raises(InvalidInputError):
        parse_nir(body + wrong)


def test_ins_cx_form() -> None:
    assert (
        ins_cx("279035121518989", INS_OIDS[InsKind.NIR])
        == "279035121518989^^^&1.2.250.1.213.1.4.8&ISO^NH"
    )
    assert INS_OIDS[InsKind.TEST] == "1.2.250.1.213.1.4.10"
