"""``card_backend = pkcs11``: the slots of a module as readers (SoftHSM2 here), their
events, the one backend choice shared by the server and the command line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading

import pytest

from cardbridge.cards.pkcs11_backend import Pkcs11Backend, _changes
from cardbridge.config import Settings, load_settings
from cardbridge.errors import ConfigError
from cardbridge.pcsc.atr import CardFamily
from cardbridge.pcsc.reader_interface import EventKind, ReaderEvent, ReaderState
from cardbridge.service.backends import choose_backend
from tests.support.softhsm import USER_PIN, SoftHsmCps

CPS = CardFamily.CPS


def test_slot_changes_become_reader_events() -> None:
    empty, held = ReaderState("A", False), ReaderState("A", True, None, CPS)
    other = ReaderState("B", True, None, CPS)
    assert _changes({}, {"A": held}) == [
        (EventKind.READER_ADDED, empty),
        (EventKind.CARD_INSERTED, held),
    ]
    assert _changes({"A": held}, {"A": empty}) == [(EventKind.CARD_REMOVED, empty)]
    assert _changes({"A": empty}, {"A": held}) == [(EventKind.CARD_INSERTED, held)]
    assert _changes({"A": held, "B": other}, {"B": other}) == [
        (EventKind.CARD_REMOVED, empty),
        (EventKind.READER_REMOVED, empty),
    ]
    assert _changes({"A": held}, {"A": held}) == []


def test_the_backend_reports_the_token_and_stops(softhsm: SoftHsmCps) -> None:
    backend = Pkcs11Backend(softhsm.module, poll_period=0.05)
    seen: list[ReaderEvent] = []
    inserted = threading.Event()

    def record(event: ReaderEvent) -> None:
        seen.append(event)
        if event.kind is EventKind.CARD_INSERTED and event.card_type is CPS:
            inserted.set()

    backend.events.subscribe(record)
    backend.start()
    try:
        assert inserted.wait(5)
        cps = [s for s in backend.events.snapshot() if s.card_type is CPS]
        assert [s.name for s in cps] == [s.name for s in backend.list_readers() if s.family is CPS]
        assert backend.kind == "pkcs11"
    finally:
        backend.stop()
    threads = [t.name for t in threading.enumerate()]
    assert "pkcs11-slots" not in threads
    # The blank token SoftHSM2 always shows is a card, not a CPS.
    assert {s.card_type for s in backend.list_readers()} == {CPS, CardFamily.UNKNOWN}


def test_server_and_command_line_choose_the_module(softhsm: SoftHsmCps) -> None:
    settings = Settings(card_backend="pkcs11", pkcs11_module=softhsm.module)
    choice = choose_backend(settings)
    assert choice.backend.kind == "pkcs11"
    assert choice.reason.en.startswith(f"PKCS#11 module {softhsm.module} (SoftHSM ")
    assert choice.reason.fr.startswith(f"le module PKCS#11 {softhsm.module} (SoftHSM ")
    assert choose_backend(settings).backend.kind == "pkcs11"
    assert choose_backend(Settings()).backend.kind == "pcsc"


def test_a_module_is_needed_and_must_load(tmp_path: pytest.TempPathFactory) -> None:
    with pytest.raises(ConfigError, match="pkcs11_module"):
        load_settings(card_backend="pkcs11")
    missing = Settings(card_backend="pkcs11", pkcs11_module=f"{tmp_path}/missing.so")
    with pytest.raises(ConfigError, match="Cannot load the PKCS#11 module"):
        choose_backend(missing)


def _cli(softhsm: SoftHsmCps, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CARDBRIDGE_CARD_BACKEND": "pkcs11",
        "CARDBRIDGE_PKCS11_MODULE": softhsm.module,
    }
    return subprocess.run(
        [sys.executable, "-m", "cardbridge", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_the_command_line_reads_the_cps_through_the_module(softhsm: SoftHsmCps) -> None:
    read = _cli(softhsm, "read", "cps", "--json", "--pin-stdin", stdin=f"{USER_PIN}\n")
    assert read.returncode == 0, read.stderr
    practitioner = json.loads(read.stdout)
    assert practitioner["national_id"] == softhsm.profile.holder.national_id
    assert [s["structure_id"] for s in practitioner["situations"]] == [
        s.structure_id for s in softhsm.profile.situations
    ]
    readers = json.loads(_cli(softhsm, "readers", "--json").stdout)
    assert practitioner["reader"] in [r["name"] for r in readers if r["card_type"] == "cps"]
    table = _cli(softhsm, "readers").stdout
    assert re.search(rf"{re.escape(practitioner['reader'])}\s+CPS \(PKCS#11 token\)", table)
    vitale = _cli(softhsm, "read", "vitale")
    assert vitale.returncode != 0
    assert "card_backend = pcsc" in vitale.stderr
