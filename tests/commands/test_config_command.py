"""``cardbridge config …`` and ``serve``'s start banner, in process: what they print for the
settings and readers given. Paths expected follow the XDG Base Directory specification."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cardbridge.cli import main
from cardbridge.commands.serve_banner import banner_lines
from cardbridge.config import Settings
from cardbridge.emulator.keys import KeyPool
from cardbridge.errors import PcscUnavailableError
from cardbridge.messages import Text
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.reader_interface import ReaderState
from cardbridge.service.backends import BackendChoice, choose_backend

LINK = "http://127.0.0.1:8470/pair?code=abc"


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("CARDBRIDGE_API_TOKEN", raising=False)
    monkeypatch.delenv("CARDBRIDGE_CONFIG_FILE", raising=False)
    monkeypatch.setenv("CARDBRIDGE_PORT", "9321")
    return tmp_path


def printed(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["config", *args]) == 0
    return capsys.readouterr().out


def test_config_paths_and_address(elsewhere: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert printed(capsys, "url") == "http://127.0.0.1:9321\n"
    assert printed(capsys, "token-path") == f"{elsewhere / 'cardbridge' / 'api-token'}\n"
    assert printed(capsys, "file") == f"{elsewhere / 'cardbridge' / 'config.toml'}\n"


def test_config_show_reads_the_config_file(
    elsewhere: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CARDBRIDGE_PORT")
    (elsewhere / "cardbridge").mkdir()
    (elsewhere / "cardbridge" / "config.toml").write_text(
        'port = 9400\nallowed_origins = ["https://a.example", "https://b.example"]\n'
    )
    shown = json.loads(printed(capsys, "show", "--json"))
    assert (shown["url"], shown["port"]) == ("http://127.0.0.1:9400", 9400)
    assert shown["api_token_from"] == str(elsewhere / "cardbridge" / "api-token")
    assert "api_token" not in shown
    text = printed(capsys, "show")
    assert "allowed_origins" in text
    assert "https://a.example, https://b.example" in text
    assert "\nlps_homologation_dmp                -\n" in text  # none: a dash


def test_config_show_names_the_variable_not_the_token(
    elsewhere: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CARDBRIDGE_API_TOKEN", "a-token-of-sixteen-or-more")
    monkeypatch.setenv("CARDBRIDGE_DMP_STRUCTURE_PKCS12_PASSWORD", "p4ssw0rd")
    for args in (("show",), ("show", "--json")):
        out = printed(capsys, *args)
        assert "a-token-of-sixteen-or-more" not in out
        assert "p4ssw0rd" not in out
        assert "CARDBRIDGE_API_TOKEN" in out
    assert "CARDBRIDGE_API_TOKEN (or api_token)" in printed(capsys, "show")
    monkeypatch.setenv("LC_MESSAGES", "fr_FR.UTF-8")
    assert "CARDBRIDGE_API_TOKEN (ou api_token)" in printed(capsys, "show")
    monkeypatch.delenv("LC_MESSAGES")  # no language asked for: French
    shown = json.loads(printed(capsys, "show", "--json"))
    assert shown["api_token_from"] == "CARDBRIDGE_API_TOKEN (ou api_token)"


def test_banner_of_the_demo_cards(key_pool: KeyPool, tmp_path: Path) -> None:
    settings = Settings(emulator=True, data_dir=tmp_path)
    lines = banner_lines(settings, choose_backend(settings, keys=key_pool), "http://x", LINK)
    assert lines[1:4] == [
        "Readers:",
        "  - cardbridge emulated reader 0 (CPS): a CPS card",
        "  - cardbridge emulated reader 1 (Vitale): a Vitale card",
    ]
    assert "the demo CPS's PIN is 1234" in lines[4]
    assert LINK in "\n".join(lines)
    dmp = next(line for line in lines if line.startswith("DMP: "))
    assert "https://127.0.0.1:8471/si-dmp-server/v2/services" in dmp
    assert dmp.endswith("its patient pages: http://127.0.0.1:8472/")


@pytest.mark.parametrize(
    ("readers", "said"),
    [
        (None, None),
        ([], "No reader is connected yet"),
        (
            [ReaderState("R1", False), ReaderState("R2", True, b"\x3b\x00")],
            "  - R1: no card\n  - R2: a card that is no CPS nor Vitale",
        ),
    ],
)
def test_banner_of_pcsc_readers(
    monkeypatch: pytest.MonkeyPatch, readers: list[ReaderState] | None, said: str | None
) -> None:
    def list_readers(backend: PcscBackend) -> list[ReaderState]:
        if readers is None:
            raise PcscUnavailableError
        return readers

    monkeypatch.setattr(PcscBackend, "list_readers", list_readers)
    settings = Settings(dmp_endpoint="formation2")
    choice = BackendChoice(PcscBackend(), Text("PC/SC", "PC/SC"))
    text = "\n".join(banner_lines(settings, choice, "http://x", LINK))
    assert "PIN" not in text
    assert "DMP: formation2 (https://formation2.lps2.dmp.gouv.fr/si-dmp-server/v2/services)." in (
        text
    )
    if said is None:
        assert "Readers" not in text
        assert "No reader" not in text
    else:
        assert said in text


@pytest.mark.parametrize("variable", ["LC_MESSAGES", "LANG"])
def test_banner_in_french(
    key_pool: KeyPool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """The banner follows the environment's language as every command: French by default."""
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv(variable, "fr_FR.UTF-8")
    settings = Settings(emulator=True, data_dir=tmp_path)
    lines = banner_lines(settings, choose_backend(settings, keys=key_pool), "http://x", LINK)
    assert lines[0].endswith(" sert les lecteurs émulés (cartes CPS et Vitale de démonstration).")
    assert lines[1:4] == [
        "Lecteurs :",
        "  - cardbridge emulated reader 0 (CPS) : une carte CPS",
        "  - cardbridge emulated reader 1 (Vitale) : une carte Vitale",
    ]
    assert "le code PIN de la CPS de démonstration est 1234" in lines[4]
    assert "Page d'état : http://x/   Documentation de l'API : http://x/docs" in lines
    assert (
        "(lien à suivre une fois, dans les 10 minutes ; plus tard, « cardbridge open » le "
        f"fait) : {LINK}" in "\n".join(lines)
    )
    dmp = next(line for line in lines if line.startswith("DMP : "))
    assert dmp.startswith("DMP : le DMP hors ligne sur https://127.0.0.1:8471/si-dmp-server/")
    assert dmp.endswith("ses pages patient : http://127.0.0.1:8472/")
    assert lines[-1].startswith("Les logiciels natifs envoient le jeton d'API de ")


def test_banner_of_pcsc_readers_in_french(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LC_MESSAGES")  # no language asked for: French
    monkeypatch.setattr(
        PcscBackend,
        "list_readers",
        lambda backend: [ReaderState("R1", False), ReaderState("R2", True, b"\x3b\x00")],
    )
    choice = choose_backend(Settings())
    assert choice.backend.kind == "pcsc"
    text = "\n".join(banner_lines(Settings(dmp_endpoint="formation2"), choice, "http://x", LINK))
    assert text.startswith("cardbridge ")
    assert " sert PC/SC (2 lecteur(s)).\n" in text
    assert "  - R1 : pas de carte\n  - R2 : une carte qui n'est ni CPS ni Vitale" in text
    assert (
        "DMP : formation2 (https://formation2.lps2.dmp.gouv.fr/si-dmp-server/v2/services)." in text
    )
