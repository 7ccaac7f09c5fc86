"""Security operations: MSE SET, PSO HASH / COMPUTE DIGITAL SIGNATURE, INTERNAL AUTHENTICATE,
GET CHALLENGE (IAS-ECC flavour of ISO 7816-4/-8).

A key signs only if MSE SET chose it for that operation and its PIN is verified.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from cardbridge.emulator.engine.security import CardKey
from cardbridge.emulator.engine.status import CardStatus, Reply
from cardbridge.layouts.iasecc import (
    ALGORITHM_DIGEST_SIZE,
    MSE_RESTORE_P1,
    MSE_SET_P1,
    PSO_CDS_P1P2,
    PSO_HASH_P1P2,
    Algorithm,
    Crt,
    SecurityEnvironment,
    digest_from_hash_data,
)
from cardbridge.pcsc.apdu import SW, CommandApdu

if TYPE_CHECKING:
    from cardbridge.emulator.engine.card import IsoCard

LOCAL_REFERENCE = 0x80
CHALLENGE_LENGTH = 8
# INTERNAL AUTHENTICATE data may fill at most 40 % of the modulus (docs/domain.md §1).
AUTHENTICATION_DATA_RATIO = 0.4

ALLOWED_ALGORITHMS = {
    Crt.AUTHENTICATION: frozenset({Algorithm.RSA_PKCS1}),
    Crt.DIGITAL_SIGNATURE: frozenset({Algorithm.RSA_PKCS1_SHA1, Algorithm.RSA_PKCS1_SHA256}),
    Crt.HASH: frozenset({Algorithm.SHA1, Algorithm.SHA256}),
}

DIGEST_INFO_PREFIX = {
    Algorithm.RSA_PKCS1_SHA1: bytes.fromhex("3021300906052B0E03021A05000414"),
    Algorithm.RSA_PKCS1_SHA256: bytes.fromhex("3031300D060960864801650304020105000420"),
}


def _key(card: IsoCard, reference: int) -> CardKey:
    holder = card.state.current_df if reference & LOCAL_REFERENCE else card.mf
    key = holder.keys.get(reference)
    if key is None:
        raise CardStatus(SW.REFERENCE_NOT_FOUND)
    return key


def _ready_key(card: IsoCard, crt: Crt) -> tuple[CardKey, SecurityEnvironment]:
    """The key MSE SET chose for ``crt``, once its PIN is verified."""
    environment = card.state.environments.get(crt)
    if environment is None:
        raise CardStatus(SW.CONDITIONS_NOT_SATISFIED)
    assert environment.key_reference is not None
    key = _key(card, environment.key_reference)
    if key.pin not in card.state.verified:
        raise CardStatus(SW.SECURITY_CONDITION_NOT_SATISFIED)
    return key, environment


def manage_security_environment(card: IsoCard, apdu: CommandApdu) -> Reply:
    """MSE SET (``41 A4`` / ``41 B6``) or MSE RESTORE (``F3``, forgets every choice)."""
    if apdu.le is not None:
        raise CardStatus(SW.WRONG_LENGTH)
    state = card.state
    if apdu.p1 == MSE_RESTORE_P1:
        if apdu.data:
            raise CardStatus(SW.WRONG_LENGTH)
        state.environments.clear()
        state.digest = None
        return Reply()
    if apdu.p1 != MSE_SET_P1 or apdu.p2 not in tuple(Crt):
        raise CardStatus(SW.INCORRECT_P1P2)
    crt = Crt(apdu.p2)
    environment = SecurityEnvironment.from_bytes(apdu.data, key=crt is not Crt.HASH)
    if environment.algorithm not in ALLOWED_ALGORITHMS[crt]:
        raise CardStatus(SW.INCORRECT_DATA)
    reference = environment.key_reference
    if reference is not None and crt not in _key(card, reference).usages:
        raise CardStatus(SW.REFERENCE_NOT_FOUND)
    state.environments[crt] = environment
    if crt is not Crt.AUTHENTICATION:
        state.digest = None
    return Reply()


def perform_security_operation(card: IsoCard, apdu: CommandApdu) -> Reply:
    """PSO HASH (``90 A0``) then PSO COMPUTE DIGITAL SIGNATURE (``9E 9A``)."""
    p1p2 = apdu.p1 << 8 | apdu.p2
    state = card.state
    if p1p2 == PSO_HASH_P1P2:
        if apdu.le is not None:
            raise CardStatus(SW.WRONG_LENGTH)
        environment = state.environments.get(Crt.DIGITAL_SIGNATURE)
        if environment is None:
            raise CardStatus(SW.CONDITIONS_NOT_SATISFIED)
        digest_size = ALGORITHM_DIGEST_SIZE[Algorithm(environment.algorithm)]
        state.digest = digest_from_hash_data(apdu.data, digest_size)
        return Reply()
    if p1p2 == PSO_CDS_P1P2:
        if apdu.data:
            raise CardStatus(SW.INCORRECT_DATA)
        key, environment = _ready_key(card, Crt.DIGITAL_SIGNATURE)
        if state.digest is None:
            raise CardStatus(SW.CONDITIONS_NOT_SATISFIED)
        digest, state.digest = state.digest, None  # one signature per hash
        prefix = DIGEST_INFO_PREFIX[Algorithm(environment.algorithm)]
        return Reply(key.sign_pkcs1(prefix + digest))
    raise CardStatus(SW.INCORRECT_P1P2)


def internal_authenticate(card: IsoCard, apdu: CommandApdu) -> Reply:
    """INTERNAL AUTHENTICATE: the card pads the data (a DigestInfo) and signs it."""
    if apdu.p1 or apdu.p2:
        raise CardStatus(SW.INCORRECT_P1P2)
    key, _ = _ready_key(card, Crt.AUTHENTICATION)
    if not apdu.data or len(apdu.data) > int(key.modulus_size * AUTHENTICATION_DATA_RATIO):
        raise CardStatus(SW.WRONG_LENGTH)
    return Reply(key.sign_pkcs1(apdu.data))


def get_challenge(card: IsoCard, apdu: CommandApdu) -> Reply:
    """GET CHALLENGE of 8 random bytes, the only length IAS-ECC cards give."""
    if apdu.p1 or apdu.p2:
        raise CardStatus(SW.INCORRECT_P1P2)
    if apdu.data or apdu.le != CHALLENGE_LENGTH:
        raise CardStatus(SW.WRONG_LENGTH)
    return Reply(secrets.token_bytes(CHALLENGE_LENGTH))
