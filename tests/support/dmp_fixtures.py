"""The offline DMP's fixtures, shared by the sandbox's tests and the DMP client's: the
session's test PKI, identities, a fresh sandbox per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cardbridge.config import Settings
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.pki_organisations import OrganisationPki
from testkit.dmp_messages import Vihf
from testkit.dmp_sandbox import (
    Identity,
    RunningSandbox,
    practitioner,
    running_sandbox,
    structure,
)

# The packaged default seed's people (cardbridge/sandbox/seeds/default.yaml).
PIERRE = "155067200010159"  # active DMP, the demo CPS is his treating physician
LOUISE = "215027512345610"  # a minor's active DMP
SOPHIE = "287096912304577"  # closed DMP
LUC = "185057512345673"  # no DMP


def indirect_settings(
    pkcs12_files: tuple[Path, Path], *, password: str | None = "pw", **settings: Any
) -> Settings:
    """Indirect mode with the structure's PKCS#12 files ``(tls, sign)``, as
    :meth:`OrganisationPki.export_demo_structure_pkcs12` writes them, and ``password``
    (``None``: none given); ``settings`` add or override fields."""
    tls, sign = pkcs12_files
    fields: dict[str, Any] = {
        "dmp_authentication": "indirect",
        "dmp_structure_tls_pkcs12": tls,
        "dmp_structure_sign_pkcs12": sign,
    }
    if password is not None:
        fields["dmp_structure_pkcs12_password"] = password
    return Settings(**(fields | settings))


@pytest.fixture(scope="session")
def organisations(data_dir: Path, test_pki: TestPki) -> OrganisationPki:
    return OrganisationPki.load_or_create(data_dir)


@pytest.fixture(scope="session")
def demo_doctor(test_pki: TestPki) -> Identity:
    """demo-cps: general practitioner, Pierre's treating physician in the seed."""
    return practitioner(
        test_pki,
        "899700735741",
        "LE QUINIO",
        "PIERRE",
        "Médecin",
        Vihf("899700735741", "499700735741008", patient=PIERRE),
    )


@pytest.fixture(scope="session")
def other_doctor(test_pki: TestPki) -> Identity:
    """cps4-doctor: a GP with no authorization in the seed."""
    return practitioner(
        test_pki,
        "810002813839",
        "D'ARTAGNAN-CASTELMORE",
        "JEAN-BAPTISTE",
        "Médecin",
        Vihf("810002813839", "410002813839001", patient=PIERRE, subject_text="D'ARTAGNAN"),
    )


@pytest.fixture(scope="session")
def nurse(test_pki: TestPki) -> Identity:
    """cps-adeli-nurse: a nurse (not a doctor), no authorization in the seed."""
    return practitioner(
        test_pki,
        "0751234567",
        "BÉRANGER",
        "HÉLÈNE",
        "Infirmier",
        Vihf("0751234567", "0751234567", profession="60", specialty=None, patient=PIERRE),
    )


@pytest.fixture(scope="session")
def hospital(organisations: OrganisationPki) -> Identity:
    """The demo structure in indirect mode."""
    return structure(
        organisations,
        Vihf(
            "LOCAL-USER-42",
            "10B0307377",
            sector="SA01",
            mode="INDIRECTE",
            subject_text="DUPONT Jean, service des urgences",
            patient=PIERRE,
        ),
    )


@pytest.fixture
def dmp(tmp_path: Path, data_dir: Path, organisations: OrganisationPki) -> Iterator[RunningSandbox]:
    """A sandbox with the default seed, fresh for each test."""
    with running_sandbox(tmp_path / "sandbox", data_dir) as running:
        yield running
