"""``Bridge.from_settings``, the one assembly point: the backend, the trust, the DMP
journal and the data dir it makes from the settings, and the app mounted on it.

Certificates and fingerprints are made and read by the ``openssl`` command, not by
cardbridge."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from fastapi.testclient import TestClient

from cardbridge.api.app import bridge_of, create_app
from cardbridge.config import Settings
from cardbridge.emulator.inprocess import EmulatedBackend
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.service.bridge import Bridge

TOKEN = "assembly-token-0123456789abcdef"


def _openssl(*arguments: str) -> str:
    done = subprocess.run(
        ["openssl", *arguments], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def _fingerprint(pem: Path) -> bytes:
    """The SHA-256 fingerprint ``openssl x509`` reads in the PEM file."""
    line = _openssl("x509", "-noout", "-fingerprint", "-sha256", "-in", str(pem))
    return bytes.fromhex(line.strip().split("=", 1)[1].replace(":", ""))


def _settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path / "data", state_dir=tmp_path / "state", **values)


def test_the_emulated_readers_bring_the_test_pki_into_the_trust(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    bridge = Bridge.from_settings(settings, backend=EmulatedBackend())

    pki = settings.data_dir / "emulator-pki"
    assert [ca.fingerprint(hashes.SHA256()) for ca in bridge.authorities.anchors] == [
        _fingerprint(pki / "root-ca.pem")
    ]
    assert [ca.fingerprint(hashes.SHA256()) for ca in bridge.authorities.intermediates] == [
        _fingerprint(pki / "issuing-ca.pem")
    ]
    assert stat.S_IMODE(settings.data_dir.stat().st_mode) == 0o700
    assert (settings.data_dir / "dmp-journal.sqlite3").is_file()


def test_pcsc_readers_trust_only_the_configured_anchors(tmp_path: Path) -> None:
    anchor = tmp_path / "anchor.pem"
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp_path / "anchor.key"),
        "-out", str(anchor), "-days", "30", "-subj", "/CN=Assembly test root",
    )  # fmt: skip
    settings = _settings(tmp_path, trust_anchors=[anchor])
    bridge = Bridge.from_settings(settings, backend=PcscBackend())

    assert [ca.fingerprint(hashes.SHA256()) for ca in bridge.authorities.anchors] == [
        _fingerprint(anchor)
    ]
    assert bridge.authorities.intermediates == ()
    assert not (settings.data_dir / "emulator-pki").exists()


def test_the_backend_is_the_one_the_settings_choose(tmp_path: Path) -> None:
    # No backend given: the choice of `cardbridge serve` and `cardbridge readers`.
    assert Bridge.from_settings(_settings(tmp_path, emulator=True)).backend.kind == "emulator"
    # PC/SC without the fallback, whether pcscd answers or not.
    assert Bridge.from_settings(_settings(tmp_path)).backend.kind == "pcsc"


def test_the_app_serves_the_bridge_it_is_given(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    bridge = Bridge.from_settings(settings, backend=EmulatedBackend(["Assembly reader 00 00"]))
    app = create_app(bridge, settings, api_token=TOKEN)
    assert bridge_of(app) is bridge

    headers = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app, base_url="http://127.0.0.1:8470") as client:
        readers = client.get("/v1/readers", headers=headers)
        health = client.get("/v1/health", headers=headers)

    assert readers.status_code == 200, readers.text
    assert readers.json() == [
        {"name": "Assembly reader 00 00", "card_present": False, "card_type": None, "atr": None}
    ]
    assert health.json()["backend"] == "emulator"
