"""CPS file system: SELECT and READ BINARY as the CPS3 answers them (hex vectors)."""

from __future__ import annotations

import pytest

from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.profiles import CpsProfile, load_profile
from cardbridge.layouts import cps as layout
from cardbridge.pcsc.tlv import parse_dict, unpack
from testkit.apdu import sw, tx

AID = "E828BD080F8025000001FF0010"
SELECT_APP = f"00A4040C0D{AID}"
VERIFY_PIN = "0020000104 31323334"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        pytest.param(f"00A404000D{AID}", 0x6A86, id="aid-fci-refused"),
        pytest.param(f"00A4040C0D{AID}", 0x9000, id="aid-no-answer"),
        pytest.param("00A4040C0DE828BD080F8025000001FF0020", 0x6A82, id="contactless-aid"),
        # EF.DIR is there (real CPS3, issue #16); relative from the MF only.
        pytest.param("00A4090C022F00", 0x9000, id="ef-dir-from-mf"),
        pytest.param("00A4090C043F00D003", 0x9000, id="path-from-3f00"),
        pytest.param("00A4090C063F000001D120", 0x9000, id="path-to-situation"),
        pytest.param("00A4090C063F000001D121", 0x6A82, id="missing-situation"),
        pytest.param("00A4080C02D003", 0x9000, id="path-from-mf"),
        pytest.param("00A4080C043F00D003", 0x6A82, id="path-from-mf-with-mf"),
        pytest.param("00A4000C023F00", 0x9000, id="mf-by-fid"),
        pytest.param("00A4000C00", 0x9000, id="mf-with-le"),
        pytest.param("00A4000C", 0x9000, id="mf-without-data"),
        pytest.param("00A4000C02D003", 0x9000, id="ef-by-fid"),
        pytest.param("00A4010C020001", 0x9000, id="child-df"),
        pytest.param("00A4020C020001", 0x6A82, id="df-is-not-an-ef"),
        pytest.param("00A4030C", 0x6A82, id="mf-has-no-parent"),
        pytest.param("00A4040C", 0x6700, id="aid-missing"),
        pytest.param("00A4050C023F00", 0x6A86, id="bad-p1"),
        pytest.param("00A40008023F00", 0x6A86, id="fmd-refused"),
        pytest.param("00A4000D023F00", 0x6A86, id="next-occurrence"),
        pytest.param("00A4090C033F00D0", 0x6700, id="odd-path"),
        pytest.param("00A4000C033F0000", 0x6700, id="fid-of-3-bytes"),
    ],
)
def test_select(cps: IsoCard, command: str, expected: int) -> None:
    assert sw(cps, command) == expected


def test_relative_ef_dir_fails_outside_the_mf(cps: IsoCard) -> None:
    # A real CPS3 answers 6A82 once another DF is current (OpenSC commit fc0df4e5d).
    assert sw(cps, SELECT_APP) == 0x9000
    assert sw(cps, "00A4090C022F00") == 0x6A82
    assert sw(cps, "00A4090C043F002F00") == 0x9000


def test_select_answers_fcp(cps: IsoCard) -> None:
    data, status = tx(cps, "00A40904043F00D00300")
    assert status == 0x9000
    fcp = parse_dict(unpack(0x62, data))
    assert fcp[0x83].value == bytes.fromhex("D003")
    assert fcp[0x80].value == (12).to_bytes(2, "big")
    assert fcp[0x88].value == bytes((0x1C << 3,))
    data, status = tx(cps, f"00A404040D{AID}00")
    assert status == 0x9000
    assert parse_dict(unpack(0x62, data))[0x84].value == bytes.fromhex(AID)


def test_failed_select_keeps_the_current_file(cps: IsoCard) -> None:
    assert sw(cps, "00A4090C043F00D003") == 0x9000
    assert sw(cps, "00A4090C043F00D0FF") == 0x6A82
    assert tx(cps, "00B0000000")[0][:1] == b"\x5a"


SN = "5A0A80250000010123456789"


