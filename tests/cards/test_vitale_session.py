"""The Vitale session: bearers, NIRs and insurance paired; INS only where it is the person's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from cardbridge.cards.vitale import VitaleSession
from cardbridge.domain import terminologies
from cardbridge.domain.nir import parse_nir
from cardbridge.emulator.engine import IsoCard
from cardbridge.errors import CardDataError, WrongCardTypeError
from cardbridge.layouts import vitale
from tests.cards.conftest import connected
from tests.support.fuzzing import examples
from tests.support.profiles import vitale_profiles

MakeCard = Callable[[object], IsoCard]
NIR_OID = "1.2.250.1.213.1.4.8"
NIA_OID = "1.2.250.1.213.1.4.9"
TEST_OID = "1.2.250.1.213.1.4.10"


def real_date(raw: str) -> dt.date | None:
    try:
        return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return None


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(profile=vitale_profiles())
def test_model_equals_profile(make_card: MakeCard, profile: dict[str, Any]) -> None:
    with connected(make_card(profile)) as connection:
        card = VitaleSession(connection).read()
    insured = parse_nir(profile["insured"]["nir"])
    assert (card.insured.nir, card.insured.nir_key) == (insured.body, insured.key)
    assert card.insured.regime == profile["insured"]["regime"]
    assert card.insured.regime_label == terminologies.REGIMES.get(profile["insured"]["regime"])
    assert (card.insured.caisse, card.insured.centre) == (
        profile["insured"]["caisse"],
        profile["insured"]["centre"],
    )
    assert card.card.serial == profile["serial"]
    assert card.card.test is (profile["test"] or profile["insured"]["caisse"] in ("999", "349"))
    assert len(card.beneficiaries) == len(profile["beneficiaries"])
    for index, (got, want) in enumerate(
        zip(card.beneficiaries, profile["beneficiaries"], strict=True)
    ):
        assert got.index == index
        assert (got.last_name, got.birth_name, got.first_name) == (
            want["last_name"],
            want["birth_name"],
            want["first_name"],
        )
        assert got.birth_date_raw == want["birth_date"]
        assert got.birth_date == real_date(want["birth_date"])
        assert got.birth_rank == want["birth_rank"]
        assert got.quality.code == str(want["quality"])
        assert got.quality.label == terminologies.QUALITIES[want["quality"]]
        certified = want.get("certified_nir")
        assert got.nir == (parse_nir(certified).value if certified else None)
        expected_ins = (
            parse_nir(certified).value
            if certified
            else (insured.value if want["quality"] == 0 else None)
        )
        if expected_ins is None:
            assert got.ins is None  # a child's INS is never the parent's NIR
        else:
            assert got.ins is not None
            assert got.ins.value == expected_ins
            # Temporary numbers (sex 7/8) are NIAs, not NIRs.
            registry = NIA_OID if expected_ins[0] in "78" else NIR_OID
            assert got.ins.oid == (TEST_OID if card.card.test else registry)


def test_demo_card_and_minimum_apdus(make_card: MakeCard) -> None:
    with connected(make_card("demo-vitale")) as connection:
        session = VitaleSession(connection)
        card = session.read()
        # SELECT MF, identity file, SELECT VITALE, NIR file, insurance file.
        assert session.apdu_count == 5
    child = card.beneficiaries[1]
    assert (child.birth_date, child.birth_date_raw) == (None, "20150235")
    assert child.ins is not None
    assert child.ins.value == child.nir


def test_production_card_oids(make_card: MakeCard) -> None:
    profile = {
        "kind": "vitale",
        "test": False,
        "serial": "0000000001",
        "insured": {"nir": "7550672000101", "regime": "01", "caisse": "751", "centre": "0751"},
        "beneficiaries": [
            {"last_name": "X", "birth_name": "X", "first_name": "Y", "birth_date": "19550615"},
            {
                "last_name": "X",
                "birth_name": "X",
                "first_name": "Z",
                "birth_date": "19800101",
                "quality": 2,
                "certified_nir": "2800175123456",
            },
        ],
    }
    with connected(make_card(profile)) as connection:
        card = VitaleSession(connection).read()
    assert not card.card.test
    insured, spouse = card.beneficiaries
    assert insured.ins is not None
    assert insured.ins.oid == "1.2.250.1.213.1.4.9"  # temporary number: NIA
    assert spouse.ins is not None
    assert spouse.ins.oid == "1.2.250.1.213.1.4.8"


def file_of(card: IsoCard, ref: vitale.FileRef) -> Any:
    application = next(c for c in card.mf.children if getattr(c, "aid", None) == vitale.AID_VITALE)
    return application.child(ref.fid)


def test_a_nir_with_a_wrong_key_is_a_card_error(make_card: MakeCard) -> None:
    card = make_card("demo-vitale")
    file_of(card, vitale.EF_NIR).data = vitale.pad_file(
        vitale.encode_nir_file(["155067200010158", "155067200010158"])
    )
    with connected(card) as connection, pytest.raises(CardDataError, match="wrong key"):
        VitaleSession(connection).read()


def test_lists_that_do_not_pair_are_a_card_error(make_card: MakeCard) -> None:
    card = make_card("demo-vitale")
    file_of(card, vitale.EF_NIR).data = vitale.pad_file(vitale.encode_nir_file(["155067200010159"]))
    with connected(card) as connection, pytest.raises(CardDataError, match="do not match"):
        VitaleSession(connection).read()


def test_a_cps_is_not_a_vitale_card(make_card: MakeCard) -> None:
    with connected(make_card("demo-cps")) as connection, pytest.raises(WrongCardTypeError):
        VitaleSession(connection)
