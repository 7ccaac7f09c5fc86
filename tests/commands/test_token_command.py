"""``cardbridge token verify`` end to end, through ``python -m cardbridge`` in a child process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp

from cardbridge.cli import EXIT_AUTH, EXIT_FAILURE, EXIT_USAGE
from cardbridge.emulator.pki import CardCertificates, TestPki
from testkit.tokens import HOLDER, ORIGIN, make_token, new_nonce
from tests.support.ocsp_responder import Responder, build_response, ocsp_responder

Keys = tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]


@pytest.fixture(scope="module")
def responder() -> Iterator[Responder]:
    with ocsp_responder(lambda request: (500, b"")) as running:
        yield running


@pytest.fixture(scope="module")
def card(test_pki: TestPki, card_keys: Keys, responder: Responder) -> CardCertificates:
    return test_pki.issue_card_certificates(
        HOLDER, card_keys[0].public_key(), card_keys[1].public_key(), ocsp_url=responder.url
    )


@pytest.fixture(scope="module")
def pems(tmp_path_factory: pytest.TempPathFactory, test_pki: TestPki) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("pems")
    other = TestPki.load_or_create(tmp_path_factory.mktemp("cli-other-pki"))
    files = {
        "root": test_pki.trust_anchors_pem(),
        "intermediate": test_pki.intermediates_pem(),
        "other-root": other.trust_anchors_pem(),
    }
    for name, content in files.items():
        (directory / f"{name}.pem").write_bytes(content)
    return {name: directory / f"{name}.pem" for name in files}


def run(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cardbridge", "token", "verify", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def token_file(tmp_path: Path, card: CardCertificates, card_keys: Keys) -> tuple[Path, str]:
    nonce = new_nonce()
    path = tmp_path / "token.json"
    path.write_text(json.dumps(make_token(card.authentication, card_keys[0], nonce)))
    return path, nonce


def test_valid_token_as_json(token_file: tuple[Path, str], pems: dict[str, Path]) -> None:
    path, nonce = token_file
    result = run(
        "--token", path, "--nonce", nonce, "--origin", ORIGIN,
        "--trust", pems["root"], "--intermediate", pems["intermediate"], "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["valid"] is True
    practitioner = answer["practitioner"]
    assert practitioner["national_id"] == "810002813839"
    assert practitioner["rpps"] == "10002813839"
    assert practitioner["profession"] == {"code": "10", "label": "Médecin"}
    assert result.stderr == ""


def test_valid_token_as_text_from_stdin(
    token_file: tuple[Path, str], pems: dict[str, Path]
) -> None:
    path, nonce = token_file
    result = run(
        "--token", "-", "--nonce", nonce, "--origin", ORIGIN,
        "--trust", pems["root"], pems["intermediate"],
        stdin=path.read_text(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "valid: yes" in result.stdout
    assert "810002813839 (RPPS)" in result.stdout
    assert "Médecin (10)" in result.stdout


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"nonce": new_nonce()}, EXIT_AUTH, "signature does not match"),
        ({"origin": "https://dmp.example.evil"}, EXIT_AUTH, "signature does not match"),
        ({"origin": "https://dmp.example/"}, EXIT_USAGE, "no path"),
        ({"root": "other-root"}, EXIT_AUTH, "not issued by a trusted authority"),
        ({"nonce": "short"}, EXIT_AUTH, "nonce"),
    ],
    ids=["other-nonce", "look-alike-origin", "trailing-slash", "untrusted", "bad-nonce"],
)
def test_refused(
    token_file: tuple[Path, str],
    pems: dict[str, Path],
    change: dict[str, str],
    code: int,
    message: str,
) -> None:
    path, nonce = token_file
    result = run(
        "--token", path,
        "--nonce", change.get("nonce", nonce),
        "--origin", change.get("origin", ORIGIN),
        "--trust", pems[change.get("root", "root")],
        "--intermediate", pems["intermediate"],
        "--json",
    )  # fmt: skip
    assert result.returncode == code
    assert result.stdout == ""
    assert message in result.stderr
    assert "DONNAT" not in result.stderr


def test_unreadable_files(
    tmp_path: Path, token_file: tuple[Path, str], pems: dict[str, Path]
) -> None:
    path, nonce = token_file
    missing = tmp_path / "missing.pem"
    result = run("--token", path, "--nonce", nonce, "--origin", ORIGIN, "--trust", missing)
    assert result.returncode == EXIT_FAILURE
    assert "missing.pem" in result.stderr
    result = run("--token", missing, "--nonce", nonce, "--origin", ORIGIN, "--trust", pems["root"])
    assert result.returncode == EXIT_USAGE
    assert "--token" in result.stderr


@pytest.mark.parametrize(
    ("status", "code"),
    [(ocsp.OCSPCertStatus.GOOD, 0), (ocsp.OCSPCertStatus.REVOKED, EXIT_AUTH)],
    ids=["good", "revoked"],
)
def test_ocsp(
    token_file: tuple[Path, str],
    pems: dict[str, Path],
    responder: Responder,
    card: CardCertificates,
    test_pki: TestPki,
    status: ocsp.OCSPCertStatus,
    code: int,
) -> None:
    responder.answer = lambda request: (
        200,
        build_response(
            request,
            card.authentication,
            test_pki.issuing_ca.certificate,
            signer=test_pki.ocsp_responder.certificate,
            signer_key=test_pki.ocsp_responder.private_key,
            now=datetime.now(UTC),
            status=status,
        ),
    )
    path, nonce = token_file
    result = run(
        "--token", path, "--nonce", nonce, "--origin", ORIGIN,
        "--trust", pems["root"], "--intermediate", pems["intermediate"], "--ocsp",
    )  # fmt: skip
    assert result.returncode == code, result.stderr
    assert ("revoked" in result.stderr) == (code != 0)
