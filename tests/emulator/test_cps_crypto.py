"""Signatures of the CPS: INTERNAL AUTHENTICATE with the authentication key, PSO HASH and
COMPUTE DIGITAL SIGNATURE with the signature key; both verify with their certificates."""

from __future__ import annotations

import hashlib

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from cardbridge.cards.certificates import parse_practitioner_certificate
from cardbridge.emulator.engine import CardKey, IsoCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.profiles import CpsProfile, load_profile
from cardbridge.layouts import iasecc
from testkit.apdu import sw, tx
from tests.emulator.test_cps_files import read_whole

SELECT_APP = "00A4040C0D E828BD080F8025000001FF0010"
VERIFY_PIN = "0020000104 31323334"
MSE_AUTH = "0022 41A4 06 800102 840182"
MSE_SIGN = "0022 41B6 06 800142 840181"
MSE_SIGN_SHA1 = "0022 41B6 06 800112 840181"
SHA256_PREFIX = "3031300D060960864801650304020105000420"
CDS = "002A9E9A00"


def certificate_key(card: IsoCard, sfi: int) -> RSAPublicKey:
    certificate = x509.load_der_x509_certificate(read_whole(card, sfi))
    key = certificate.public_key()
    assert isinstance(key, RSAPublicKey)
    return key


@pytest.fixture
def ready(cps: IsoCard) -> IsoCard:
    """The CPS with its application selected and the PIN verified."""
    assert sw(cps, SELECT_APP) == 0x9000
    assert sw(cps, VERIFY_PIN) == 0x9000
    return cps


def digest_info(message: bytes) -> str:
    return SHA256_PREFIX + hashlib.sha256(message).hexdigest()


def lc(hex_data: str) -> str:
    return f"{len(bytes.fromhex(hex_data)):02X}{hex_data}"


def test_internal_authenticate(ready: IsoCard) -> None:
    assert sw(ready, MSE_AUTH) == 0x9000
    signature, status = tx(ready, "00880000" + lc(digest_info(b"challenge")) + "00")
    assert status == 0x9000
    assert len(signature) == 256
    key = certificate_key(ready, 4)
    key.verify(signature, b"challenge", PKCS1v15(), hashes.SHA256())
    with pytest.raises(InvalidSignature):
        certificate_key(ready, 5).verify(signature, b"challenge", PKCS1v15(), hashes.SHA256())


def test_internal_authenticate_on_t0_without_le(ready: IsoCard) -> None:
    assert sw(ready, MSE_AUTH) == 0x9000
    assert tx(ready, "00880000" + lc(digest_info(b"x"))) == (b"", 0x6100)
    first, status = tx(ready, "00C0000080")
    assert (len(first), status) == (0x80, 0x6180)
    rest, status = tx(ready, "00C0000080")
    assert (len(rest), status) == (0x80, 0x9000)
    certificate_key(ready, 4).verify(first + rest, b"x", PKCS1v15(), hashes.SHA256())
    assert sw(ready, "00C0000080") == 0x6985  # nothing left


def test_short_le_delivers_the_rest_behind_61xx(ready: IsoCard) -> None:
    assert sw(ready, MSE_AUTH) == 0x9000
    first, status = tx(ready, "00880000" + lc(digest_info(b"y")) + "64")
    assert (len(first), status) == (100, 0x619C)
    rest, status = tx(ready, "00C000009C")
    assert status == 0x9000
    certificate_key(ready, 4).verify(first + rest, b"y", PKCS1v15(), hashes.SHA256())


