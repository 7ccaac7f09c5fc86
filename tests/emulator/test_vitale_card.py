"""The emulated Vitale 2: identity file, NIR file and insurance data, as docs/domain.md
describes them."""

from __future__ import annotations

import pytest

from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.profiles import VitaleProfile, list_profiles, load_profile
from cardbridge.layouts import vitale as layout
from cardbridge.pcsc.atr import VITALE2, identify_atr
from testkit.apdu import sw, tx

SELECT_MF = "00A4000002 3F00"
SELECT_VITALE = "00A4040C0B D250000002564954414C45"


def read_sfi(card: IsoCard, sfi: int) -> bytes:
    data, status = tx(card, f"00B0{0x80 | sfi:02X}0000")
    assert status == 0x9000
    while len(data) % 256 == 0:
        chunk, status = tx(card, f"00B0{len(data):04X}00")
        if status == 0x6B00:
            break
        data += chunk
    return data


def test_atr_is_a_vitale_2(vitale: IsoCard) -> None:
    assert identify_atr(vitale.atr) is VITALE2


def test_reading_as_domain_describes(vitale: IsoCard) -> None:
    assert sw(vitale, SELECT_MF) >> 8 == 0x61  # the FCI waits for GET RESPONSE (T=0)
    bearers = layout.decode_identity_file(read_sfi(vitale, 2))
    assert bearers == [
        layout.Bearer("LE QUINIO", "PIERRE", "19550615", "FRA"),
        layout.Bearer("LE QUINIO", "LOUISE", "20150235", "FRA"),
    ]
    assert sw(vitale, SELECT_VITALE) == 0x9000
    assert layout.decode_nir_file(read_sfi(vitale, 2)) == ["155067200010159"] * 2
    insurance = layout.InsuranceData.from_bytes(read_sfi(vitale, 3))
    assert insurance == layout.InsuranceData(
        serial="0000123456",
        test=True,
        regime="01",
        caisse="349",
        centre="0349",
        beneficiaries=(
            layout.BeneficiaryRights("LE QUINIO", 1, 0, None),
            layout.BeneficiaryRights("LE QUINIO", 1, 6, "215027512345610"),
        ),
    )


def test_files_are_zero_padded(vitale: IsoCard) -> None:
    data, _ = tx(vitale, "00B0820000")
    assert len(data) % layout.FILE_BLOCK == 0
    assert data.endswith(b"\x00")


def test_mf_is_selectable_by_its_name(vitale: IsoCard) -> None:
    assert sw(vitale, SELECT_VITALE) == 0x9000
    assert sw(vitale, "00A4040C0E D2500000024D465F564954414C45") == 0x9000
    assert sw(vitale, "00B0820000") == 0x9000


@pytest.mark.parametrize("name", [n for n in list_profiles() if n.startswith(("vitale", "demo-v"))])
def test_every_packaged_vitale_profile_reads_back(name: str) -> None:
    profile = load_profile(name)
    assert isinstance(profile, VitaleProfile)
    card = build_card(profile)
    card.power_on()
    bearers = layout.decode_identity_file(read_sfi(card, 2))
    assert [(b.last_name, b.first_name, b.birth_date) for b in bearers] == [
        (p.last_name, p.first_name, p.birth_date) for p in profile.beneficiaries
    ]
    assert sw(card, SELECT_VITALE) == 0x9000
    insurance = layout.InsuranceData.from_bytes(read_sfi(card, 3))
    assert [
        (r.birth_name, r.birth_rank, r.quality, r.certified_nir) for r in insurance.beneficiaries
    ] == [(p.birth_name, p.birth_rank, p.quality, p.certified_nir) for p in profile.beneficiaries]
