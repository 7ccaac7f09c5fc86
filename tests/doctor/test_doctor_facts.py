"""Gathering the doctor's facts from a made-up system: fake /proc, fake commands, tmp dirs."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardbridge.cards.models import PinStatus
from cardbridge.doctor import bridge_facts, local_facts, pcsc_facts, unit_facts
from cardbridge.doctor.bridge_facts import Health, parse_health, port_facts, port_owner
from cardbridge.doctor.local_facts import config_facts, dir_facts, token_facts, trust_facts
from cardbridge.doctor.pcsc_facts import (
    PcscFailure,
    find_pcscd,
    parse_pcscd_version,
    pcscd_pids,
    probe_pcsc,
    socket_facts,
    socket_path,
    socket_unit_state,
)
from cardbridge.doctor.unit_facts import user_unit
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.inprocess import EmulatedBackend
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.profiles import load_profile
from cardbridge.errors import PcscError
from cardbridge.pcsc.connection import Connection
from cardbridge.pcsc.reader_interface import ReaderState
from cardbridge.pcsc.scard_codes import ScardCode, pcsc_error
from testkit.cards import CPS3_ATR, ScriptedCard
from tests.support.loopback_http import free_port, http_server, raw_listener

DEBIAN_12 = """pcsc-lite version 1.9.9.
Copyright (C) 1999-2002 by David Corcoran <corcoran@musclecard.com>.
Enabled features: Linux x86_64-pc-linux-gnu libsystemd serial usb libudev \
usbdropdir=/usr/lib/pcsc/drivers ipcdir=/run/pcscd filter configdir=/etc/reader.conf.d
MAX_READERNAME: 128, PCSCLITE_MAX_READERS_CONTEXTS: 16
"""
PCSCLITE_2 = DEBIAN_12.replace("1.9.9", "2.3.0").replace(" filter ", " filter polkit ")
HEALTH = {"status": "ok", "version": "0.1.0", "backend": "pcsc", "pcsc": "up"}


def fake_command(directory: Path, name: str, script: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory of fake commands, alone on PATH."""
    directory = tmp_path / "bin"
    directory.mkdir()
    monkeypatch.setenv("PATH", str(directory))
    return directory


# --- pcscd -------------------------------------------------------------------------------


def test_pcscd_version_and_polkit() -> None:
    old = parse_pcscd_version(Path("/usr/sbin/pcscd"), DEBIAN_12)
    assert (old.version, old.polkit, old.major) == ("1.9.9", False, 1)
    new = parse_pcscd_version(Path("/usr/sbin/pcscd"), PCSCLITE_2)
    assert (new.version, new.polkit, new.major) == ("2.3.0", True, 2)
    unknown = parse_pcscd_version(Path("/x/pcscd"), "Segmentation fault")
    assert (unknown.version, unknown.polkit, unknown.major) == (None, False, None)


def test_find_pcscd_runs_it_for_its_version(tmp_path: Path) -> None:
    printed = tmp_path / "version.txt"
    printed.write_text(PCSCLITE_2)
    fake = fake_command(tmp_path / "bin", "pcscd", f'[ "$1" = --version ] && cat {printed}')
    found = find_pcscd(str(fake.parent))
    assert found is not None
    assert (found.path, found.version, found.polkit) == (fake, "2.3.0", True)


def test_find_pcscd_looks_in_sbin_and_may_find_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pcsc_facts, "_SBIN", (str(tmp_path / "sbin"),))
    assert find_pcscd(str(tmp_path)) is None
    fake_command(tmp_path / "sbin", "pcscd", "echo 'pcsc-lite version 2.0.3.'")
    found = find_pcscd("")  # a user's PATH without sbin
    assert found is not None
    assert found.version == "2.0.3"


def test_pcscd_pids_from_proc(tmp_path: Path) -> None:
    for pid, comm in (("1", "systemd"), ("812", "pcscd"), ("4000", "pcscd"), ("77", None)):
        (tmp_path / pid).mkdir()
        if comm:
            (tmp_path / pid / "comm").write_text(f"{comm}\n")
    (tmp_path / "self").mkdir()
    assert pcscd_pids(tmp_path) == (812, 4000)


def test_socket_unit_state(bin_dir: Path) -> None:
    assert socket_unit_state() is None  # no systemctl at all
    log = bin_dir / "log"
    fake_command(bin_dir, "systemctl", f'echo "$*" > {log}; echo inactive; exit 3')
    assert socket_unit_state() == "inactive"
    assert log.read_text() == "is-active pcscd.socket\n"
    fake_command(bin_dir, "systemctl", "echo 'System has not been booted with systemd'; exit 1")
    assert socket_unit_state() is None


def test_socket_path_follows_pcsclite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PCSCLITE_CSOCK_NAME", raising=False)
    assert socket_path() == Path("/run/pcscd/pcscd.comm")
    monkeypatch.setenv("PCSCLITE_CSOCK_NAME", "/tmp/other.comm")
    assert socket_path() == Path("/tmp/other.comm")


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pcscd.comm"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        yield path


