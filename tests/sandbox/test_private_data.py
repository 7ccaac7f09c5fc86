"""`cardbridge dmp-sandbox --data-dir` keeps its DMPs private like the bridge's data dir:
made 0700 with 0600 files whatever the umask (the SQLite -wal and -shm included), an old
directory's loose modes tightened with a message, another user's directory refused."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.support.other_user import NOBODY, other_user_can_run
from tests.test_private_dir import modes, private

DATABASE = "dmp-sandbox.sqlite3"


def _command(data_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "cardbridge",
        "dmp-sandbox",
        "--port",
        "0",
        "--pages-port",
        "0",
        "--data-dir",
        str(data_dir),
    ]


FRENCH = {**os.environ, "LC_MESSAGES": "fr_FR.UTF-8"}


def _serve_once(
    data_dir: Path, umask: int = -1, env: dict[str, str] | None = None
) -> tuple[dict[str, int], str]:
    """Start the command, read the modes while it serves (its database open), stop it;
    the modes and what it wrote on stderr."""
    process = subprocess.Popen(
        _command(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        umask=umask,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert re.search(r"https://127\.0\.0\.1:\d+/", line), line
        found = modes(data_dir)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    return found, stderr


def test_made_private_whatever_the_umask(tmp_path: Path) -> None:
    data_dir = tmp_path / "missing-parent" / "dmp"
    found, stderr = _serve_once(data_dir, umask=0)
    assert {DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm"} <= set(found)
    assert found == private(found, data_dir)
    assert os.stat(data_dir.parent).st_mode & 0o777 == 0o700
    # Nothing of its own needed tightening (the session's shared dirs are not this test's).
    tightened = [line for line in stderr.splitlines() if "made private" in line]
    assert not [line for line in tightened if str(tmp_path) in line], tightened


def test_loose_modes_tightened_with_a_message(tmp_path: Path) -> None:
    data_dir = tmp_path / "dmp"
    _serve_once(data_dir)
    for path in (data_dir, *data_dir.rglob("*")):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    found, stderr = _serve_once(data_dir)
    assert found == private(found, data_dir)
    assert f"made private: {data_dir}: 0755 → 0700" in stderr
    assert f"{data_dir / DATABASE}: 0644 → 0600" in stderr
    # In French, as a French workstation starts it.
    os.chmod(data_dir, 0o755)
    _, stderr = _serve_once(data_dir, env=FRENCH)
    assert (
        "le dossier de données était lisible par les autres utilisateurs ; rendu privé : "
        f"{data_dir} : 0755 → 0700\n"
    ) in stderr


def test_another_users_directory_refused(tmp_path: Path) -> None:
    other_user_can_run()
    data_dir = tmp_path / "dmp"
    _serve_once(data_dir)
    os.chown(data_dir / DATABASE, NOBODY, NOBODY)
    refused = subprocess.run(
        _command(data_dir), capture_output=True, text=True, timeout=60, check=False
    )
    assert refused.returncode == 1
    assert f"{data_dir / DATABASE} belongs to another user (uid {NOBODY})" in refused.stderr
    assert "choose another directory with --data-dir" in refused.stderr
    assert refused.stdout == ""  # it never served
    refused = subprocess.run(
        _command(data_dir), capture_output=True, text=True, timeout=60, check=False, env=FRENCH
    )
    assert refused.returncode == 1
    assert (
        f"cardbridge: {data_dir / DATABASE} appartient à un autre utilisateur (uid {NOBODY}) "
        ": les données de santé"
    ) in refused.stderr
    assert "ou choisissez un autre dossier avec --data-dir.\n" in refused.stderr
    assert refused.stdout == ""
