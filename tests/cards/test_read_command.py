"""``cardbridge read`` and ``readers`` on the built-in emulated readers (CARDBRIDGE_EMULATOR)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARDBRIDGE_EMULATOR": "true"}
    return subprocess.run(
        [sys.executable, "-m", "cardbridge", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_read_cps_with_pin_shows_situations_and_never_echoes_the_pin() -> None:
    result = run("read", "cps", "--pin-stdin", stdin="1234\n")
    assert result.returncode == 0, result.stderr
    assert "CABINET DR LE QUINIO" in result.stdout
    assert not re.search(r"\b1234\b", result.stdout + result.stderr)


def test_situations_are_numbered_from_0_like_the_api() -> None:
    text = run("read", "cps", "--pin-stdin", stdin="1234\n").stdout
    situations = json.loads(run("read", "cps", "--pin-stdin", "--json", stdin="1234\n").stdout)
    numbered = re.findall(r"^  (\d+)\.\s+(.+?) — ", text, re.MULTILINE)
    assert numbered == [(str(s["index"]), s["name"]) for s in situations["situations"]]
    assert numbered[0][0] == "0"


def test_beneficiaries_are_numbered_from_0_like_the_api() -> None:
    text = run("read", "vitale").stdout
    card = json.loads(run("read", "vitale", "--json").stdout)
    numbered = re.findall(r"^  (\d+)\.\s+(\S+) ", text, re.MULTILINE)
    assert numbered == [(str(b["index"]), b["first_name"]) for b in card["beneficiaries"]]
    assert [n for n, _ in numbered] == ["0", "1"]  # the demo card's two beneficiaries


def test_read_cps_without_pin() -> None:
    result = run("read", "cps", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["situations"] is None


def test_wrong_pin_exit_code_and_message() -> None:
    result = run("read", "cps", "--pin-stdin", stdin="0000\n")
    assert result.returncode == 4
    assert "Wrong PIN. 2 tries left." in result.stderr


def test_read_vitale_json() -> None:
    result = run("read", "vitale", "--json")
    assert result.returncode == 0, result.stderr
    card = json.loads(result.stdout)
    assert card["insured"]["nir"] == "1550672000101"
    assert card["beneficiaries"][1]["birth_date"] is None


def test_unknown_reader_and_wrong_card() -> None:
    unknown = run("read", "cps", "--reader", "nope")
    assert unknown.returncode == 3
    assert "no card reader named “nope”" in unknown.stderr
    readers = json.loads(run("readers", "--json").stdout)
    vitale_reader = next(r["name"] for r in readers if r["card_type"] == "vitale")
    wrong = run("read", "cps", "--reader", vitale_reader)
    assert wrong.returncode == 3
    assert "is not a CPS card" in wrong.stderr
