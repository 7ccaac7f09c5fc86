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

from cardbridge.cards.certificates import parse_practitioner_certificate
from cardbridge.cards.cps import CpsSession
from cardbridge.domain import terminologies
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
from cardbridge.layouts import cps, cps_pkcs15
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
        named = parse_practitioner_certificate(session.certificates().signature).holder
    holder = profile["holder"]
    national_id = holder["national_id"]
    assert practitioner.national_id == national_id
    id_type = {"8": "RPPS", "0": "ADELI"}.get(national_id[0], "STRUCTURE")
    assert practitioner.id_type == id_type
    assert practitioner.rpps == (national_id[1:] if id_type == "RPPS" else None)
    assert practitioner.adeli == (national_id[1:] if id_type == "ADELI" else None)
    if profile["card_type"] in (2, 3):  # CPE, CPA: CN=<structure>/<id>
        structure = profile["situations"][0]["structure_id"]
        assert (named.national_id, named.structure_id, named.internal_id) == (
            None,
            structure,
            national_id,
        )
        assert named.structure_id_type is structure_id_type(structure)
    else:
        assert (named.national_id, named.structure_id) == (national_id, None)
    assert (practitioner.last_name, practitioner.first_name) == (
        holder["last_name"],
        holder["first_name"],
    )
    assert practitioner.civility == holder["civility"]
    assert practitioner.profession.code == holder["profession"]
    assert practitioner.profession.label == terminologies.PROFESSIONS[holder["profession"]]
    if "specialty" in holder:
        assert practitioner.specialty is not None
        assert practitioner.specialty.code == holder["specialty"]
        assert practitioner.specialty.label == terminologies.SPECIALTIES[holder["specialty"]]
    else:
        assert practitioner.specialty is None
    assert practitioner.card.type == terminologies.CARD_TYPE_NAMES[profile["card_type"]]
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


@pytest.mark.parametrize(("card_type", "name"), [(2, "CPE"), (3, "CPA")])
def test_structure_staff_card(make_card: MakeCard, card_type: int, name: str) -> None:
    profile = {
        "kind": "cps",
        "serial": "0000000042",
        "card_type": card_type,
        "pin": "1234",
        "puk": "12345678",
        "expires": "2030-01-31",
        "holder": {
            "national_id": "310B0307377A17",
            "civility": "MME",
            "last_name": "MARTIN",
            "first_name": "CLAIRE",
            "profession": "40",
        },
        "situations": [{"structure_id": "10B0307377", "name": "CHU", "sector": "SA01"}],
    }
    with connected(make_card(profile)) as connection:
        session = CpsSession(connection)
        session.verify_pin("1234")
        practitioner = session.read_practitioner(with_situations=True)
        named = parse_practitioner_certificate(session.certificates().authentication).holder
    assert practitioner.card.type == name
    assert (practitioner.national_id, practitioner.id_type) == ("310B0307377A17", "STRUCTURE")
    assert (practitioner.rpps, practitioner.adeli) == (None, None)
    assert (named.structure_id, named.internal_id) == ("10B0307377", "310B0307377A17")
    assert practitioner.situations is not None
    assert practitioner.situations[0].structure_id_type == "FINESS"


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
    # The PKCS#15 lists (EF.DIR, ODF, CDF, DODF): SELECT, then chunks until a short one.
    lists = [ef(card, 0x2F00).data] + [
        ef(card, cps.DF_KEYS, fid).data
        for fid in (cps_pkcs15.EF_ODF, cps_pkcs15.EF_CDF, cps_pkcs15.EF_DODF)
    ]
    discovery = sum(1 + len(data) // READ_BINARY_MAX + 1 for data in lists)
    objects = [
        ef(card, cps.DF_KEYS, ref.fid).data
        for ref in (
            cps.EF_ID_CARD,
            cps.EF_NAME_PS,
            cps.EF_INFO_PS,
            cps.EF_CERT_AUTHENTICATION,
            cps.EF_CERT_SIGNATURE,
        )
    ]
    # SELECT AID, then each object: SELECT and its exact chunks.
    reads = 1 + sum(1 + math.ceil(len(data) / READ_BINARY_MAX) for data in objects)
    with connected(card) as connection:
        session = CpsSession(connection)
        session.read_practitioner()
        # SELECT + READ (EF.SN.ICC), the lists once, the objects.
        assert session.apdu_count == 2 + discovery + reads
        session.read_practitioner()  # the issuer and the lists are read once per session
        assert session.apdu_count == 2 + discovery + 2 * reads


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


def test_the_signature_certificate_must_name_the_same_practitioner(make_card: MakeCard) -> None:
    card = make_card("demo-cps")
    other = ef(make_card("cps-adeli-nurse"), cps.DF_KEYS, cps.EF_CERT_SIGNATURE.fid).data
    ef(card, cps.DF_KEYS, cps.EF_CERT_SIGNATURE.fid).data = other
    with connected(card) as connection, pytest.raises(CardDataError, match="signature"):
        CpsSession(connection).read_practitioner()


def test_swapped_certificates_are_refused(make_card: MakeCard) -> None:
    """The authentication certificate in the signature file has no nonRepudiation."""
    card = make_card("demo-cps")
    authentication = ef(card, cps.DF_KEYS, cps.EF_CERT_AUTHENTICATION.fid)
    signature = ef(card, cps.DF_KEYS, cps.EF_CERT_SIGNATURE.fid)
    authentication.data, signature.data = signature.data, authentication.data
    with connected(card) as connection, pytest.raises(CardDataError, match="non-repudiation"):
        CpsSession(connection).read_practitioner()


def test_a_cps_atr_from_another_issuer_is_refused(make_card: MakeCard) -> None:
    card = make_card("demo-cps")
    ef(card, cps.EF_SN_ICC[-1]).data = cps.ChipSerial(b"\x80\x99\x00\x00\x01", "0123").to_bytes()
    with connected(card) as connection, pytest.raises(WrongCardTypeError, match="not issued"):
        CpsSession(connection).read_practitioner()


def test_a_vitale_card_is_not_a_cps(make_card: MakeCard) -> None:
    with connected(make_card("demo-vitale")) as connection, pytest.raises(WrongCardTypeError):
        CpsSession(connection)