def test_authentication_needs_pin_and_environment(cps: IsoCard) -> None:
    command = "00880000" + lc(digest_info(b"z")) + "00"
    assert sw(cps, SELECT_APP) == 0x9000
    assert sw(cps, command) == 0x6985  # no MSE SET yet
    assert sw(cps, MSE_AUTH) == 0x9000
    assert sw(cps, command) == 0x6982  # PIN not verified
    assert sw(cps, VERIFY_PIN) == 0x9000
    assert sw(cps, command) == 0x9000
    assert sw(cps, "00880000" + lc("00" * 103) + "00") == 0x6700  # over 40 % of the modulus
    assert sw(cps, "0088000000") == 0x6700
    assert sw(cps, "00880100" + lc(digest_info(b"z")) + "00") == 0x6A86


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        pytest.param("0022 41A4 06 800102 840181", 0x6A88, id="signature-key-cannot-authenticate"),
        pytest.param("0022 41B6 06 800142 840182", 0x6A88, id="authentication-key-cannot-sign"),
        pytest.param("0022 41A4 06 800142 840182", 0x6A80, id="hash-algorithm-to-authenticate"),
        pytest.param("0022 41B6 06 800102 840181", 0x6A80, id="raw-algorithm-to-sign"),
        pytest.param("0022 41B6 06 800142 840183", 0x6A88, id="unknown-key"),
        pytest.param("0022 41B6 03 800142", 0x6A80, id="key-missing"),
        pytest.param("0022 41B8 06 800142 840181", 0x6A86, id="confidentiality-template"),
        pytest.param("0022 81B6 06 800142 840181", 0x6A86, id="verification-mse"),
        pytest.param("0022 41B6 06 800142 840181 00", 0x6700, id="le-given"),
    ],
)
def test_mse_set_refusals(ready: IsoCard, command: str, expected: int) -> None:
    assert sw(ready, command) == expected


def test_keys_live_in_the_application_df(cps: IsoCard) -> None:
    assert sw(cps, MSE_SIGN) == 0x6A88


def sign(card: IsoCard, hash_data: bytes) -> bytes:
    assert sw(card, "002A90A0" + lc(hash_data.hex())) == 0x9000
    signature, status = tx(card, CDS)
    assert status == 0x9000
    return signature


@pytest.mark.parametrize("length", [0, 1, 55, 63, 64, 65, 150, 1000])
def test_pso_hash_with_the_last_step_on_the_card(ready: IsoCard, length: int) -> None:
    message = bytes(range(256)) * 4
    message = message[:length]
    assert sw(ready, MSE_SIGN) == 0x9000
    signature = sign(ready, iasecc.partial_hash_data(message))
    certificate_key(ready, 5).verify(signature, message, PKCS1v15(), hashes.SHA256())


def test_pso_hash_of_a_final_digest(ready: IsoCard) -> None:
    assert sw(ready, MSE_SIGN) == 0x9000
    signature = sign(ready, iasecc.final_hash_data(hashlib.sha256(b"vihf").digest()))
    certificate_key(ready, 5).verify(signature, b"vihf", PKCS1v15(), hashes.SHA256())
    assert sw(ready, MSE_SIGN_SHA1) == 0x9000
    signature = sign(ready, iasecc.final_hash_data(hashlib.sha1(b"old").digest()))
    certificate_key(ready, 5).verify(signature, b"old", PKCS1v15(), hashes.SHA1())


def test_signature_conditions(cps: IsoCard) -> None:
    final = "002A90A022 9020" + hashlib.sha256(b"a").hexdigest()
    assert sw(cps, SELECT_APP) == 0x9000
    assert sw(cps, final) == 0x6985  # no environment
    assert sw(cps, MSE_SIGN) == 0x9000
    assert sw(cps, CDS) == 0x6982  # PIN first
    assert sw(cps, VERIFY_PIN) == 0x9000
    assert sw(cps, CDS) == 0x6985  # no hash yet
    assert sw(cps, final) == 0x9000
    assert sw(cps, CDS) == 0x9000
    assert sw(cps, CDS) == 0x6985  # one signature per hash
    assert sw(cps, "002A90A012 9010" + "00" * 16) == 0x6A80  # not a SHA-256 digest
    assert sw(cps, "002A90A004 9002AABB") == 0x6A80
    assert sw(cps, "002A90A003 800100") == 0x6A80  # the 80 part alone
    assert sw(cps, "002A90A006 9001AA 800100") == 0x6A80  # truncated state
    assert sw(cps, "002A9E9A02 AABB00") == 0x6A80  # CDS takes no data
    assert sw(cps, "002A8086 00") == 0x6A86  # no deciphering
    assert sw(cps, MSE_SIGN_SHA1) == 0x9000
    assert sw(cps, "002A90A006 9000 80020102") == 0x6A80  # two-part hash is SHA-256 only


