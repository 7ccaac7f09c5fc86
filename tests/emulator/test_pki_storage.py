"""create_once: one build across concurrent callers, atomic appearance, no leftovers."""

from __future__ import annotations

import stat
import threading
import time
from pathlib import Path

import pytest

from cardbridge.emulator.pki_storage import FileContents, create_once


def test_creates_files_with_their_modes(tmp_path: Path) -> None:
    target = tmp_path / "data" / "store"
    create_once(target, lambda: {"secret.key": (b"k", 0o600), "public.pem": (b"p", 0o644)})
    assert (target / "secret.key").read_bytes() == b"k"
    assert stat.S_IMODE((target / "secret.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(target.stat().st_mode) == 0o700


def test_existing_directory_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "store"
    create_once(target, lambda: {"a": (b"first", 0o600)})
    create_once(target, lambda: pytest.fail("built twice"))
    assert (target / "a").read_bytes() == b"first"


def test_concurrent_callers_build_once(tmp_path: Path) -> None:
    """flock excludes separate open files even within one process, so threads race for real."""
    target = tmp_path / "store"
    builds: list[int] = []
    seen: list[bytes] = []
    start = threading.Barrier(4)

    def build() -> FileContents:
        builds.append(1)
        time.sleep(0.2)  # a slow build: the others must wait, not build too
        return {"a": (b"x", 0o600)}

    def caller() -> None:
        start.wait()
        create_once(target, build)
        seen.append((target / "a").read_bytes())

    threads = [threading.Thread(target=caller) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(builds) == 1
    assert seen == [b"x"] * 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store", "store.lock"]


def test_failed_build_leaves_nothing_and_can_be_retried(tmp_path: Path) -> None:
    target = tmp_path / "store"

    def failing() -> FileContents:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        create_once(target, failing)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.lock"]
    create_once(target, lambda: {"a": (b"x", 0o600)})
    assert (target / "a").exists()


def test_leftover_of_a_crashed_build_is_removed(tmp_path: Path) -> None:
    leftover = tmp_path / ".store-crashed"
    leftover.mkdir()
    (leftover / "half.key").write_bytes(b"half")
    create_once(tmp_path / "store", lambda: {"a": (b"x", 0o600)})
    assert not leftover.exists()
