"""Indirect mode's VIHF states the structure of its certificates, not the card's situation
(the DMP checks that they match: docs/dmp-client.md, "Indirect mode")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from cardbridge.cards.models import Situation
from cardbridge.config import Settings
from cardbridge.emulator.pki_organisations import OrganisationPki
from cardbridge.service.dmp_connectors import DirectConnector, dmp_connector
from testkit.dmp_sandbox import Identity
from tests.support.dmp_fixtures import hospital, indirect_settings, organisations

__all__ = ["hospital", "organisations"]

CABINET = Situation(
    index=0,
    structure_id="499700735741008",
    structure_id_type="RPPS",
    name="CABINET DR LE QUINIO",
    sector="SA07",
    sector_label="Cabinet individuel",
)


def _indirect(folder: Path, organisations: OrganisationPki, **settings: Any) -> Settings:
    return indirect_settings(
        organisations.export_demo_structure_pkcs12(folder, b"pw"),
        dmp_server_roots=[folder / "unused.pem"],
        **settings,
    )


def test_indirect_mode_states_the_structure_of_its_certificate(
    organisations: OrganisationPki, tmp_path: Path, hospital: Identity
) -> None:
    settings = _indirect(tmp_path, organisations, dmp_structure_sector="SA01")
    stated = dmp_connector(settings).situation(CABINET)
    # The sandbox's test identity of the demo structure (tests/support/dmp_fixtures.py).
    assert (stated.structure_id, stated.sector) == (hospital.vihf.structure_id, "SA01")
    assert stated.name == "CENTRE HOSPITALIER DE DEMO"
    assert stated.index == CABINET.index
    assert stated.sector_label is None  # the card's label was the cabinet's


def test_without_a_sector_the_situations_is_kept(
    organisations: OrganisationPki, tmp_path: Path
) -> None:
    stated = dmp_connector(_indirect(tmp_path, organisations)).situation(CABINET)
    assert stated.sector == "SA07"


def test_direct_mode_keeps_the_cards_situation() -> None:
    assert DirectConnector(Settings()).situation(CABINET) is CABINET


def test_a_sector_is_an_r02_code() -> None:
    with pytest.raises(ValidationError, match="dmp_structure_sector"):
        Settings(dmp_structure_sector="hospital")
