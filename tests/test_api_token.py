"""The local API token: configured, or created once in the config dir (0600, atomically)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from cardbridge.config import Settings, ensure_api_token, read_api_token
from cardbridge.config_sources import api_token_path
from cardbridge.errors import ConfigError


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("CARDBRIDGE_API_TOKEN", raising=False)
    return tmp_path


def test_created_once_private_and_kept(config_home: Path) -> None:
    assert read_api_token() is None
    token = ensure_api_token(Settings())
    path = api_token_path()
    assert path == config_home / "cardbridge" / "api-token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(token) >= 40
    assert ensure_api_token(Settings()) == token
    assert read_api_token() == token
    assert [p.name for p in path.parent.iterdir()] == ["api-token"]  # no draft left


def test_configured_token_wins(config_home: Path) -> None:
    assert ensure_api_token(Settings(api_token="configured-token-123456")) == (
        "configured-token-123456"
    )
    assert read_api_token() is None  # nothing written


def test_configured_token_too_short(config_home: Path) -> None:
    with pytest.raises(ValueError, match="at least 16"):
        Settings(api_token="short")


def test_concurrent_first_starts_agree(config_home: Path) -> None:
    tokens: list[str] = []
    threads = [
        threading.Thread(target=lambda: tokens.append(ensure_api_token(Settings())))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(tokens)) == 1
    assert read_api_token() == tokens[0]


def test_readable_by_others_refused(config_home: Path) -> None:
    ensure_api_token(Settings())
    os.chmod(api_token_path(), 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        ensure_api_token(Settings())


def test_damaged_file_refused(config_home: Path) -> None:
    path = api_token_path()
    path.parent.mkdir(parents=True)
    path.write_text("")
    os.chmod(path, 0o600)
    with pytest.raises(ConfigError, match="delete it"):
        read_api_token()
