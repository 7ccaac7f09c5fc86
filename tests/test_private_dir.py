"""The data directory is private: created 0700 with 0600 files, whatever the umask; an
old installation's loose modes tightened with a message; another user's refused."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cardbridge.dmp.journal import Journal
from cardbridge.dmp.journal_store import DATABASE_NAME, connect
from cardbridge.emulator.pki import TestPki
from cardbridge.errors import ConfigError
from cardbridge.private_dir import secure_data_dir
from testkit.serve_process import ServeProcess, free_port
from tests.support.other_user import NOBODY, other_user_can_run


@contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def modes(directory: Path) -> dict[str, int]:
    """The mode of every file and directory under ``directory`` (itself as ``.``)."""
    found = {".": stat.S_IMODE(directory.stat().st_mode)}
    for path in directory.rglob("*"):
        found[str(path.relative_to(directory))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def private(found: dict[str, int], directory: Path) -> dict[str, int]:
    """What ``found`` should be: directories 0700, files 0600."""
    return {name: 0o700 if (directory / name).is_dir() else 0o600 for name in found}


def test_made_private_with_umask_zero(tmp_path: Path) -> None:
    data = tmp_path / "share" / "cardbridge"
    with umask(0):
        assert secure_data_dir(data) == []
        Journal.open(data)
        TestPki.load_or_create(data)
        # The journal's -wal and -shm exist while a connection is open.
        with connect(data / DATABASE_NAME) as db:
            db.execute("SELECT count(*) FROM records").fetchone()
            found = modes(data)
    assert {f"{DATABASE_NAME}-wal", f"{DATABASE_NAME}-shm", "emulator-pki"} <= set(found)
    assert any(name.endswith(".key") for name in found)
    assert found == private(found, data)
    assert stat.S_IMODE((tmp_path / "share").stat().st_mode) == 0o700  # a missing parent


def old_installation(data: Path) -> None:
    """A data dir as earlier versions left it: 0755, the journal and certificates 0644."""
    with umask(0o022):
        data.mkdir(mode=0o755)
        Journal.open(data)
        TestPki.load_or_create(data)
    os.chmod(data, 0o755)
    for path in data.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def test_old_installation_tightened(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "cardbridge"
    old_installation(data)
    tightened = secure_data_dir(data)
    found = modes(data)
    assert found == private(found, data)
    assert f"{data}: 0755 → 0700" in tightened
    assert f"{data / DATABASE_NAME}: 0644 → 0600" in tightened
    assert len(tightened) == len(found)
    assert "made private" in caplog.text
    assert str(data / DATABASE_NAME) in caplog.text
    assert secure_data_dir(data) == []  # nothing left to do


def test_symbolic_links_left_alone(tmp_path: Path) -> None:
    elsewhere = tmp_path / "shared.pem"
    elsewhere.write_text("certificate")
    os.chmod(elsewhere, 0o644)
    data = tmp_path / "cardbridge"
    secure_data_dir(data)
    (data / "link.pem").symlink_to(elsewhere)
    assert secure_data_dir(data) == []
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o644


@pytest.mark.parametrize("owned_by_other", [".", "journal.key"])
def test_another_users_data_refused(tmp_path: Path, owned_by_other: str) -> None:
    other_user_can_run()
    data = tmp_path / "cardbridge"
    secure_data_dir(data)
    (data / "journal.key").write_text("0" * 64)
    os.chown(data / owned_by_other, NOBODY, NOBODY)
    with pytest.raises(ConfigError, match="belongs to another user") as refused:
        secure_data_dir(data)
    assert str(data / owned_by_other).removesuffix("/.") in str(refused.value)


def test_serve_makes_it_private_and_says_so(tmp_path: Path) -> None:
    """``cardbridge serve`` with a umask of 0: its first start leaves everything private;
    an old installation is tightened with a message; another user's is refused."""
    data = tmp_path / "data" / "cardbridge"
    port = free_port()
    server = ServeProcess(tmp_path, port, "--emulator", umask=0)
    try:
        server.wait_ready()
    finally:
        assert server.stop() == 0
    found = modes(data)
    assert DATABASE_NAME in found
    assert "emulator-pki" in found
    assert found == private(found, data)
    assert "made private" not in server.output

    for path in (data, *data.rglob("*")):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    server = ServeProcess(tmp_path, port, "--emulator")
    try:
        server.wait_ready()
    finally:
        assert server.stop() == 0
    assert f"made private: {data}: 0755 → 0700" in server.output
    assert modes(data) == found

    # In French, as a French workstation starts it.
    french = {"LC_MESSAGES": "fr_FR.UTF-8"}
    os.chmod(data, 0o755)
    server = ServeProcess(tmp_path, port, "--emulator", env=french)
    try:
        server.wait_ready()
    finally:
        assert server.stop() == 0
    assert (
        "le dossier de données était lisible par les autres utilisateurs ; rendu privé : "
        f"{data} : 0755 → 0700\n"
    ) in server.output
    assert modes(data) == found

    other_user_can_run()
    os.chown(data, NOBODY, NOBODY)
    refused = ServeProcess(tmp_path, port, "--emulator")
    assert refused.finish() == 1
    assert f"{data} belongs to another user (uid {NOBODY})" in refused.output
    refused = ServeProcess(tmp_path, port, "--emulator", env=french)
    assert refused.finish() == 1
    assert (
        f"cardbridge: {data} appartient à un autre utilisateur (uid {NOBODY}) : les données "
        "de santé"
    ) in refused.output
    assert (
        "ou choisissez un autre dossier avec CARDBRIDGE_DATA_DIR, ou data_dir dans config.toml.\n"
    ) in refused.output
