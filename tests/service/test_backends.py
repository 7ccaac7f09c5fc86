"""The backend ``cardbridge readers`` lists is the one ``choose_backend`` chooses from the
whole settings, including when it reads no setting at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cardbridge.config import Settings, load_settings
from cardbridge.emulator.keys import KeyPool
from cardbridge.errors import ConfigError
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.service import backends
from cardbridge.service.backends import CHOOSING_SETTINGS, choose_backend, listing_backend
from tests.support.softhsm import SoftHsmCps

# What choose_backend may read besides the settings that choose: the chosen backend's own.
CONFIGURING_SETTINGS = {"card_busy_timeout", "data_dir", "pkcs11_module"}


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("CARDBRIDGE_CONFIG_FILE", str(path))
    return path


@pytest.fixture
def pcscd_without_cards(monkeypatch: pytest.MonkeyPatch) -> None:
    # No reader holds a card: the fallback setting then matters.
    monkeypatch.setattr(PcscBackend, "list_readers", lambda self: [])


@pytest.fixture
def emulated_keys(monkeypatch: pytest.MonkeyPatch, key_pool: KeyPool) -> None:
    chosen = backends.choose_backend
    monkeypatch.setattr(
        backends, "choose_backend", lambda settings: chosen(settings, keys=key_pool)
    )


SOURCES: list[tuple[dict[str, str], str]] = [
    ({}, ""),
    ({}, 'port = 8475\nallowed_origins = ["https://app.example"]\n'),
    ({"CARDBRIDGE_PORT": "8475"}, ""),
    ({"CARDBRIDGE_EMULATOR": "true"}, ""),
    ({"cardbridge_emulator": "1"}, ""),  # the settings read variable names without case
    ({"CARDBRIDGE_EMULATOR": "false"}, "emulator = true\n"),
    ({}, "emulator = true\n"),
    ({"CARDBRIDGE_EMULATOR_FALLBACK": "true"}, ""),
    ({}, "emulator_fallback = true\n"),
    ({"CARDBRIDGE_EMULATOR_FALLBACK": "false"}, "emulator = false\n"),
    ({"CARDBRIDGE_CARD_BACKEND": "pcsc"}, ""),
]


@pytest.mark.parametrize(("environment", "config"), SOURCES)
@pytest.mark.usefixtures("pcscd_without_cards", "emulated_keys")
def test_the_listed_backend_is_the_one_chosen_from_the_whole_settings(
    environment: dict[str, str],
    config: str,
    config_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    key_pool: KeyPool,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    if config:
        config_file.write_text(config)
    expected = choose_backend(load_settings(), keys=key_pool).backend
    assert listing_backend().kind == expected.kind


def test_the_pkcs11_module_is_listed_when_the_config_file_chooses_it(
    config_file: Path, softhsm: SoftHsmCps
) -> None:
    # The SoftHSM2 token of the session (its configuration is read once per process).
    config_file.write_text(f'card_backend = "pkcs11"\npkcs11_module = "{softhsm.module}"\n')
    assert choose_backend(load_settings()).backend.kind == "pkcs11"
    assert listing_backend().kind == "pkcs11"


def test_an_invalid_config_file_is_reported_as_by_every_command(config_file: Path) -> None:
    config_file.write_text("emulator = [not toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        listing_backend()


class ReadRecorder:
    """A Settings whose attribute reads are noted."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        self.read.add(name)
        return getattr(self._settings, name)


@pytest.mark.parametrize(
    "given",
    [{}, {"emulator": True}, {"emulator_fallback": True}, {"card_busy_timeout": 3.0}],
)
@pytest.mark.usefixtures("pcscd_without_cards")
def test_choose_backend_decides_on_the_choosing_settings_only(
    given: dict[str, Any], key_pool: KeyPool
) -> None:
    # A new setting that changes the choice must join CHOOSING_SETTINGS, or
    # `cardbridge readers` would list pcscd's readers while the server serves others.
    recorder = ReadRecorder(Settings(**given))
    choose_backend(recorder, keys=key_pool)  # type: ignore[arg-type]
    assert recorder.read - CONFIGURING_SETTINGS <= set(CHOOSING_SETTINGS)
    assert set(CHOOSING_SETTINGS) <= set(Settings.model_fields)
