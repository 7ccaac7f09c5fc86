"""``cardbridge serve`` as a child process: start, token file, loopback only, clean stop."""

from __future__ import annotations

import re
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from cardbridge.config import Settings
from cardbridge.emulator.keys import KeyPool
from cardbridge.errors import PcscUnavailableError
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.reader_interface import ReaderState
from cardbridge.service.backends import choose_backend
from testkit.serve_process import ServeProcess, free_port
from tests.support.other_user import other_user_can_run, requests_from


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serves_the_emulator_and_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    port = free_port()
    server = ServeProcess(tmp_path, port, "--emulator")
    try:
        server.wait_ready()
        token_file = tmp_path / "config" / "cardbridge" / "api-token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text().strip()
        auth = {"Authorization": f"Bearer {token}"}
        health = httpx.get(f"{server.url}/v1/health").json()
        assert (health["backend"], health["pcsc"]) == ("emulator", "up")
        practitioner = httpx.get(f"{server.url}/v1/cps", headers=auth).json()
        assert practitioner["national_id"] == "899700735741"
        with httpx.stream("GET", f"{server.url}/v1/events", headers=auth) as events:
            assert next(events.iter_lines()) == "event: state"
            assert server.stop(sig) == 0  # even with an event stream open
    finally:
        server.stop()
    assert f"Status page: http://127.0.0.1:{port}/" in server.output
    assert "emulated readers" in server.output
    assert "cardbridge stopped." in server.output
    # The token made at first start is the one used at the next.
    again = ServeProcess(tmp_path, port, "--emulator")
    try:
        again.wait_ready()
        assert httpx.get(f"{again.url}/v1/readers", headers=auth).status_code == 200
    finally:
        assert again.stop() == 0


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org"])
def test_network_addresses_refused(tmp_path: Path, host: str) -> None:
    server = ServeProcess(tmp_path, free_port(), "--emulator", host=host)
    assert server.finish() == 2
    assert "not a loopback address" in server.output


def test_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = ServeProcess(tmp_path, taken.getsockname()[1], "--emulator")
        assert server.finish() == 1
    assert "already in use" in server.output


FRENCH = {"LC_MESSAGES": "fr_FR.UTF-8"}


def test_the_banner_and_the_refusals_in_french(tmp_path: Path) -> None:
    """What ``serve`` prints follows the locale as every command (French by default)."""
    port = free_port()
    server = ServeProcess(tmp_path, port, "--emulator", env=FRENCH)
    try:
        server.wait_ready()
    finally:
        assert server.stop() == 0
    assert " sert les lecteurs émulés (cartes CPS et Vitale de démonstration).\n" in server.output
    assert "  - cardbridge emulated reader 0 (CPS) : une carte CPS\n" in server.output
    assert "le code PIN de la CPS de démonstration est 1234" in server.output
    assert f"Page d'état : http://127.0.0.1:{port}/ " in server.output
    assert re.search(
        rf"« cardbridge open » le fait\) : http://127\.0\.0\.1:{port}/pair\?code=[\w-]+",
        server.output,
    ), server.output
    assert server.output.rstrip().endswith("cardbridge est arrêté.")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        refused = ServeProcess(tmp_path, busy, "--emulator", env=FRENCH)
        assert refused.finish() == 1
    assert f"Le port {busy} est déjà utilisé : cardbridge tourne-t-il déjà ?" in refused.output


def test_ipv6_loopback(tmp_path: Path) -> None:
    port = free_port()
    server = ServeProcess(tmp_path, port, "--emulator", host="::1")
    try:
        server.wait_ready()
    finally:
        assert server.stop() == 0
    assert f"Status page: http://[::1]:{port}/" in server.output


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_serves_its_own_user_only(tmp_path: Path, host: str) -> None:
    """A process of another OS user is refused, even with the token; ours is served."""
    other_user_can_run()
    server = ServeProcess(tmp_path, free_port(), "--emulator", host=host)
    try:
        server.wait_ready()
        token = (tmp_path / "config" / "cardbridge" / "api-token").read_text().strip()
        requests = [
            ("GET", "/v1/health", {}),
            ("GET", "/v1/cps", {"Authorization": f"Bearer {token}"}),
        ]
        refused = requests_from(host, server.port, requests)
        served = requests_from(host, server.port, requests, same_user=True)
    finally:
        assert server.stop() == 0
    assert refused == [(403, "user_forbidden")] * 2
    assert served == [(200, None)] * 2
    assert "refused a connection from uid 65534" in server.output