def test_socket_facts(unix_socket: Path, tmp_path: Path) -> None:
    unix_socket.chmod(0o666)
    facts = socket_facts(unix_socket)
    assert (facts.exists, facts.accessible, facts.mode) == (True, True, 0o666)
    assert not socket_facts(tmp_path / "missing").exists
    regular = tmp_path / "file"
    regular.write_text("")
    assert socket_facts(regular).accessible is False  # not a socket: nobody to talk to


class FailingReaders:
    """Readers whose listing, or connecting to whose cards, fails with a PC/SC code."""

    def __init__(self, list_code: int | None = None, connect_code: int | None = None) -> None:
        self.list_code = list_code
        self.connect_code = connect_code

    def list_readers(self) -> list[ReaderState]:
        if self.list_code is not None:
            raise pcsc_error(self.list_code)
        return [ReaderState("A", True, CPS3_ATR), ReaderState("B", False)]

    def connect(self, reader: str) -> Connection:
        raise pcsc_error(self.connect_code or ScardCode.E_NO_SMARTCARD, reader=reader)


def test_probe_connects_to_each_card_and_leaves_it() -> None:
    backend = EmulatedBackend(["A", "B", "C"])
    card = ScriptedCard()
    backend.insert("B", card)
    probe = probe_pcsc(backend)
    assert probe.failure is None
    assert [r.name for r in probe.readers] == ["A", "B", "C"]
    assert [(c.reader, c.atr, c.failure) for c in probe.cards] == [("B", CPS3_ATR, None)]
    assert backend.card("B") is card


def test_probe_reads_the_pin_counter_of_a_cps(key_pool: KeyPool, issuer: PkiIssuer) -> None:
    backend = EmulatedBackend(["CPS", "Vitale", "Other"])
    cps = build_card(load_profile("demo-cps"), keys=key_pool, issuer=issuer)
    backend.insert("CPS", cps)
    backend.insert("Vitale", build_card(load_profile("demo-vitale")))
    backend.insert("Other", ScriptedCard())  # a CPS ATR, but it knows no CPS command
    probe = probe_pcsc(backend)
    pins = {card.reader: (card.pin, card.pin_error) for card in probe.cards}
    assert pins["CPS"] == (PinStatus(tries_left=3, max_tries=3, blocked=False), None)
    assert pins["Vitale"] == (None, None)
    assert pins["Other"][0] is None
    assert "refused the command to SELECT" in (pins["Other"][1] or "")


def test_probe_keeps_the_pcsc_code_of_failures() -> None:
    probe = probe_pcsc(FailingReaders(list_code=ScardCode.F_COMM_ERROR))
    assert probe.failure is not None
    assert probe.failure.code == ScardCode.F_COMM_ERROR
    assert "pcscd" in probe.failure.message
    assert probe.readers == ()
    refused = probe_pcsc(FailingReaders(connect_code=ScardCode.W_SECURITY_VIOLATION))
    assert refused.failure is None
    assert [(c.reader, c.failure and c.failure.code) for c in refused.cards] == [
        ("A", ScardCode.W_SECURITY_VIOLATION)
    ]


def test_failure_from_an_error_without_code() -> None:
    assert PcscFailure.of(PcscError("odd")) == PcscFailure(None, "odd")


# --- cardbridge's files ---------------------------------------------------------------


def test_config_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    monkeypatch.setenv("CARDBRIDGE_CONFIG_FILE", str(config))
    monkeypatch.setenv("CARDBRIDGE_API_TOKEN", "secret-value-0123456789")
    facts = config_facts()
    assert (facts.path, facts.file_exists, facts.error) == (config, False, None)
    assert facts.settings is not None
    assert facts.variables == ("CARDBRIDGE_API_TOKEN", "CARDBRIDGE_CONFIG_FILE")
    config.write_text("port = 'eighty'\n")
    broken = config_facts()
    assert broken.settings is None
    assert broken.error is not None
    assert "port" in broken.error
    assert "secret-value-0123456789" not in repr(broken)


def test_dir_facts(tmp_path: Path) -> None:
    assert dir_facts(tmp_path) == local_facts.DirFacts(tmp_path, True, True)
    assert list(tmp_path.iterdir()) == []  # the write test left nothing behind
    assert dir_facts(tmp_path / "a" / "b") == local_facts.DirFacts(
        tmp_path / "a" / "b", False, True
    )
    blocker = tmp_path / "file"
    blocker.write_text("")
    # Works as root too: no permission bit can make a file hold a directory.
    under_file = dir_facts(blocker / "cardbridge")
    assert (under_file.writable, under_file.reason) == (False, f"{blocker} is not a directory")
    assert dir_facts(blocker).reason == "it is not a directory"


