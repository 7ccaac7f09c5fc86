"""``cardbridge emulator`` arguments, ``--list-profiles`` and ``--export-trust`` (no pcscd)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509

from cardbridge.cli import EXIT_USAGE, main
from cardbridge.commands.emulator import parse_address
from cardbridge.emulator.pki import TestPki
from cardbridge.errors import InvalidInputError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:35963", ("127.0.0.1", 35963)),
        ("localhost:35964", ("localhost", 35964)),
        ("[::1]:35965", ("::1", 35965)),
    ],
)
def test_parse_address(text: str, expected: tuple[str, int]) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["35963", "127.0.0.1", "127.0.0.1:", ":35963", "h:0", "h:70000"])
def test_parse_address_refusals(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_address(text)
    assert caught.value.field == "--vpcd"


def test_list_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulator", "--list-profiles"]) == 0
    names = capsys.readouterr().out.split()
    assert {"demo-cps", "demo-vitale"} <= set(names)


def test_export_trust(
    tmp_path: Path, test_pki: TestPki, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "anchors.pem"
    assert main(["emulator", "--export-trust", str(target)]) == 0
    anchors = x509.load_pem_x509_certificates(target.read_bytes())
    assert anchors == [test_pki.root.certificate]
    assert main(["emulator", "--export-trust", "-"]) == 0
    assert capsys.readouterr().out.encode() == target.read_bytes()


@pytest.mark.parametrize(
    "argv",
    [
        ["emulator"],
        ["emulator", "demo-cps"],
        ["emulator", "--vpcd", "127.0.0.1:35963"],
        ["emulator", "--vpcd", "nowhere", "demo-cps"],
        ["emulator", "--vpcd", "192.0.2.1:35963", "demo-cps"],
        ["emulator", "--vpcd", "127.0.0.1:35963", "no-such-profile"],
    ],
)
def test_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == EXIT_USAGE
    assert capsys.readouterr().err.startswith("cardbridge: ")