@pytest.mark.parametrize(
    ("readers", "fallback", "kind", "said"),
    [
        (None, True, "emulator", "pcscd is not running"),
        (None, False, "pcsc", "waiting for it"),
        ([ReaderState("r", False)], True, "emulator", "no card in the PC/SC readers"),
        ([ReaderState("r", True, b"\x3b\x00")], True, "pcsc", "PC/SC (1 reader(s))"),
        ([], False, "pcsc", "PC/SC (0 reader(s))"),
    ],
)
def test_backend_choice(
    monkeypatch: pytest.MonkeyPatch,
    readers: list[ReaderState] | None,
    fallback: bool,
    kind: str,
    said: str,
    key_pool: KeyPool,
) -> None:
    def list_readers(backend: PcscBackend) -> list[ReaderState]:
        if readers is None:
            raise PcscUnavailableError
        return readers

    monkeypatch.setattr(PcscBackend, "list_readers", list_readers)
    choice = choose_backend(Settings(emulator_fallback=fallback), keys=key_pool)
    assert choice.backend.kind == kind
    assert said in choice.reason.en
    assert choose_backend(Settings(emulator=True), keys=key_pool).backend.kind == "emulator"


PAIRING_LINK = re.compile(r"http://127\.0\.0\.1:\d+/pair\?code=[\w-]+")


def follow(link: str) -> dict[str, str]:
    """Follow a pairing link as a browser would; the cookie it sets, as a header."""
    answer = httpx.get(link)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/"
    name, value = next(iter(answer.cookies.items()))
    return {"Cookie": f"{name}={value}"}


def cardbridge_open(server: ServeProcess) -> subprocess.CompletedProcess[str]:
    """``cardbridge open --print-only`` in the environment of ``server`` (its port)."""
    return subprocess.run(
        [sys.executable, "-m", "cardbridge", "open", "--print-only"],
        env={**server.env, "CARDBRIDGE_PORT": str(server.port)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_pairing_link_printed_and_cardbridge_open(tmp_path: Path) -> None:
    """`cardbridge serve` prints a one-time pairing link; `cardbridge open` asks the
    running bridge for another; a restarted bridge still knows the paired browser."""
    port = free_port()
    server = ServeProcess(tmp_path, port, "--emulator")
    try:
        server.wait_ready()
        printed = PAIRING_LINK.findall(server.output)
        assert len(printed) == 1, server.output
        paired = follow(printed[0])
        assert httpx.get(f"{server.url}/v1/readers", headers=paired).status_code == 200
        assert httpx.get(printed[0]).headers["location"] == "/?pairing=failed"  # used once

        opened = cardbridge_open(server)
        assert opened.returncode == 0, opened.stderr
        links = PAIRING_LINK.findall(opened.stdout)
        assert len(links) == 1
        assert links != printed
        other_browser = follow(links[0])
        assert httpx.get(f"{server.url}/v1/session", headers=other_browser).json()["caller"] == (
            "page"
        )
    finally:
        assert server.stop() == 0
    state = tmp_path / "config" / "cardbridge" / "pairings.json"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert paired["Cookie"].split("=", 1)[1].split(".", 1)[1] not in state.read_text()
    again = ServeProcess(tmp_path, port, "--emulator")
    try:
        again.wait_ready()
        assert httpx.get(f"{again.url}/v1/readers", headers=paired).status_code == 200
    finally:
        assert again.stop() == 0
    # With no bridge running, `cardbridge open` says so.
    alone = cardbridge_open(again)
    assert alone.returncode == 1
    assert "cardbridge is not running" in alone.stderr