@pytest.mark.parametrize(
    ("command", "data", "expected"),
    [
        pytest.param("00B0000000", SN, 0x9000, id="le-0-is-256"),
        pytest.param("00B0000004", SN[:8], 0x9000, id="short-le"),
        pytest.param("00B0000500", SN[10:], 0x9000, id="offset"),
        pytest.param("00B000000F", SN, 0x6282, id="exact-le-past-end"),
        pytest.param("00B0000C00", "", 0x6B00, id="offset-at-end"),
        pytest.param("00B0010000", "", 0x6B00, id="offset-past-end"),
        pytest.param("00B00000", "", 0x6700, id="no-le"),
        pytest.param("00B0000001FF00", "", 0x6700, id="data-given"),
        pytest.param("00B00000000000", SN, 0x9000, id="extended-le-max"),
        pytest.param("00B00000000400", SN, 0x6282, id="extended-le-past-end"),
    ],
)
def test_read_binary(cps: IsoCard, command: str, data: str, expected: int) -> None:
    assert sw(cps, "00A4090C043F00D003") == 0x9000
    assert tx(cps, command) == (bytes.fromhex(data), expected)


def test_read_binary_by_sfi(cps: IsoCard) -> None:
    assert tx(cps, "00B09C0000") == (bytes.fromhex(SN), 0x9000)  # EF.SN.ICC from the MF
    assert sw(cps, "00B0810000") == 0x6A82  # CPS_ID_CARD lives in the application
    assert sw(cps, SELECT_APP) == 0x9000
    assert sw(cps, "00B0800000") == 0x6A86
    assert sw(cps, "00B0E10000") == 0x6A86
    data, status = tx(cps, "00B0810000")
    assert status == 0x9000
    assert cps_identity(data).serial == "0123456789"
    assert tx(cps, "00B0000400")[0] == data[4:]  # the EF read by SFI became current


def cps_identity(data: bytes) -> layout.CardIdentity:
    return layout.CardIdentity.from_bytes(data)


def test_no_current_ef(cps: IsoCard) -> None:
    assert sw(cps, "00B0000000") == 0x6986
    assert sw(cps, SELECT_APP) == 0x9000
    assert sw(cps, "00B0000000") == 0x6986


def read_whole(card: IsoCard, sfi: int) -> bytes:
    """Read an EF by SFI in chunks, as the card returns them (at most E7 bytes each)."""
    data, status = tx(card, f"00B0{0x80 | sfi:02X}0000")
    assert status == 0x9000
    while True:
        chunk, status = tx(card, f"00B0{len(data):04X}00")
        if status == 0x6B00:
            return data
        assert status == 0x9000
        data += chunk


def test_read_limit_and_extended_le(cps: IsoCard) -> None:
    assert sw(cps, SELECT_APP) == 0x9000
    chunk, status = tx(cps, "00B0840000")
    assert (len(chunk), status) == (0xE7, 0x9000)
    certificate = read_whole(cps, layout.EF_CERT_AUTHENTICATION.sfi or 0)
    assert certificate[:2] == b"\x30\x82"
    assert len(certificate) == int.from_bytes(certificate[2:4], "big") + 4
    assert tx(cps, "00B00000000000") == (certificate, 0x9000)


def test_data_objects_match_the_profile(cps: IsoCard) -> None:
    profile = load_profile("demo-cps")
    assert isinstance(profile, CpsProfile)
    assert sw(cps, SELECT_APP) == 0x9000
    assert layout.CardIdentity.from_bytes(read_whole(cps, 1)) == layout.CardIdentity(
        0, "0123456789", profile.expires, True
    )
    holder = profile.holder
    assert layout.HolderName.from_bytes(read_whole(cps, 2)) == layout.HolderName(
        holder.national_id, "M", "LE QUINIO", "PIERRE"
    )
    info = read_whole(cps, 3)
    assert layout.ProfessionalInfo.from_bytes(info) == layout.ProfessionalInfo("10", "SM26")
    assert info.endswith(b"SM26")
    assert sw(cps, "00A4090C043F00D010") == 0x9000
    update = layout.DataUpdate.from_bytes(tx(cps, "00B0000000")[0])
    assert update.end == profile.expires
    assert update.start < update.end


def test_situations_need_the_pin(cps: IsoCard) -> None:
    assert sw(cps, "00A4090C063F000001D120") == 0x9000
    assert sw(cps, "00B0000000") == 0x6982
    assert sw(cps, VERIFY_PIN) == 0x9000
    data, status = tx(cps, "00B0000000")
    assert status == 0x9000
    assert layout.SituationFile.from_bytes(data) == layout.SituationFile(
        "499700735741008", "CABINET DR LE QUINIO", "SA07"
    )
