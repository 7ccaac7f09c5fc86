"""The CPS session on emulated cards: the model equals the profile, PIN rules, both keys."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from hypothesis import HealthCheck, given, settings

from cardbridge.cards.cps import CpsSession
from cardbridge.domain import codes
from cardbridge.domain.identifiers import structure_id_type
from cardbridge.emulator.engine import IsoCard
from cardbridge.errors import (
    CardDataError,
    PinBlockedError,
    PinFormatError,
    PinInvalidError,
    PinRequiredError,
    PukInvalidError,
    WrongCardTypeError,
)
from cardbridge.layouts import cps
from cardbridge.layouts.iasecc import READ_BINARY_MAX
from tests.cards.conftest import connected
from tests.support.fuzzing import examples
from tests.support.profiles import cps_profiles

MakeCard = Callable[[object], IsoCard]


def ef(card: IsoCard, *path: int) -> Any:
    node: Any = card.mf
    for fid in path:
        node = node.child(fid)
    return node


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(profile=cps_profiles())
def test_model_equals_profile(make_card: MakeCard, profile: dict[str, Any]) -> None:
    card = make_card(profile)
    with connected(card) as connection:
        session = CpsSession(connection)
        session.verify_pin(profile["pin"])
        practitioner = session.read_practitioner(with_situations=True)
    holder = profile["holder"]
    assert practitioner.national_id == holder["national_id"]
    assert practitioner.id_type == ("RPPS" if holder["national_id"][0] == "8" else "ADELI")
    assert (practitioner.rpps or practitioner.adeli) == holder["national_id"][1:]
    assert (practitioner.last_name, practitioner.first_name) == (
        holder["last_name"],
        holder["first_name"],
    )
    assert practitioner.civility == holder["civility"]
    assert practitioner.profession.code == holder["profession"]
    assert practitioner.profession.label == codes.PROFESSIONS[holder["profession"]]
    if "specialty" in holder:
        assert practitioner.specialty is not None
        assert practitioner.specialty.code == holder["specialty"]
        assert practitioner.specialty.label == codes.SPECIALTIES[holder["specialty"]]
    else:
        assert practitioner.specialty is None
    assert practitioner.card.type == codes.CARD_TYPE_NAMES[profile["card_type"]]
    assert practitioner.card.generation == profile["generation"]
    assert practitioner.card.serial == profile["serial"]
    assert practitioner.card.test is profile["test"]
    assert str(practitioner.card.expires) == profile["expires"]
    assert practitioner.situations is not None
    assert [(s.index, s.structure_id, s.name, s.sector) for s in practitioner.situations] == [
        (i, s["structure_id"], s["name"], s["sector"]) for i, s in enumerate(profile["situations"])
    ]
    for situation in practitioner.situations:
        kind = structure_id_type(situation.structure_id)
        assert situation.structure_id_type == (kind.value if kind else None)


def test_situations_need_the_pin_and_no_try_is_spent(make_card: MakeCard) -> None:
    with connected(make_card("demo-cps")) as connection:
        session = CpsSession(connection)
        assert session.read_practitioner().situations is None
        with pytest.raises(PinRequiredError):
            session.read_practitioner(with_situations=True)
        with pytest.raises(PinRequiredError):
            session.read_situations()
        assert session.pin_status().tries_left == 3


def test_cold_read_uses_the_minimum_of_apdus(make_card: MakeCard) -> None:
    card = make_card("demo-cps")
    certificate = ef(card, cps.DF_KEYS, cps.EF_CERT_AUTHENTICATION.fid).data
    # SELECT + READ (EF.SN.ICC), SELECT AID, three data objects, the certificate in chunks.
    minimum = 2 + 1 + 3 + math.ceil(len(certificate) / READ_BINARY_MAX)
    with connected(card) as connection:
        session = CpsSession(connection)
        session.read_practitioner()
        assert session.apdu_count == minimum
        session.read_practitioner()  # the issuer is checked once per session
        assert session.apdu_count == 2 * minimum - 2


def test_pin_counter_and_blocking(make_card: MakeCard) -> None:
    with connected(make_card("demo-cps")) as connection:
        session = CpsSession(connection)
        with pytest.raises(PinInvalidError) as first:
            session.verify_pin("0000")
        assert first.value.tries_left == 2
        assert first.value.details()["tries_left"] == 2
        with pytest.raises(PinInvalidError, match="One try left"):
            session.verify_pin("0001")
        with pytest.raises(PinBlockedError, match="PUK"):
            session.verify_pin("0002")
        status = session.pin_status()
        assert (status.tries_left, status.max_tries, status.blocked) == (0, 3, True)
        with pytest.raises(PinBlockedError):
            session.verify_pin("1234")
        with pytest.raises(PukInvalidError):
            session.unblock_pin("00000000", "4321")
        session.unblock_pin("12345678", "4321")
        assert session.pin_status().tries_left == 3
        session.verify_pin("4321")
        session.change_pin("4321", "2468")
        session.verify_pin("2468")


@pytest.mark.parametrize("pin", ["", "123", "123456789", "12a4", "１２３４", " 1234"])
def test_malformed_pins_never_reach_the_card(make_card: MakeCard, pin: str) -> None:
    with connected(make_card("demo-cps")) as connection:
        session = CpsSession(connection)
        before = session.apdu_count
        with pytest.raises(PinFormatError):
            session.verify_pin(pin)
        assert session.apdu_count == before
        assert session.pin_status().tries_left == 3


def verifies(certificate_der: bytes, signature: bytes, message: bytes) -> bool:
    key = x509.load_der_x509_certificate(certificate_der).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    try:
        key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def test_both_keys_sign_with_their_own_certificate(make_card: MakeCard) -> None:
    message = b"SHA-256(origin) || SHA-256(nonce)" * 3
    long_message = bytes(range(256)) * 20  # several SHA-256 blocks: the card finishes the hash
    with connected(make_card("demo-cps")) as connection:
        session = CpsSession(connection)
        with pytest.raises(PinRequiredError):
            session.authenticate(message)
        with pytest.raises(PinRequiredError):
            session.sign(message)
        session.verify_pin("1234")
        certificates = session.certificates()
        authentication = session.authenticate(message)
        signature = session.sign(long_message)
    assert verifies(certificates.authentication, authentication, message)
    assert not verifies(certificates.signature, authentication, message)
    assert verifies(certificates.signature, signature, long_message)
    assert not verifies(certificates.authentication, signature, long_message)


def test_holder_data_must_match_the_certificate(make_card: MakeCard) -> None:
    card = make_card("demo-cps")
    name = ef(card, cps.DF_KEYS, cps.EF_NAME_PS.fid)
    name.data = cps.HolderName("810002813839", "M", "DOE", "JOHN").to_bytes()
    with connected(card) as connection, pytest.raises(CardDataError, match="different"):
        CpsSession(connection).read_practitioner()


def test_a_cps_atr_from_another_issuer_is_refused(make_card: MakeCard) -> None:
    card = make_card("demo-cps")
    ef(card, cps.EF_SN_ICC[-1]).data = cps.ChipSerial(b"\x80\x99\x00\x00\x01", "0123").to_bytes()
    with connected(card) as connection, pytest.raises(WrongCardTypeError, match="not issued"):
        CpsSession(connection).read_practitioner()


def test_a_vitale_card_is_not_a_cps(make_card: MakeCard) -> None:
    with connected(make_card("demo-vitale")) as connection, pytest.raises(WrongCardTypeError):
        CpsSession(connection)
