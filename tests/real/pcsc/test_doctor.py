"""``cardbridge doctor`` as a technician runs it, against the real pcscd and vpcd readers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from cardbridge.emulator.factory import build_card
from cardbridge.emulator.profiles import load_profile
from cardbridge.emulator.vpcd import VpcdBridge
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.reader_interface import EventKind
from testkit.events import EVENT_TIMEOUT, EventLog
from testkit.pcscd import VpcdSlot, start_pcscd, stop_pcscd
from tests.support.loopback_http import free_port, http_server


def doctor(*args: str, port: int | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command; the API port is a free one unless given, whatever holds 8470 here."""
    return subprocess.run(
        [sys.executable, "-m", "cardbridge", "doctor", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "CARDBRIDGE_PORT": str(port or free_port())},
    )


def line(output: str, title: str) -> str:
    """The line of the check titled ``title`` with its columns' padding collapsed to one
    space, and its fix line if there is one."""
    lines = output.splitlines()
    for index, text in enumerate(lines):
        status, _, rest = text.partition(" ")
        if rest.strip().startswith(title):
            found = f"{status} {title} {rest.strip()[len(title) :].strip()}"
            following = lines[index + 1] if index + 1 < len(lines) else ""
            return found + ("\n" + following.strip() if following.startswith(" ") else "")
    raise AssertionError(f"no line for {title!r} in:\n{output}")


@pytest.fixture
def demo_cps(vpcd_slot: VpcdSlot) -> Iterator[str]:
    """The packaged demo CPS, in a vpcd reader that pcscd reports it in; yields the reader."""
    backend = PcscBackend()
    log = EventLog(backend.events, {vpcd_slot.reader})
    backend.start()
    try:
        assert log.wait_until_empty(vpcd_slot.reader)
        card = build_card(load_profile("demo-cps"))
        with VpcdBridge(card, port=vpcd_slot.port):
            assert log.wait_for_event(EventKind.CARD_INSERTED, vpcd_slot.reader, EVENT_TIMEOUT)
            yield vpcd_slot.reader
    finally:
        backend.stop()


def test_doctor_sees_the_readers_and_the_cps(demo_cps: str) -> None:
    result = doctor()
    assert result.stderr == ""
    # Exit 0 here, unless another test run holds a card with a blocked PIN meanwhile.
    errors = [text for text in result.stdout.splitlines() if text.startswith("ERROR")]
    assert result.returncode == (1 if errors else 0), result.stdout
    assert all(text.split()[1:3] == ["CPS", "PIN"] for text in errors), errors
    for title in ("pcscd installed", "pcscd running", "pcscd reachable", "smart-card access"):
        assert line(result.stdout, title).startswith("OK "), result.stdout
    readers = line(result.stdout, "readers present")
    assert readers.startswith("OK ")
    assert f"“{demo_cps}”" in readers
    # Other test runs may hold cards in other readers: look at ours.
    assert f"CPS3 (IAS-ECC) recognised in “{demo_cps}”" in line(result.stdout, "cards recognised")
    assert f"3 of 3 tries left on the CPS in “{demo_cps}”" in line(result.stdout, "CPS PIN")
    assert line(result.stdout, "trust anchors").startswith("OK ")  # the card's PKI exists now
    assert line(result.stdout, "API port").startswith("OK ")

    report = json.loads(doctor("--json").stdout)
    checks = {check["id"]: check for check in report["checks"]}
    assert checks["readers"]["status"] == "ok"
    assert f"CPS3 (IAS-ECC) recognised in “{demo_cps}”" in checks["cards"]["message"]


def test_doctor_names_a_foreign_program_on_the_api_port() -> None:
    with http_server(404, b"<h1>Not Found</h1>") as port:
        result = doctor(port=port)
    assert result.returncode == 1
    api = line(result.stdout, "API port")
    assert api.startswith(f"ERROR API port port {port} is used by another program (")
    assert f", pid {os.getpid()}): HTTP 404 from “nginx”" in api
    assert "fix: Stop that program, or move cardbridge to a free port with CARDBRIDGE_PORT" in api


@pytest.mark.pcscd_exclusive
def test_doctor_when_pcscd_is_stopped() -> None:
    stop_pcscd()
    try:
        result = doctor()
    finally:
        start_pcscd()
    assert result.returncode == 1
    running = line(result.stdout, "pcscd running")
    assert running.startswith("ERROR pcscd running pcscd is not running"), running
    assert running.endswith(
        "fix: Start the smart-card service: sudo systemctl enable --now pcscd.socket"
    )
    assert line(result.stdout, "pcscd reachable").startswith("SKIP ")
    assert line(result.stdout, "readers present").startswith("SKIP ")
    assert result.stdout.splitlines()[-1].startswith("1 error")