def test_a_new_environment_or_restore_forgets_the_hash(ready: IsoCard) -> None:
    final = "002A90A022 9020" + hashlib.sha256(b"a").hexdigest()
    assert sw(ready, MSE_SIGN) == 0x9000
    assert sw(ready, final) == 0x9000
    assert sw(ready, MSE_SIGN) == 0x9000
    assert sw(ready, CDS) == 0x6985
    assert sw(ready, final) == 0x9000
    assert sw(ready, "0022F301") == 0x9000
    assert sw(ready, CDS) == 0x6985
    assert sw(ready, "0022F30101") == 0x6700


def test_power_off_forgets_environment_and_pin(ready: IsoCard) -> None:
    assert sw(ready, MSE_AUTH) == 0x9000
    ready.power_off()
    ready.power_on()
    assert sw(ready, SELECT_APP) == 0x9000
    assert sw(ready, "00880000" + lc(digest_info(b"c")) + "00") == 0x6985
    assert sw(ready, MSE_AUTH) == 0x9000
    assert sw(ready, "00880000" + lc(digest_info(b"c")) + "00") == 0x6982


def test_get_challenge(cps: IsoCard) -> None:
    first, status = tx(cps, "0084000008")
    assert (len(first), status) == (8, 0x9000)
    assert tx(cps, "0084000008")[0] != first
    assert sw(cps, "0084000010") == 0x6700
    assert sw(cps, "00840000") == 0x6700
    assert sw(cps, "0084010008") == 0x6A86


def test_no_accessor_returns_a_private_key(cps: IsoCard) -> None:
    keys = [key for df in cps.mf.walk() for key in df.keys.values()]
    assert len(keys) == 2
    for key in keys:
        assert isinstance(key, CardKey)
        exposed = [getattr(key, name, None) for name in dir(key) if not name.startswith("_C")]
        assert not any(isinstance(value, RSAPrivateKey) for value in exposed)
        assert "private" not in repr(key).lower()


def test_certificates_come_from_the_test_pki(cps: IsoCard, test_pki: TestPki) -> None:
    assert sw(cps, SELECT_APP) == 0x9000
    authentication = parse_practitioner_certificate(read_whole(cps, 4))
    signature = parse_practitioner_certificate(read_whole(cps, 5))
    assert authentication.for_authentication
    assert signature.for_signature
    assert not signature.for_authentication
    for parsed in (authentication, signature):
        assert parsed.holder.national_id == "899700735741"
        assert parsed.holder.last_name == "LE QUINIO"
        assert parsed.holder.profession == "Médecin"
        assert parsed.issuer_common_name == "TEST AC IGC-SANTE ELEMENTAIRE PERSONNES"
    issuing = test_pki.issuing_ca.certificate
    for sfi in (4, 5):
        x509.load_der_x509_certificate(read_whole(cps, sfi)).verify_directly_issued_by(issuing)


def test_structure_staff_certificate_names_the_structure(
    key_pool: KeyPool, issuer: PkiIssuer
) -> None:
    profile = load_profile("cps-adeli-nurse")
    assert isinstance(profile, CpsProfile)
    holder = profile.holder.model_copy(update={"national_id": "3339172288100052"})
    staff = profile.model_copy(update={"card_type": 3, "holder": holder})
    card = build_card(staff, keys=key_pool, issuer=issuer)
    card.power_on()
    assert sw(card, SELECT_APP) == 0x9000
    parsed = parse_practitioner_certificate(read_whole(card, 4)).holder
    assert (parsed.structure_id, parsed.internal_id) == ("0751234567", "3339172288100052")
