"""The command line in French by default, in English when the locale asks for it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

FRENCH = {"LANG": "fr_FR.UTF-8"}
ENGLISH = {"LANG": "en_US.UTF-8"}


def cardbridge(
    data_dir: Path, language: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    """Run the installed command with only ``language``'s variables for the locale."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"}
    }
    env |= {"CARDBRIDGE_DATA_DIR": str(data_dir), **language}
    return subprocess.run(
        [sys.executable, "-m", "cardbridge", *args],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_french_when_no_language_is_set(tmp_path: Path) -> None:
    done = cardbridge(tmp_path, {}, "journal", "verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("L'historique des accès est intact : 0 enregistrements (")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (FRENCH, "L'historique des accès est intact : 0 enregistrements ("),
        ({"LANG": "C.UTF-8"}, "L'historique des accès est intact : 0 enregistrements ("),
        (ENGLISH, "The journal is intact: 0 records ("),
        (
            {"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"},
            "The journal is intact: 0 records (",
        ),
    ],
)
def test_a_command_speaks_the_locale(
    tmp_path: Path, language: dict[str, str], expected: str
) -> None:
    done = cardbridge(tmp_path, language, "journal", "verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(expected)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            FRENCH,
            "cardbridge: patient : la clé ne correspond pas au numéro (la clé est formée "
            "des 2 derniers caractères)",
        ),
        (
            ENGLISH,
            "cardbridge: patient: the key does not match the number (the key is the last "
            "2 characters)",
        ),
    ],
)
def test_an_error_in_both_languages(
    tmp_path: Path, language: dict[str, str], expected: str
) -> None:
    done = cardbridge(tmp_path, language, "journal", "list", "--patient", "295109912611194")
    assert done.returncode == 2
    assert done.stderr.startswith(expected)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            FRENCH,
            "cardbridge ne tourne pas sur http://127.0.0.1:{port} : démarrez-le avec "
            "« cardbridge serve »",
        ),
        (
            ENGLISH,
            "cardbridge is not running on http://127.0.0.1:{port}: start it with "
            "`cardbridge serve`",
        ),
    ],
)
def test_advice_when_the_bridge_is_not_running(
    tmp_path: Path, language: dict[str, str], expected: str
) -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    done = cardbridge(
        tmp_path,
        {**language, "CARDBRIDGE_PORT": str(port), "CARDBRIDGE_API_TOKEN": "t" * 32},
        "open",
        "--print-only",
    )
    assert done.returncode == 1
    assert done.stderr.startswith(expected.format(port=port)), done.stderr


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            FRENCH,
            "argument --since: '2026-02-30' n'est pas une date ou une heure réelle (date "
            "ISO 8601 attendue (2026-11-26), ou date et heure",
        ),
        (
            ENGLISH,
            "argument --since: '2026-02-30' is not a real date or time (expected an ISO 8601 "
            "date (2026-11-26) or date-time",
        ),
    ],
)
def test_a_date_that_does_not_exist_in_both_languages(
    tmp_path: Path, language: dict[str, str], expected: str
) -> None:
    done = cardbridge(tmp_path, language, "journal", "list", "--since", "2026-02-30")
    assert done.returncode == 2
    assert expected in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (FRENCH, "cardbridge: Aucun code PIN n'a été donné sur l'entrée standard."),
        (ENGLISH, "cardbridge: No PIN was given on standard input."),
    ],
)
def test_no_pin_on_standard_input_in_both_languages(
    tmp_path: Path, language: dict[str, str], expected: str
) -> None:
    demo = {**language, "CARDBRIDGE_EMULATOR": "true"}  # the built-in demo CPS
    done = cardbridge(tmp_path, demo, "read", "cps", "--pin-stdin")
    assert done.returncode == 4, done.stderr  # a PIN problem
    assert expected in done.stderr, done.stderr
