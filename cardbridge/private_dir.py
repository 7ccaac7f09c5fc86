"""The data directory is the user's alone: the directory 0700, its files 0600.

It holds health data (the DMP access journal names patients and their INS) and private
keys (the journal's key, the emulator's test PKI). The bridge creates it 0700, with its
missing parents (as the XDG Base Directory specification asks), and at each start
tightens what an older version or a careless copy left readable by others, saying what
it changed. It refuses to start when the directory, or anything in it, belongs to
another user or cannot be made private: like the API token file, such data would be
readable by another account of the workstation.

Symbolic links inside the directory are left alone (not followed): where they lead is
the user's choice, not the bridge's.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from cardbridge.errors import ConfigError

log = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
OTHERS = stat.S_IRWXG | stat.S_IRWXO


_BRIDGE_SETTING = "CARDBRIDGE_DATA_DIR, or data_dir in config.toml"


def secure_data_dir(path: Path, *, choose_with: str = _BRIDGE_SETTING) -> list[str]:
    """Create ``path`` private if missing, make everything in it private to this user,
    and return what was tightened (``"<path>: 0755 → 0700"``, nothing if all was right).

    What was tightened is also logged (a warning). Raises :class:`ConfigError` when
    something belongs to another user or cannot be changed; its message names
    ``choose_with``, the setting that picks another directory (the DMP sandbox: its
    ``--data-dir``).
    """
    _create(path, choose_with)
    uid = os.getuid()
    tightened: list[str] = []
    _make_private(path, os.stat(path), uid, tightened, (path, choose_with))
    for root, directories, files in os.walk(path):
        for name in (*directories, *files):
            entry = Path(root, name)
            info = os.lstat(entry)
            if not stat.S_ISLNK(info.st_mode):
                _make_private(entry, info, uid, tightened, (path, choose_with))
    if tightened:
        log.warning(
            "the data directory was readable by other users; made private: %s",
            ", ".join(tightened),
        )
    return tightened


def _create(path: Path, choose_with: str) -> None:
    missing = []
    for directory in (path, *path.parents):
        if directory.exists():
            break
        missing.append(directory)
    try:
        for directory in reversed(missing):
            directory.mkdir(mode=PRIVATE_DIR, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"Cannot create the data directory {path}: {error.strerror}. Choose another "
            f"with {choose_with}."
        ) from None


def _make_private(
    entry: Path, info: os.stat_result, uid: int, tightened: list[str], where: tuple[Path, str]
) -> None:
    data_dir, choose_with = where
    if info.st_uid != uid:
        raise ConfigError(
            f"{entry} belongs to another user (uid {info.st_uid}), so the health data "
            f"and keys of the data directory {data_dir} would not be yours alone. "
            f"Give it back to your user (sudo chown -R $USER: {data_dir}) or choose "
            f"another directory with {choose_with}."
        )
    mode = stat.S_IMODE(info.st_mode)
    if not mode & OTHERS:
        return
    private = mode & ~OTHERS
    try:
        os.chmod(entry, private)
    except OSError as error:
        raise ConfigError(
            f"{entry} can be read by other users (mode {mode:04o}) and cannot be made "
            f"private: {error.strerror}. Run `chmod -R go= {data_dir}`."
        ) from None
    tightened.append(f"{entry}: {mode:04o} → {private:04o}")
