"""NIR keys (Corsica, temporary numbers) and INS forms.

Every expected key is written out: the examples of docs/testing.md (published NIRs), or a
body whose remainder modulo 97 is shown as plain arithmetic in the comment. None is
computed with :func:`nir_key`.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardbridge.domain.nir import (
    INS_CX,
    INS_OIDS,
    InsKind,
    ins_cx,
    ins_cx_prefix,
    ins_kind,
    nir_key,
    parse_ins,
    parse_nir,
)
from cardbridge.errors import InvalidInputError


@pytest.mark.parametrize(
    ("nir", "sex"),
    [
        ("295109912611193", 2),
        ("253072B07300470", 2),
        ("253072A07300443", 2),
        ("2 95 10 99 126 111 93", 2),
        ("186022A21532523", 1),  # stdnum-js's test suite (docs/testing.md)
        ("2 55 08 14 168 025 38", 2),  # betagouv/nir_validate's README
    ],
)
def test_valid_nirs(nir: str, sex: int) -> None:
    parsed = parse_nir(nir)
    assert parsed.value == nir.replace(" ", "")
    assert parsed.sex == sex


def test_key_is_computed_from_13_characters() -> None:
    parsed = parse_nir("1550672000101")
    assert parsed.key == "59"
    assert parsed.value == "155067200010159"
    assert parsed.sex == 1
    assert not parsed.temporary


def test_temporary_male_number() -> None:
    # 7550672000101 = 97 × 77841979382 + 47, so the key is 97 − 47 = 50.
    parsed = parse_nir("755067200010150")
    assert parsed.temporary
    assert parsed.sex == 1
    assert parsed.key == "50"


def test_temporary_female_number_is_female() -> None:
    # 8550672000101 = 97 × 88151257733 exactly: the remainder is 0, so the key is 97.
    parsed = parse_nir("855067200010197")
    assert parsed.temporary
    assert parsed.sex == 2


def test_definitive_numbers_are_not_temporary() -> None:
    assert not parse_nir("295109912611193").temporary
    assert not parse_nir("155067200010159").temporary


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("2951099126111", "93"),  # published example (docs/testing.md)
        ("253072B073004", "70"),  # 2B read as 18: 2530718073004 = 97 × 26089877041 + 27
        ("253072A073004", "43"),  # 2A read as 19: 2530719073004 = 97 × 26089887350 + 54
        ("1550672000101", "59"),  # 1550672000101 = 97 × 15986309279 + 38
        ("1800175056004", "97"),  # 1800175056004 = 97 × 18558505732: remainder 0, key 97
        ("8550672000101", "97"),  # 8550672000101 = 97 × 88151257733
        ("1800175056000", "04"),  # 1800175056000 = 97 × 18558505731 + 93: one digit, 0-padded
    ],
)
def test_key_vectors(body: str, key: str) -> None:
    assert nir_key(body) == key
    assert parse_nir(body).key == key
    assert parse_nir(body + key).value == body + key


def test_a_key_of_97_is_written_97_not_00() -> None:
    assert parse_nir("180017505600497").key == "97"
    with pytest.raises(InvalidInputError, match="key does not match"):
        parse_nir("180017505600400")


@pytest.mark.parametrize(
    "body", ["295109912611", "29510991261119", "29510991261X1", "2951099126 11", ""]
)
def test_nir_key_refuses_bodies_that_are_not_13_digits(body: str) -> None:
    with pytest.raises(ValueError, match=r"^a NIR body is 13 characters$"):
        nir_key(body)


def test_corsica_lowercase_accepted() -> None:
    assert parse_nir("253072b07300470").value == "253072B07300470"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("295109912611194", "key does not match"),
        ("295109912611199", "key does not match"),  # stdnum-js: a wrong checksum
        ("255081416802539", "key does not match"),  # betagouv/nir_validate: invalid
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
def test_key_makes_the_number_a_multiple_of_97(
    sex: str, year: int, month: int, dept: str, rest: int
) -> None:
    """The key's definition, checked on its own terms: body (Corsica as 19/18) plus key is a
    multiple of 97, with a key from 01 to 97; every other key is refused."""
    body = f"{sex}{year:02d}{month:02d}{dept}{rest:06d}"
    number = int(body.replace("2A", "19").replace("2B", "18"))
    key = parse_nir(body).key
    assert len(key) == 2
    assert 1 <= int(key) <= 97
    assert (number + int(key)) % 97 == 0
    assert parse_nir(body + key).body == body
    wrong = f"{int(key) % 97 + 1:02d}"
    with pytest.raises(InvalidInputError, match="key does not match"):
        parse_nir(body + wrong)


def test_ins_cx_form() -> None:
    assert (
        ins_cx("279035121518989", INS_OIDS[InsKind.NIR])
        == "279035121518989^^^&1.2.250.1.213.1.4.8&ISO^NH"
    )
    assert INS_OIDS[InsKind.TEST] == "1.2.250.1.213.1.4.10"


@pytest.mark.parametrize(
    ("matricule", "test", "kind", "oid"),
    [
        ("295109912611193", False, InsKind.NIR, "1.2.250.1.213.1.4.8"),
        ("155067200010159", False, InsKind.NIR, "1.2.250.1.213.1.4.8"),
        # A temporary number (7 or 8) is a NIA, an identifier waiting for its NIR.
        ("755067200010150", False, InsKind.NIA, "1.2.250.1.213.1.4.9"),
        ("855067200010197", False, InsKind.NIA, "1.2.250.1.213.1.4.9"),
        ("295109912611193", True, InsKind.TEST, "1.2.250.1.213.1.4.10"),
        ("855067200010197", True, InsKind.TEST, "1.2.250.1.213.1.4.10"),
    ],
)
def test_ins_registry_and_oid(matricule: str, test: bool, kind: InsKind, oid: str) -> None:
    assert ins_kind(matricule, test=test) is kind
    assert INS_OIDS[kind] == oid


def test_ins_cx_prefix_and_pattern() -> None:
    assert ins_cx_prefix("295109912611193") == "295109912611193^^^&"
    written = ins_cx("253072B07300470", INS_OIDS[InsKind.DEMO])
    assert written == "253072B07300470^^^&1.2.250.1.213.1.4.11&ISO^NH"
    assert INS_CX.fullmatch(written)
    assert not INS_CX.fullmatch("253072B07300470^^^&1.2.250.1.213.1.4.11&ISO^PI")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("29510991261", "nir: a NIR has 13 characters, or 15 with its key (got 11)"),
        (
            "395109912611193",
            "nir: not a NIR: expected sex 1, 2, 7 or 8, then digits (department 2A/2B allowed)",
        ),
        ("295109912611194", "nir: the NIR key does not match the number"),
    ],
)
def test_refusals_say_what_to_correct(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_nir(text)
    assert str(caught.value) == message
    assert caught.value.field == "nir"


# Pierre's INS of the offline DMP's seed: 1550672000101, key 97 - (1550672000101 mod 97)
# = 97 - 38 = 59 (docs/domain.md, the NIR key rule).
def test_a_typed_ins_is_read_with_its_key_spaces_ignored() -> None:
    nir = parse_ins("1 55 06 72 000 101 59")
    assert (nir.body, nir.key, nir.value) == ("1550672000101", "59", "155067200010159")


@pytest.mark.parametrize("typed", ["1550672000101", "15506720001015", "1550672000101590"])
def test_a_typed_ins_without_its_whole_key_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_ins(typed, field="patient")
    assert refused.value.field == "patient"
    assert f"(got {len(typed)})" in refused.value.message
    assert "15 characters" in refused.value.message


def test_a_typed_ins_whose_key_does_not_match_is_refused() -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_ins("155067200010158")
    assert refused.value.field == "ins"
    assert "the key does not match the number" in refused.value.message


def test_a_typed_ins_refusals_say_what_to_do_and_name_the_field() -> None:
    with pytest.raises(InvalidInputError) as short:
        parse_ins("1550672000101", field="patient")
    assert short.value.message == (
        "patient: an INS has 15 characters, the 13 of the number and its 2-digit key (got 13). "
        "Type the key too, as the Vitale card or the INS record shows it: it catches a typo "
        "that would open another patient's record"
    )
    with pytest.raises(InvalidInputError) as mismatch:
        parse_ins("155067200010158", field="patient")
    assert mismatch.value.message == (
        "patient: the key does not match the number (the key is the last 2 characters): "
        "check the 15 characters against the Vitale card or the INS record, one of them is "
        "wrong"
    )
    with pytest.raises(InvalidInputError) as body:
        parse_ins("955067200010159", field="patient")  # sex digit 9: no such NIR
    assert body.value.field == "patient"
