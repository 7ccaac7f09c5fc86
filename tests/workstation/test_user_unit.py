"""The systemd user unit of ``cardbridge serve``, and installing it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from cardbridge import cli
from cardbridge.errors import ServiceError
from cardbridge.workstation.systemd_unit import (
    UNIT_NAME,
    exec_word,
    install_service,
    remove_service,
    render_unit,
    unit_dir,
)
from tests.support.unit_file import UnitSyntaxError, parse_unit

# Sandboxing that needs a user namespace in a user unit: refused by default on Ubuntu 24.04.
NEEDS_USER_NAMESPACE = ("PrivateTmp", "PrivateUsers", "ProtectSystem", "ProtectHome")


class RecordingSystemctl:
    def __init__(self, fail_on: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.fail_on = fail_on

    def __call__(self, arguments: Sequence[str]) -> None:
        self.calls.append(list(arguments))
        if arguments[0] == self.fail_on:
            raise ServiceError(f"systemctl --user {arguments[0]} failed")


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


def verify(unit: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``systemd-analyze --user verify``: it prints warnings (unknown keys…) and exits 0.

    The runtime dir is a short path of its own: the user units it loads put sockets there,
    and a socket's path is at most 107 bytes (a test worker's ``tmp_path`` can be longer).
    """
    with tempfile.TemporaryDirectory(prefix="rt-") as runtime:
        return subprocess.run(
            ["systemd-analyze", "--user", "verify", "--man=no", str(unit)],
            capture_output=True,
            text=True,
            env={**os.environ, "XDG_RUNTIME_DIR": runtime},
            check=False,
        )


def test_unit_sections_and_keys() -> None:
    unit = parse_unit(render_unit("/opt/cardbridge/bin/python"))
    assert set(unit) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    assert service["ExecStart"] == ["/opt/cardbridge/bin/python -m cardbridge serve"]
    assert service["Type"] == ["exec"]
    assert service["Restart"] == ["on-failure"]
    assert service["RestartSec"] == ["5s"]
    assert service["NoNewPrivileges"] == ["yes"]
    assert service["UMask"] == ["0077"]
    assert service["EnvironmentFile"] == ["-%E/cardbridge/environment"]
    assert not set(NEEDS_USER_NAMESPACE) & set(service)
    assert unit["Install"] == {"WantedBy": ["default.target"]}
    assert unit["Unit"]["Description"]


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    unit = tmp_path / UNIT_NAME
    unit.write_text(render_unit(sys.executable))
    result = verify(unit, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no unknown key, no ignored setting


def test_systemd_accepts_a_python_path_with_spaces(tmp_path: Path) -> None:
    odd = tmp_path / "Dr Martin tools %h $HOME"
    odd.mkdir()
    (odd / "python").symlink_to(sys.executable)
    unit = tmp_path / UNIT_NAME
    unit.write_text(render_unit(str(odd / "python")))
    result = verify(unit, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


def test_systemd_verify_catches_a_bad_unit(tmp_path: Path) -> None:
    """The check above would notice: a missing program is an error for systemd-analyze."""
    unit = tmp_path / UNIT_NAME
    unit.write_text(render_unit("/nonexistent/python"))
    assert verify(unit, tmp_path).returncode != 0


@pytest.mark.parametrize(
    ("argument", "word"),
    [
        ("/usr/bin/python3", "/usr/bin/python3"),
        ("/home/a b/python", '"/home/a b/python"'),
        ("/x/50%/python", "/x/50%%/python"),
        ("/x/$HOME/python", "/x/$HOME/python"),
        ("/x/a\tb", '"/x/a\tb"'),
    ],
)
def test_exec_words_are_escaped(argument: str, word: str) -> None:
    assert exec_word(argument) == word


@pytest.mark.parametrize("python", ["/home/o'neil/python", '/x/"q"/python', "/x\\y/python"])
def test_paths_systemd_refuses_are_refused_first(python: str) -> None:
    with pytest.raises(ServiceError, match="quotes or backslashes"):
        render_unit(python)


def test_unit_parser_refuses_mistakes() -> None:
    for text in ("ExecStart=/bin/true\n", "[Service]\nExecStart /bin/true\n", "[A]\n[A]\n"):
        with pytest.raises(UnitSyntaxError):
            parse_unit(text)


def test_install_writes_the_unit_then_enables_and_restarts(config_home: Path) -> None:
    systemctl = RecordingSystemctl()
    path = install_service("[Unit]\n", systemctl)
    assert path == config_home / "systemd" / "user" / UNIT_NAME == unit_dir() / UNIT_NAME
    assert path.read_text() == "[Unit]\n"
    assert path.stat().st_mode & 0o777 == 0o644
    assert systemctl.calls == [["daemon-reload"], ["enable", UNIT_NAME], ["restart", UNIT_NAME]]
    assert [p.name for p in path.parent.iterdir()] == [UNIT_NAME]


def test_install_failure_is_reported(config_home: Path) -> None:
    with pytest.raises(ServiceError, match="restart"):
        install_service("[Unit]\n", RecordingSystemctl(fail_on="restart"))


def test_remove(config_home: Path) -> None:
    systemctl = RecordingSystemctl()
    assert remove_service(systemctl) is None
    assert systemctl.calls == []
    install_service("[Unit]\n", systemctl)
    systemctl.calls.clear()
    path = remove_service(systemctl)
    assert path is not None
    assert not path.exists()
    assert systemctl.calls == [["disable", "--now", UNIT_NAME], ["daemon-reload"]]


@pytest.fixture
def fake_systemctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``systemctl`` first on PATH that records its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "systemctl.log"
    script = bin_dir / "systemctl"
    script.write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def test_command_installs_as_a_user(
    config_home: Path,
    fake_systemctl: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert cli.main(["install-service"]) == 0
    unit = (config_home / "systemd" / "user" / UNIT_NAME).read_text()
    assert parse_unit(unit)["Service"]["ExecStart"] == [f"{sys.executable} -m cardbridge serve"]
    assert fake_systemctl.read_text().splitlines() == [
        "--user daemon-reload",
        f"--user enable {UNIT_NAME}",
        f"--user restart {UNIT_NAME}",
    ]
    assert "cardbridge doctor" in capsys.readouterr().out
    assert cli.main(["uninstall-service"]) == 0
    assert not (config_home / "systemd" / "user" / UNIT_NAME).exists()


def test_command_refuses_root(
    config_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert cli.main(["install-service"]) == cli.EXIT_USAGE
    assert "without sudo" in capsys.readouterr().err
    assert not config_home.exists()


def test_command_prints_the_unit(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["install-service", "--print"]) == 0
    assert capsys.readouterr().out == render_unit()


def test_command_without_systemd(
    config_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert cli.main(["install-service"]) == cli.EXIT_FAILURE
    assert "no systemd" in capsys.readouterr().err
