"""``cardbridge readers`` output and exit codes, with the backend replaced."""

from __future__ import annotations

import json
from typing import ClassVar

import pytest

from cardbridge import cli
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.reader_interface import ReaderState
from cardbridge.service import backends

CPS3 = bytes.fromhex("3BAC00402A001225006480000310009000")


class StubBackend:
    states: ClassVar[list[ReaderState]] = []

    def list_readers(self) -> list[ReaderState]:
        return self.states


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> type[StubBackend]:
    monkeypatch.setattr(backends, "listing_backend", StubBackend)
    return StubBackend


def test_no_reader_is_an_error_with_advice(
    stub: type[StubBackend], capsys: pytest.CaptureFixture[str]
) -> None:
    stub.states = []
    assert cli.main(["readers"]) == cli.EXIT_CARD
    out, err = capsys.readouterr()
    assert out == ""
    assert "No card reader found" in err


def test_no_reader_in_json_is_the_api_empty_list(
    stub: type[StubBackend], capsys: pytest.CaptureFixture[str]
) -> None:
    stub.states = []
    assert cli.main(["readers", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == []
    assert "No card reader found" in err


def test_table_names_card_and_reader(
    stub: type[StubBackend], capsys: pytest.CaptureFixture[str]
) -> None:
    stub.states = [
        ReaderState("Reader A", True, CPS3),
        ReaderState("Reader B", False),
        ReaderState("Reader C", True, None),
    ]
    assert cli.main(["readers"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["READER", "CARD", "ATR"]
    assert "CPS3 (IAS-ECC)" in lines[1]
    assert lines[1].endswith("3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00")
    assert lines[2].endswith("no card")
    assert lines[3].endswith("card not answering")


def test_json(stub: type[StubBackend], capsys: pytest.CaptureFixture[str]) -> None:
    stub.states = [ReaderState("Reader B", False)]
    assert cli.main(["readers", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"name": "Reader B", "card_present": False, "card_type": None, "atr": None}
    ]


def test_the_command_line_falls_back_to_the_emulated_readers_as_the_server_does(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # pcscd answers but no reader holds a card: with emulator_fallback (what `make run`
    # sets), `cardbridge readers` lists the readers `cardbridge serve` would serve.
    monkeypatch.setattr(PcscBackend, "list_readers", lambda self: [])
    monkeypatch.setenv("CARDBRIDGE_EMULATOR_FALLBACK", "true")
    assert cli.main(["readers", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {reader["card_type"] for reader in listed} == {"cps", "vitale"}
    monkeypatch.setenv("CARDBRIDGE_EMULATOR_FALLBACK", "false")
    assert cli.main(["readers", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
