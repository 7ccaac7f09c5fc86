"""Card layouts: hex vectors of the encoders, round trips, and malformed bytes refused."""

from __future__ import annotations

import datetime as dt

import pytest

from cardbridge.errors import CardDataError
from cardbridge.layouts import cps, iasecc, vitale
from cardbridge.layouts.encoding import path_bytes
from cardbridge.pcsc.atr import CPS3, CPS4, VITALE2, identify_atr


def test_atrs_come_from_the_atr_table() -> None:
    assert cps.ATR_CPS3.hex(" ").upper() == "3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00"
    assert identify_atr(cps.ATR_CPS3) is CPS3
    assert identify_atr(cps.ATR_CPS4) is CPS4
    assert identify_atr(vitale.ATR_VITALE2) is VITALE2


def test_paths() -> None:
    assert path_bytes(cps.EF_SN_ICC) == bytes.fromhex("3F00D003")
    assert path_bytes(cps.situation_path(15)) == bytes.fromhex("3F000001D12F")
    with pytest.raises(ValueError, match="16"):
        cps.situation_path(16)


def test_chip_serial() -> None:
    serial = cps.ChipSerial(cps.ISSUER, "0123456789")
    assert serial.to_bytes().hex().upper() == "5A0A80250000010123456789"
    assert cps.ChipSerial.from_bytes(serial.to_bytes() + bytes(4)) == serial
    assert serial.is_cps
    assert not cps.ChipSerial.from_bytes(bytes.fromhex("5A0A80250000020123456789")).is_cps


def test_data_update() -> None:
    update = cps.DataUpdate(dt.date(2026, 12, 31), dt.date(2029, 12, 31))
    assert update.to_bytes().hex().upper() == "EC0C810420261231820420291231"
    assert cps.DataUpdate.from_bytes(update.to_bytes()) == update


def test_situation_field_tags() -> None:
    situation = cps.SituationFile("499700735741008", "CABINET", "SA07")
    assert situation.to_bytes().hex().upper() == (
        "EE20"
        + "8407"
        + b"CABINET".hex().upper()
        + "850F"
        + b"499700735741008".hex().upper()
        + "8604"
        + b"SA07".hex().upper()
    )


@pytest.mark.parametrize(
    "value",
    [
        cps.CardIdentity(3, "0123456789", dt.date(2029, 2, 28), False),
        cps.HolderName("0751234567", "MME", "BÉRANGER", "HÉLÈNE"),
        cps.ProfessionalInfo("40", None),
        cps.ProfessionalInfo("10", "SM26"),
        cps.SituationFile("10B0307377", "CH D'ÉPINAL", "SA01"),
    ],
)
def test_cps_round_trips_with_padding(value: object) -> None:
    encoded = value.to_bytes()  # type: ignore[attr-defined]
    assert type(value).from_bytes(encoded + bytes(8)) == value  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("decoder", "hex_data"),
    [
        (cps.ChipSerial.from_bytes, "5A0580250000 01"),
        (cps.ChipSerial.from_bytes, "5A07802500000101 2F"),
        (cps.ChipSerial.from_bytes, "5A0A8025000001012345678A"),
        (cps.ChipSerial.from_bytes, ""),
        (cps.DataUpdate.from_bytes, "EC0C810420261331820420291231"),
        (cps.DataUpdate.from_bytes, "EC06810420261231"),
        (cps.CardIdentity.from_bytes, "E2 00"),
        (cps.CardIdentity.from_bytes, "E10F 800100 8101 30 820420291231 830102"),
        (cps.HolderName.from_bytes, "E2088000 8100 8200 8300"),
        (cps.ProfessionalInfo.from_bytes, "E303 80 01 31"),
        (cps.SituationFile.from_bytes, "EE04 8402 4142"),
        (cps.SituationFile.from_bytes, "EE05 8402 41"),
        (cps.SituationFile.from_bytes, "000000"),
        (vitale.decode_identity_file, "6503 800141"),
        (vitale.decode_identity_file, "6603 800141"),
        (vitale.decode_nir_file, "6505 9303 313233"),
        (vitale.InsuranceData.from_bytes, "E2 00"),
        (vitale.InsuranceData.from_bytes, ""),
        (iasecc.PinSecurityObject.from_bytes, "BF810105 A003 9A0103"),
        (iasecc.PinSecurityObject.from_bytes, "5A00"),
        (iasecc.SecurityEnvironment.from_bytes, "800142"),
    ],
)
def test_malformed_bytes_raise_card_data_error(decoder: object, hex_data: str) -> None:
    with pytest.raises(CardDataError):
        decoder(bytes.fromhex(hex_data))  # type: ignore[operator]


def test_identity_file() -> None:
    bearers = [
        vitale.Bearer("D'ORNANO", "ANAÏS", "19530714", "FRA"),
        vitale.Bearer("MARTIN", "NOÉ", "20160400"),
    ]
    encoded = vitale.pad_file(vitale.encode_identity_file(bearers))
    assert encoded[:2] == b"\x65\x21"  # ANAÏS takes 6 bytes in UTF-8
    assert len(encoded) % vitale.FILE_BLOCK == 0
    assert vitale.decode_identity_file(encoded) == bearers


def test_nir_and_insurance_files() -> None:
    nirs = ["155067200010159", "155067200010159"]
    encoded = vitale.encode_nir_file(nirs)
    assert encoded[:4].hex().upper() == "6511930F"
    assert vitale.decode_nir_file(vitale.pad_file(encoded)) == nirs
    data = vitale.InsuranceData(
        "0000123456",
        True,
        "01",
        "349",
        "0349",
        (vitale.BeneficiaryRights("LE QUINIO", 1, 0), vitale.BeneficiaryRights("X", 2, 6, nirs[0])),
    )
    assert vitale.InsuranceData.from_bytes(vitale.pad_file(data.to_bytes())) == data


def test_pin_status_accepts_the_sdo_template() -> None:
    status = iasecc.PinSecurityObject(1, 3, 2)
    wrapped = b"\x70" + bytes((len(status.to_bytes()),)) + status.to_bytes()
    assert iasecc.PinSecurityObject.from_bytes(wrapped) == status
    assert iasecc.parse_status_query(iasecc.pin_status_query(1)) == (0xBF8101, b"\xa0\x80")


def test_mse_set_data() -> None:
    data = iasecc.mse_set_data(iasecc.Algorithm.RSA_PKCS1_SHA256, cps.KeyReference.SIGNATURE)
    assert data.hex().upper() == "800142840181"
    assert iasecc.SecurityEnvironment.from_bytes(data) == iasecc.SecurityEnvironment(0x42, 0x81)
