"""Create a directory of files once, atomically, even when several processes start together.

The test PKI (:mod:`cardbridge.emulator.pki`) is generated on first use and must never be
generated twice or seen half-written. The files are built in a temporary sibling directory
that is renamed into place, so the directory either does not exist or is complete; an
exclusive ``flock`` on a sibling lock file makes concurrent first starts wait for one
builder, and the kernel releases it if that builder dies.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from cardbridge.filelock import exclusive_lock

FileContents = Mapping[str, tuple[bytes, int]]
"""File name → (content, permission bits)."""


def create_once(directory: Path, build: Callable[[], FileContents]) -> None:
    """Make ``directory`` hold the files ``build()`` returns, unless it already exists.

    ``build`` runs at most once across processes sharing the parent directory. Raises
    :class:`OSError` when the parent cannot be written.
    """
    if directory.is_dir():
        return
    parent = directory.parent
    parent.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(parent / f"{directory.name}.lock"):
        if directory.is_dir():
            return
        prefix = f".{directory.name}-"
        # Only the lock holder builds: a leftover build directory is from a crashed run.
        for leftover in parent.glob(f"{prefix}*"):
            shutil.rmtree(leftover, ignore_errors=True)
        building = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        try:
            for name, (content, mode) in build().items():
                _write_new(building / name, content, mode)
            _fsync_directory(building)
            building.rename(directory)
            _fsync_directory(parent)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise


def _write_new(path: Path, content: bytes, mode: int) -> None:
    # Created with its final mode: a private key is never readable by others, not even briefly.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
