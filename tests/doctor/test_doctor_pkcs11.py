"""``cardbridge doctor`` with ``card_backend = pkcs11``: the module loads and shows a CPS."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from cardbridge.doctor import Status, run_checks
from cardbridge.doctor.pkcs11_checks import Pkcs11Facts, check_pkcs11, pkcs11_facts
from cardbridge.pcsc.atr import CardFamily
from cardbridge.pcsc.reader_interface import ReaderState
from tests.support.doctor_facts import HEALTHY_LOCAL, HEALTHY_PCSC
from tests.support.softhsm import SoftHsmCps

MODULE = "/usr/local/lib/libcps3_pkcs11.so"
CPS = ReaderState("Reader 00 00", True, None, CardFamily.CPS)
EMPTY = ReaderState("Reader 00 00", False)


def test_the_check_reads_the_facts() -> None:
    ok = check_pkcs11(Pkcs11Facts(MODULE, "ASIP Sante CPS", (CPS,)))
    assert ok.status is Status.OK
    assert ok.message == f"{MODULE} (ASIP Sante CPS) loads, 1 slot; CPS in “Reader 00 00”"
    no_card = check_pkcs11(Pkcs11Facts(MODULE, "ASIP Sante CPS", (EMPTY,)))
    assert no_card.status is Status.WARNING
    assert "Insert the CPS" in (no_card.fix or "")
    no_slot = check_pkcs11(Pkcs11Facts(MODULE, "ASIP Sante CPS", ()))
    assert no_slot.status is Status.ERROR
    broken = check_pkcs11(Pkcs11Facts(MODULE, error="Cannot load the PKCS#11 module x: y."))
    assert broken.status is Status.ERROR
    assert "pkcs11_module" in (broken.fix or "")


def test_reported_after_the_configuration_only_when_used() -> None:
    used = dataclasses.replace(HEALTHY_LOCAL, pkcs11=Pkcs11Facts(MODULE, "x", (CPS,)))
    ids = [check.id for check in run_checks(HEALTHY_PCSC, used, "0.1.0").checks]
    assert ids[ids.index("config") + 1] == "pkcs11_module"
    unused = run_checks(HEALTHY_PCSC, HEALTHY_LOCAL, "0.1.0").checks
    assert "pkcs11_module" not in [check.id for check in unused]


def test_facts_from_softhsm_and_from_a_missing_module(softhsm: SoftHsmCps, tmp_path: Path) -> None:
    facts = pkcs11_facts(softhsm.module)
    assert facts.error is None
    assert facts.description is not None
    assert facts.description.startswith("SoftHSM")
    assert check_pkcs11(facts).status is Status.OK
    missing = pkcs11_facts(str(tmp_path / "missing.so"))
    assert missing.error is not None
    assert missing.error.startswith("Cannot load the PKCS#11 module")
    assert check_pkcs11(missing).status is Status.ERROR
