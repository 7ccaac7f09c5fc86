"""PKCS#15 encoders and the CPS3 layout data, checked against asn1crypto and real-card bytes."""

from __future__ import annotations

import datetime as dt

import pytest
from asn1crypto import core

from cardbridge.errors import CardDataError
from cardbridge.layouts import cps_pkcs15, der, pkcs15_read
from cardbridge.layouts.cps import PKCS15_AID
from cardbridge.layouts.pkcs15 import Directory
from cardbridge.pcsc.tlv import parse_all

# EF.DIR of a real CPS3 as reconstructed from its FCP size (0x65), the records OpenSC
# printed and the Cryptolib's cache names (docs/cps-card.md §EF.DIR).
EF_DIR_RECONSTRUCTED = bytes.fromhex(
    "61 2F 4F 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10 50 07 43 50 58 20 49 41 53"
    " 51 04 3F 00 00 01 73 0F 4F 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10"
    " 61 32 4F 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 20 50 0A 43 50 58 20 49 41 53 20 43 4C"
    " 51 04 3F 00 00 02 73 0F 4F 0D E8 28 BD 08 0F 80 25 00 00 01 FF 00 10"
)
# EF.ATR of a real CPS3 (OpenSC commit c581d1b26, issue #2223).
EF_ATR_REAL = bytes.fromhex(
    "804301B8460404B0ECC14703940180 4F088025000001FF0100E010020201040202010402020100"
    "02020100780806062B8122F8780282029000"
)


@pytest.mark.parametrize("value", [0, 1, 127, 128, 255, 256, 0x81, 2048, 0x250])
def test_integer_is_der(value: int) -> None:
    assert der.integer(value) == core.Integer(value).dump()


@pytest.mark.parametrize(
    "positions", [(), (0,), (0, 1), (9,), (1, 2), (0, 2, 3), (5,), (7,), (8,), (6,)]
)
def test_bits_are_der_named_bits(positions: tuple[int, ...]) -> None:
    decoded = core.BitString.load(der.bits(*positions)).native
    assert {i for i, bit in enumerate(decoded) if bit} == set(positions)
    if positions:
        assert decoded[-1] == 1  # DER: no trailing zero bits


def test_raw_flags_is_the_cps3_quirk() -> None:
    # One content byte and no unused-bits octet: what AODF/CDF entries carry.
    assert der.raw_flags(0x80) == bytes.fromhex("030180")


def test_oid() -> None:
    assert der.oid("1.2.840.113549.1.1.11") == bytes.fromhex("06092A864886F70D01010B")


def test_ef_dir_is_the_reconstruction_of_the_real_file() -> None:
    assert cps_pkcs15.ef_dir() == EF_DIR_RECONSTRUCTED
    assert len(cps_pkcs15.ef_dir()) == 0x65  # the size a real CPS3's FCP gives


def test_ef_dir_parses_back() -> None:
    apps = pkcs15_read.parse_applications(cps_pkcs15.ef_dir() + b"\x00\x00")
    assert [(a.label, a.aid.hex().upper(), a.path.hex()) for a in apps] == [
        ("CPX IAS", "E828BD080F8025000001FF0010", "3f000001"),
        ("CPX IAS CL", "E828BD080F8025000001FF0020", "3f000002"),
    ]


def test_ef_atr_is_the_real_content() -> None:
    assert cps_pkcs15.EF_ATR_CONTENT == EF_ATR_REAL
    assert len(EF_ATR_REAL) == 0x39


def test_odf_round_trip() -> None:
    found = pkcs15_read.parse_odf(cps_pkcs15.odf())
    assert {kind: [p.hex() for p in paths] for kind, paths in found.items()} == {
        Directory.PRIVATE_KEYS: ["3f0000017002"],
        Directory.CERTIFICATES: ["3f0000017005"],
        Directory.DATA_OBJECTS: ["3f0000017006"],
        Directory.AUTH_OBJECTS: ["3f0000017001"],
    }


def test_token_info_decodes_with_asn1crypto() -> None:
    der = cps_pkcs15.token_info("0123456789", dt.date(2026, 12, 31))
    assert core.load(der).tag == 16  # one SEQUENCE, nothing after it
    fields = parse_all(parse_all(der)[0].value)
    assert core.Integer.load(fields[0].to_bytes()).native == 0  # version
    assert core.UTF8String.load(fields[1].to_bytes()).native == "ASIP SANTE"
    assert (fields[2].tag, fields[2].value) == (0x80, b"CPS3v3-0123456789")
    assert core.BitString.load(fields[3].to_bytes()).native == (1, 1)  # readonly, login
    algorithms = [parse_all(a.value) for a in parse_all(fields[4].value)]
    assert [
        (core.Integer.load(a[0].to_bytes()).native, core.Integer.load(a[1].to_bytes()).native)
        for a in algorithms
    ] == [(1, 0x220), (2, 0x250), (3, 0x06), (4, 0x40), (5, 0x01), (6, 0x01)]
    assert core.GeneralizedTime.load(parse_all(fields[5].value)[0].to_bytes()).native == (
        dt.datetime(2026, 12, 31, tzinfo=dt.UTC)
    )


def test_prkdf_lists_both_keys() -> None:
    keys = pkcs15_read.parse_directory(cps_pkcs15.prkdf(0x81, 0x82), Directory.PRIVATE_KEYS)
    assert [(k.label, k.id, k.key_reference, k.auth_id) for k in keys] == [
        ("CPS_PRIV_SIG", PKCS15_AID + b"\x01", 0x81, b"\x01"),
        ("CPS_PRIV_AUT", PKCS15_AID + b"\x02", 0x82, b"\x01"),
    ]


def test_cdf_names_the_key_ids_and_files() -> None:
    certificates = pkcs15_read.parse_directory(
        cps_pkcs15.cdf(0xA001, 0xA002), Directory.CERTIFICATES
    )
    assert [(c.label, c.id[-1], c.file.hex()) for c in certificates] == [
        ("Certificat d'Authentification CPS", 2, "a001"),
        ("Certificat de Signature CPS", 1, "a002"),
    ]


def test_dodf_marks_activities_private() -> None:
    objects = pkcs15_read.parse_directory(
        cps_pkcs15.dodf([("CPS_ID_CARD", 0xE001)], [0xD120, 0xD121]), Directory.DATA_OBJECTS
    )
    assert [(o.label, o.file.hex(), o.auth_id) for o in objects] == [
        ("CPS_ID_CARD", "e001", None),
        ("CPS_ACTIVITY_01_PS", "d120", b"\x01"),
        ("CPS_ACTIVITY_02_PS", "d121", b"\x01"),
    ]


def test_aodf_pin_object_carries_the_real_label_and_rules() -> None:
    der = cps_pkcs15.aodf(1, 4, 8, 8)
    pin = parse_all(der)[0]
    common = pin.children()[0].children()
    assert common[0].value.decode() == "Code porteur de la carte CPX"
    assert common[1].to_bytes() == bytes.fromhex("030180")
    assert common[2].value == b"\x02"
    rules = [r.children()[0].to_bytes().hex() for r in common[3].children()]
    assert rules == ["03020520", "03020640", "03020308"]  # as opensc-explorer showed them


def test_malformed_directory_is_card_data_error() -> None:
    with pytest.raises(CardDataError):
        pkcs15_read.parse_directory(bytes.fromhex("3003020101"), Directory.CERTIFICATES)
