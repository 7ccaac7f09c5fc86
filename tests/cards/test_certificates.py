"""Practitioner certificates from DER: IGC-Santé, older GIP-CPS and CPA/CPE forms; bad DER."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from cardbridge.cards.certificates import parse_practitioner_certificate
from cardbridge.domain.identifiers import PractitionerIdType, StructureIdType
from cardbridge.emulator.pki import CardHolderIdentity, TestPki
from cardbridge.errors import CardDataError
from tests.support.fuzzing import examples

Keys = tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]

# An EC key signs the hand-built certificates: the parser ignores keys, and it is fast.
_KEY = ec.generate_private_key(ec.SECP256R1())
_ISSUER = x509.Name(
    [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.COMMON_NAME, "TEST AC IGC-SANTE ELEMENTAIRE PERSONNES"),
    ]
)


def attribute(oid: x509.ObjectIdentifier, value: str) -> x509.NameAttribute:
    return x509.NameAttribute(oid, value)


def person_rdn(cn: str, sn: str = "MARTIN", gn: str = "CLAIRE") -> x509.RelativeDistinguishedName:
    return x509.RelativeDistinguishedName(
        [
            attribute(NameOID.COMMON_NAME, cn),
            attribute(NameOID.SURNAME, sn),
            attribute(NameOID.GIVEN_NAME, gn),
        ]
    )


def single(oid: x509.ObjectIdentifier, value: str) -> x509.RelativeDistinguishedName:
    return x509.RelativeDistinguishedName([attribute(oid, value)])


def hand_built(*rdns: x509.RelativeDistinguishedName, serial: int = 7) -> bytes:
    """A certificate with exactly the subject RDNs given (DER order)."""
    now = datetime(2025, 1, 1, tzinfo=UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(list(rdns)))
        .issuer_name(_ISSUER)
        .public_key(_KEY.public_key())
        .serial_number(serial)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365))
        .sign(_KEY, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


def issued(pki: TestPki, keys: Keys, holder: CardHolderIdentity, **kw: Any) -> tuple[bytes, bytes]:
    certificates = pki.issue_card_certificates(
        holder, keys[0].public_key(), keys[1].public_key(), **kw
    )
    return (
        certificates.authentication.public_bytes(serialization.Encoding.DER),
        certificates.signature.public_bytes(serialization.Encoding.DER),
    )


COUNTRY = single(NameOID.COUNTRY_NAME, "FR")
RPPS_HOLDER = CardHolderIdentity("810002813839", "DONNAT-GADY", "ISABELLE", "Médecin")


# --- our certificates ---------------------------------------------------------------


def test_authentication_certificate_of_the_test_pki(test_pki: TestPki, card_keys: Keys) -> None:
    start = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    authentication, _ = issued(
        test_pki,
        card_keys,
        RPPS_HOLDER,
        serial_number=1234,
        not_before=start,
        not_after=start + timedelta(days=3),
    )
    parsed = parse_practitioner_certificate(authentication)
    holder = parsed.holder
    assert holder.national_id == "810002813839"
    assert holder.id_type is PractitionerIdType.RPPS
    assert holder.rpps == "10002813839"
    assert holder.adeli is None
    assert (holder.last_name, holder.first_name, holder.profession) == (
        "DONNAT-GADY",
        "ISABELLE",
        "Médecin",
    )
    assert holder.structure_id is None
    assert parsed.serial_number == 1234
    assert (parsed.not_before, parsed.not_after) == (start, start + timedelta(days=3))
    assert parsed.valid_at(start + timedelta(days=1))
    assert not parsed.valid_at(start + timedelta(days=4))
    assert parsed.issuer_common_name == "TEST AC IGC-SANTE ELEMENTAIRE PERSONNES"
    assert parsed.key_usage == {"digital_signature"}
    assert parsed.extended_key_usage == {"client_auth"}
    assert parsed.for_authentication
    assert not parsed.for_signature


def test_signature_certificate_is_not_for_authentication(
    test_pki: TestPki, card_keys: Keys
) -> None:
    _, signature = issued(test_pki, card_keys, RPPS_HOLDER, serial_number=10)
    parsed = parse_practitioner_certificate(signature)
    assert parsed.serial_number == 11
    assert parsed.key_usage == {"digital_signature", "non_repudiation"}
    assert parsed.extended_key_usage == frozenset()
    assert parsed.for_signature
    assert not parsed.for_authentication


def test_adeli_holder(test_pki: TestPki, card_keys: Keys) -> None:
    holder = CardHolderIdentity("0751234567", "LE QUINIO", "PIERRE", "Infirmier")
    parsed = parse_practitioner_certificate(issued(test_pki, card_keys, holder)[0]).holder
    assert parsed.id_type is PractitionerIdType.ADELI
    assert parsed.adeli == "751234567"
    assert parsed.rpps is None


def test_cpa_card_names_its_structure(test_pki: TestPki, card_keys: Keys) -> None:
    holder = CardHolderIdentity(
        "", "MARTIN", "CLAIRE", "Secrétaire", structure_id="499700735741008", internal_id="42"
    )
    parsed = parse_practitioner_certificate(issued(test_pki, card_keys, holder, card_type=3)[0])
    assert parsed.holder.national_id is None
    assert parsed.holder.id_type is None
    assert parsed.holder.structure_id == "499700735741008"
    assert parsed.holder.structure_id_type is StructureIdType.RPPS
    assert parsed.holder.internal_id == "42"


_FRENCH_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒabcdeéèêëàâçîïôöùûüÿæœ"
_NAMES = st.text(alphabet=_FRENCH_LETTERS + " '-", min_size=1, max_size=40).filter(
    lambda name: name.strip(" '-") != ""
)


@settings(max_examples=examples(40), deadline=None)
@given(last_name=_NAMES, first_name=_NAMES, profession=_NAMES)
def test_any_french_names_round_trip(
    test_pki: TestPki, card_keys: Keys, last_name: str, first_name: str, profession: str
) -> None:
    holder = CardHolderIdentity("899700075122", last_name, first_name, profession)
    parsed = parse_practitioner_certificate(issued(test_pki, card_keys, holder)[0]).holder
    assert (parsed.last_name, parsed.first_name, parsed.profession) == (
        last_name,
        first_name,
        profession,
    )


@pytest.mark.parametrize(
    ("last_name", "first_name"),
    [
        ("D'ALEMBERT-ÉLISÉE", "JEAN-FRANÇOIS"),
        ("N'GUYEN", "ÆLIS"),
        ("O'CONNOR", "ZOÉ"),
        # Separators of the string forms must stay inside their attribute.
        ("DUPONT+SN=FAUX, CN=899700075122", 'MARIE "LOU"\\'),
    ],
)
def test_names_that_break_string_forms(
    test_pki: TestPki, card_keys: Keys, last_name: str, first_name: str
) -> None:
    holder = CardHolderIdentity("810002813839", last_name, first_name, "Sage-femme")
    parsed = parse_practitioner_certificate(issued(test_pki, card_keys, holder)[0]).holder
    assert (parsed.national_id, parsed.last_name, parsed.first_name) == (
        "810002813839",
        last_name,
        first_name,
    )


# --- hand-built forms -----------------------------------------------------------------


def test_older_gip_cps_form_profession_in_ou() -> None:
    der = hand_built(
        COUNTRY,
        single(NameOID.ORGANIZATION_NAME, "CABINET MEDICAL DU PORT"),
        single(NameOID.ORGANIZATIONAL_UNIT_NAME, "Médecin"),
        person_rdn("810002813839"),
    )
    holder = parse_practitioner_certificate(der).holder
    assert holder.profession == "Médecin"
    assert holder.national_id == "810002813839"


def test_older_form_o_is_never_the_profession() -> None:
    """O names the organisation, even when its text looks like a profession."""
    der = hand_built(
        COUNTRY, single(NameOID.ORGANIZATION_NAME, "Pharmacien"), person_rdn("0751234567")
    )
    assert parse_practitioner_certificate(der).holder.profession is None


@pytest.mark.parametrize(
    ("units", "profession"),
    [
        (["Sage-femme"], "Sage-femme"),
        (["Service de radiologie"], "Service de radiologie"),  # the only OU: the profession
        (["0002 187512751", "Médecin"], "Médecin"),
        (["Médecin", "0002 187512751"], "Médecin"),  # order proves nothing
        (["CABINET DU PORT", "INFIRMIER", "GIP-CPS"], "INFIRMIER"),  # case, accents aside
        (["CABINET DU PORT", "GIP-CPS"], None),  # no profession among them: no guess
        (["Médecin", "Pharmacien"], None),  # two professions: no telling which
    ],
)
def test_older_form_profession_chosen_among_ous(units: list[str], profession: str | None) -> None:
    der = hand_built(
        COUNTRY,
        single(NameOID.ORGANIZATION_NAME, "GIP-CPS"),
        *(single(NameOID.ORGANIZATIONAL_UNIT_NAME, unit) for unit in units),
        person_rdn("810002813839"),
    )
    assert parse_practitioner_certificate(der).holder.profession == profession


def test_title_wins_over_ou() -> None:
    der = hand_built(
        COUNTRY,
        single(NameOID.ORGANIZATIONAL_UNIT_NAME, "Service"),
        single(NameOID.TITLE, "Pharmacien"),
        person_rdn("810002813839"),
    )
    assert parse_practitioner_certificate(der).holder.profession == "Pharmacien"


def test_no_profession_at_all() -> None:
    der = hand_built(COUNTRY, person_rdn("810002813839"))
    assert parse_practitioner_certificate(der).holder.profession is None


def test_cn_sn_gn_in_separate_rdns_are_read_too() -> None:
    der = hand_built(
        COUNTRY,
        single(NameOID.COMMON_NAME, "810002813839"),
        single(NameOID.SURNAME, "MARTIN"),
        single(NameOID.GIVEN_NAME, "CLAIRE"),
    )
    holder = parse_practitioner_certificate(der).holder
    assert (holder.national_id, holder.last_name, holder.first_name) == (
        "810002813839",
        "MARTIN",
        "CLAIRE",
    )


@pytest.mark.parametrize(
    ("common_name", "structure_type"),
    [
        ("10B0307377/CPE0001", StructureIdType.FINESS),
        ("339172288100052/A-17", StructureIdType.SIRET),
        ("999/XYZ", None),  # unknown structure form: kept, type unknown
        ("10B0307377/a/b", StructureIdType.FINESS),
    ],
)
def test_cpa_cpe_form(common_name: str, structure_type: StructureIdType | None) -> None:
    der = hand_built(COUNTRY, single(NameOID.TITLE, "Secrétaire"), person_rdn(common_name))
    holder = parse_practitioner_certificate(der).holder
    structure_id, _, internal_id = common_name.partition("/")
    assert (holder.structure_id, holder.internal_id) == (structure_id, internal_id)
    assert holder.structure_id_type is structure_type
    assert holder.national_id is None


@pytest.mark.parametrize(
    ("rdns", "message"),
    [
        ((COUNTRY, person_rdn("810002813838")), "CN is not a valid national id"),
        ((COUNTRY, person_rdn("JEAN MARTIN")), "CN is not a valid national id"),
        ((COUNTRY, person_rdn("/42")), "empty part"),
        ((COUNTRY, person_rdn("10B0307377/")), "empty part"),
        ((COUNTRY, single(NameOID.COMMON_NAME, "810002813839")), "lacks its CN, SN or GN"),
        (
            (COUNTRY, single(NameOID.COMMON_NAME, "899700075122"), person_rdn("810002813839")),
            "2 common_name",
        ),
        (
            (
                COUNTRY,
                single(NameOID.TITLE, "A"),
                single(NameOID.TITLE, "B"),
                person_rdn("810002813839"),
            ),
            "2 title",
        ),
    ],
)
def test_subjects_that_name_no_practitioner(
    rdns: tuple[x509.RelativeDistinguishedName, ...], message: str
) -> None:
    with pytest.raises(CardDataError, match=message) as caught:
        parse_practitioner_certificate(hand_built(*rdns))
    assert "MARTIN" not in str(caught.value)
    assert "810002813838" not in str(caught.value)


# --- malformed DER ----------------------------------------------------------------------

_VALID = hand_built(COUNTRY, single(NameOID.TITLE, "Médecin"), person_rdn("810002813839"))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x30",
        b"\x30\x00",
        b"\x30\x03\x02\x01\x01",
        _VALID + b"\x00",  # trailing bytes
        _VALID[:-1],
        b"-----BEGIN CERTIFICATE-----",
        b"\x04\x82\xff\xff",
    ],
)
def test_malformed_der_is_card_data_error(data: bytes) -> None:
    with pytest.raises(CardDataError, match=r"not a well-formed DER X\.509 certificate"):
        parse_practitioner_certificate(data)


def test_every_truncation_is_card_data_error() -> None:
    for length in range(len(_VALID)):
        with pytest.raises(CardDataError):
            parse_practitioner_certificate(_VALID[:length])


def test_an_attribute_of_unknown_type_and_odd_tag_is_card_data_error() -> None:
    """Found by the long fuzz runs: countryName turned into an unknown OID whose value is an
    ObjectDescriptor made asn1crypto raise AttributeError instead of a parse error."""
    country = bytes.fromhex("0603550406") + bytes([0x13, 0x02]) + b"FR"
    assert country in _VALID
    odd = bytes.fromhex("060355047F") + bytes([0x07, 0x02]) + b"FR"
    with pytest.raises(CardDataError):
        parse_practitioner_certificate(_VALID.replace(country, odd))


# The signature value closes the DER: the parser reads no byte of it.
_SIGNATURE_START = len(_VALID) - len(x509.load_der_x509_certificate(_VALID).signature)
_VALID_PARSED = parse_practitioner_certificate(_VALID)


def _refusal(data: bytes) -> CardDataError | None:
    try:
        parse_practitioner_certificate(data)
    except CardDataError as error:
        return error
    return None


def _parse_or_card_data_error(data: bytes) -> None:
    """Parsing either reads the practitioner the bytes name (the idNat_PS is in them as
    text), or raises exactly CardDataError with a message that quotes none of the
    certificate's names; never another exception."""
    refusal = _refusal(data)
    if refusal is not None:
        assert type(refusal) is CardDataError
        assert refusal.code == "card_data_invalid"
        for name in ("MARTIN", "CLAIRE", "810002813839"):
            assert name not in str(refusal)
        return
    parsed = parse_practitioner_certificate(data)
    if parsed.holder.national_id is not None:
        assert parsed.holder.national_id.encode() in data
    if data == _VALID:
        assert parsed == _VALID_PARSED


