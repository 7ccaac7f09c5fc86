"""A CPS's two certificates and its holder data must name the same practitioner, and the
signature certificate must be one (nonRepudiation)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from cardbridge.cards.certificates import (
    PractitionerCertificate,
    check_card_certificates,
    parse_practitioner_certificate,
)
from cardbridge.emulator.pki import CardHolderIdentity, TestPki
from cardbridge.errors import CardDataError

Keys = tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]
Pair = tuple[PractitionerCertificate, PractitionerCertificate]

DOCTOR = CardHolderIdentity("810002813839", "DONNAT-GADY", "ISABELLE", "Médecin")
OTHER_DOCTOR = CardHolderIdentity("899700075122", "DONNAT-GADY", "ISABELLE", "Médecin")
SECRETARY = CardHolderIdentity(
    "3000042", "MARTIN", "CLAIRE", "Secrétaire", structure_id="499700735741008", internal_id="42"
)


def pair(pki: TestPki, keys: Keys, holder: CardHolderIdentity, card_type: int = 0) -> Pair:
    issued = pki.issue_card_certificates(
        holder, keys[0].public_key(), keys[1].public_key(), card_type=card_type
    )
    return (
        parse_practitioner_certificate(
            issued.authentication.public_bytes(serialization.Encoding.DER)
        ),
        parse_practitioner_certificate(issued.signature.public_bytes(serialization.Encoding.DER)),
    )


def test_consistent_personal_card(test_pki: TestPki, card_keys: Keys) -> None:
    authentication, signature = pair(test_pki, card_keys, DOCTOR)
    check_card_certificates("810002813839", authentication, signature)


def test_consistent_cpa_card(test_pki: TestPki, card_keys: Keys) -> None:
    """The data objects' id of a CPA is the internal id of ``CN=<structure>/<id>``."""
    authentication, signature = pair(test_pki, card_keys, SECRETARY, card_type=3)
    check_card_certificates("42", authentication, signature)
    with pytest.raises(CardDataError, match="authentication certificate name different"):
        check_card_certificates("3000042", authentication, signature)


def test_holder_data_naming_another_practitioner(test_pki: TestPki, card_keys: Keys) -> None:
    authentication, signature = pair(test_pki, card_keys, DOCTOR)
    with pytest.raises(CardDataError, match="authentication certificate name different") as e:
        check_card_certificates("899700075122", authentication, signature, reader="r")
    assert e.value.reader == "r"
    assert "899700075122" not in str(e.value)


def test_signature_certificate_of_another_practitioner(test_pki: TestPki, card_keys: Keys) -> None:
    authentication, _ = pair(test_pki, card_keys, DOCTOR)
    _, other = pair(test_pki, card_keys, OTHER_DOCTOR)
    with pytest.raises(CardDataError, match="signature certificate names another"):
        check_card_certificates("810002813839", authentication, other)


def test_signature_certificate_of_another_structure(test_pki: TestPki, card_keys: Keys) -> None:
    authentication, _ = pair(test_pki, card_keys, SECRETARY, card_type=3)
    moved = CardHolderIdentity(
        "3000042",
        "MARTIN",
        "CLAIRE",
        "Secrétaire",
        structure_id="339172288100052",
        internal_id="42",
    )
    _, other = pair(test_pki, card_keys, moved, card_type=3)
    with pytest.raises(CardDataError, match="signature certificate names another"):
        check_card_certificates("42", authentication, other)


def test_a_signature_certificate_without_non_repudiation(
    test_pki: TestPki, card_keys: Keys
) -> None:
    """E.g. the two certificate files swapped: the authentication one is no signature one."""
    authentication, signature = pair(test_pki, card_keys, DOCTOR)
    with pytest.raises(CardDataError, match="non-repudiation"):
        check_card_certificates("810002813839", signature, authentication)