def test_token_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("CARDBRIDGE_API_TOKEN", raising=False)
    monkeypatch.setenv("CARDBRIDGE_CONFIG_FILE", str(tmp_path / "none.toml"))
    settings = local_facts.load_settings()
    path = tmp_path / "cardbridge" / "api-token"
    assert token_facts(settings) == local_facts.TokenFacts(path, False, exists=False)
    path.parent.mkdir()
    path.write_text("token")
    path.chmod(0o640)
    facts = token_facts(settings)
    assert (facts.exists, facts.regular, facts.mode, facts.owner_uid) == (
        True,
        True,
        0o640,
        os.getuid(),
    )
    assert token_facts(settings.model_copy(update={"api_token": "x"})).configured


def test_trust_facts(test_pki: TestPki, data_dir: Path, tmp_path: Path) -> None:
    facts = trust_facts(data_dir)
    assert facts.exists
    assert facts.error is None
    expected = [test_pki.root.certificate, test_pki.issuing_ca.certificate]
    assert [
        (f"CN={a.name}" in c.subject.rfc4514_string())
        for a, c in zip(facts.anchors, expected, strict=True)
    ] == [True, True]
    assert [a.not_after for a in facts.anchors] == [c.not_valid_after_utc for c in expected]
    assert all("TEST" in a.name for a in facts.anchors)
    assert trust_facts(tmp_path) == local_facts.TrustFacts(tmp_path / "emulator-pki", False)
    assert not (tmp_path / "emulator-pki").exists()  # looking never creates it
    (tmp_path / "emulator-pki").mkdir()
    (tmp_path / "emulator-pki" / "root-ca.pem").write_text("not a certificate")
    damaged = trust_facts(tmp_path)
    assert damaged.error is not None
    assert "damaged" in damaged.error


# --- the API port and the service -------------------------------------------------------


def test_port_free() -> None:
    port = free_port()
    assert port_facts("127.0.0.1", port) == bridge_facts.PortFacts("127.0.0.1", port, False)


def test_port_with_cardbridge() -> None:
    with http_server(200, json.dumps(HEALTH).encode(), "application/json") as port:
        facts = port_facts("127.0.0.1", port)
    assert facts.listening
    assert facts.health == Health("0.1.0", "pcsc", "up")
    assert facts.answer is None


def test_port_with_another_web_server() -> None:
    with http_server(404, b"<h1>Not Found</h1>") as port:
        facts = port_facts("127.0.0.1", port)
    assert facts.health is None
    assert facts.answer == "HTTP 404 from “nginx”"
    assert facts.owner == f"{Path('/proc/self/comm').read_text().strip()}, pid {os.getpid()}"


def test_port_with_json_that_is_not_ours() -> None:
    with http_server(200, b'{"status": "ok"}', "application/json") as port:
        assert port_facts("127.0.0.1", port).answer == "HTTP 200 from “nginx”"
    with http_server(200, b"not json", "application/json") as port:
        assert port_facts("127.0.0.1", port).health is None


def test_port_with_a_program_that_does_not_speak_http() -> None:
    with raw_listener() as port:
        facts = port_facts("127.0.0.1", port)
    assert (facts.listening, facts.answer) == (True, "it does not answer HTTP")


def test_port_probe_ignores_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("NO_PROXY", "")
    with http_server(200, json.dumps(HEALTH).encode(), "application/json") as port:
        assert port_facts("127.0.0.1", port).health is not None


def test_port_owner_unknown_for_a_free_port() -> None:
    assert port_owner(free_port()) is None


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"version": 1, "backend": "pcsc", "pcsc": "up"},
        {"version": "1", "backend": "other", "pcsc": "up"},
        {"version": "1", "backend": "pcsc", "pcsc": "maybe"},
    ],
)
def test_health_shape(body: object) -> None:
    assert parse_health(body) is None


def test_user_unit(bin_dir: Path) -> None:
    assert user_unit() is None  # no systemctl
    fake_command(
        bin_dir,
        "systemctl",
        'printf "LoadState=loaded\\nActiveState=failed\\nUnitFileState=enabled\\n"',
    )
    assert user_unit() == unit_facts.UserUnit("loaded", "failed", "enabled")
    fake_command(
        bin_dir, "systemctl", "echo 'Failed to connect to bus: No medium found' >&2; exit 1"
    )
    assert user_unit() is None


def test_configured_trust_facts(test_pki: TestPki, tmp_path: Path) -> None:
    roots, issuing = tmp_path / "roots.pem", tmp_path / "issuing.pem"
    roots.write_bytes(test_pki.trust_anchors_pem())
    issuing.write_bytes(test_pki.intermediates_pem())
    facts = trust_facts(tmp_path, [roots], [issuing])
    assert facts.error is None
    assert facts.configured == (roots, issuing)
    assert [a.not_after for a in facts.anchors] == [
        test_pki.root.certificate.not_valid_after_utc,
        test_pki.issuing_ca.certificate.not_valid_after_utc,
    ]
    missing = trust_facts(tmp_path, [tmp_path / "nowhere.pem"])
    assert missing.error is not None
    assert "nowhere.pem" in missing.error
    assert missing.configured == (tmp_path / "nowhere.pem",)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    assert trust_facts(tmp_path, [garbage]).error is not None
    assert trust_facts(tmp_path, [], [issuing]).error is not None  # intermediates, no root