@settings(max_examples=examples(300), deadline=None)
@given(st.binary(max_size=600))
def test_fuzz_random_bytes(data: bytes) -> None:
    _parse_or_card_data_error(data)


@settings(max_examples=examples(500), deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, len(_VALID) - 1), st.integers(0, 255)), min_size=1, max_size=6
    )
)
def test_fuzz_corrupted_certificate(changes: list[tuple[int, int]]) -> None:
    data = bytearray(_VALID)
    for position, value in changes:
        data[position] = value
    _parse_or_card_data_error(bytes(data))


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.tuples(st.integers(_SIGNATURE_START, len(_VALID) - 1), st.integers(0, 255))))
def test_a_corrupted_signature_value_changes_nothing_read(changes: list[tuple[int, int]]) -> None:
    """The parser reads the certificate, it does not check it (the verifier does)."""
    data = bytearray(_VALID)
    for position, value in changes:
        data[position] = value
    assert parse_practitioner_certificate(bytes(data)) == _VALID_PARSED


@settings(max_examples=examples(200), deadline=None)
@given(st.integers(0, len(_VALID)), st.integers(0, 16), st.binary(max_size=16))
def test_fuzz_spliced_certificate(position: int, removed: int, inserted: bytes) -> None:
    _parse_or_card_data_error(_VALID[:position] + inserted + _VALID[position + removed :])


def test_names_stay_out_of_repr(test_pki: TestPki, card_keys: Keys) -> None:
    parsed = parse_practitioner_certificate(issued(test_pki, card_keys, RPPS_HOLDER)[0])
    assert "DONNAT" not in repr(parsed)
    assert "ISABELLE" not in repr(parsed)
