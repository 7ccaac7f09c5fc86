"""``cardbridge readers`` as a user runs it, against the real pcscd."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from cardbridge.cards.models import ReaderInfo
from cardbridge.cli import EXIT_CARD
from tests.real.pcsc.conftest import InsertedCard


def cardbridge(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cardbridge", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_readers_json_is_the_api_model(inserted: InsertedCard) -> None:
    result = cardbridge("readers", "--json")
    assert result.returncode == 0, result.stderr
    readers = json.loads(result.stdout)
    assert all(set(entry) == {"name", "card_present", "card_type", "atr"} for entry in readers)
    infos = {info.name: info for info in map(ReaderInfo.model_validate, readers)}
    assert infos[inserted.reader] == ReaderInfo(
        name=inserted.reader,
        card_present=True,
        card_type="cps",
        atr="3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00",
    )


def test_readers_table(inserted: InsertedCard) -> None:
    result = cardbridge("readers")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith(inserted.reader))
    assert "CPS3" in line
    assert "3B AC 00 40" in line


def test_readers_when_pcscd_cannot_be_reached() -> None:
    # pcsc-lite's client library finds pcscd through this socket path.
    result = cardbridge("readers", "--json", env={"PCSCLITE_CSOCK_NAME": "/nonexistent/pcscd"})
    assert result.returncode == EXIT_CARD
    assert result.stdout == ""
    assert "pcscd" in result.stderr
    assert "Traceback" not in result.stderr


def test_readers_lists_what_opensc_lists_without_loading_the_settings_or_the_emulator() -> None:
    # OpenSC's own listing of pcscd's readers is the reference. Python's import log
    # (-X importtime, on stderr) shows what the command loaded: without a setting that
    # chooses the backend, neither pydantic (the settings) nor the emulated cards.
    listed = subprocess.run(
        ["opensc-tool", "--list-readers"], check=True, capture_output=True, text=True, timeout=30
    ).stdout.splitlines()
    opensc_names = {line.split(None, 2)[2] for line in listed if line[:1].isdigit()}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cardbridge", "readers"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()[1:]
    assert {name for name in opensc_names if any(row.startswith(name) for row in rows)} == (
        opensc_names
    )
    assert len(rows) == len(opensc_names)
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()}
    assert "cardbridge.service.backends" in imported  # the log is the command's
    assert not {name for name in imported if name.split(".")[0] in {"pydantic", "fastapi"}}
    assert not {name for name in imported if name.startswith("cardbridge.emulator")}
