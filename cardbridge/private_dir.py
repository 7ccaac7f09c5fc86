"""The data directory is the user's alone: the directory 0700, its files 0600.

It holds health data (the DMP access journal names patients and their INS) and private
keys (the journal's key, the emulator's test PKI). The bridge creates it 0700, with its
missing parents (as the XDG Base Directory specification asks), and at each start
tightens what an older version or a careless copy left readable by others, saying what
it changed. It refuses to start when the directory, or anything in it, belongs to
another user or cannot be made private: like the API token file, such data would be
readable by another account of the workstation.

Symbolic links inside the directory are left alone (not followed): where they lead is
the user's choice, not the bridge's. What it changed is said to the person who started
the bridge, in the CLI's language (docs/messages.md); the refusals are its errors.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from cardbridge.errors import ConfigError
from cardbridge.messages import Text, language_of_environment
from cardbridge.messages import data_dir as say

log = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
OTHERS = stat.S_IRWXG | stat.S_IRWXO


def secure_data_dir(path: Path, *, choose_with: Text | str = say.DATA_DIR_SETTING) -> list[str]:
    """Create ``path`` private if missing, make everything in it private to this user,
    and return what was tightened (``"<path>: 0755 → 0700"``, nothing if all was right).

    What was tightened is also logged (a warning, in the language of the environment).
    Raises :class:`ConfigError` when something belongs to another user or cannot be
    changed; its message names ``choose_with``, the setting that picks another directory
    (the DMP sandbox: its ``--data-dir``).
    """
    _create(path, choose_with)
    uid = os.getuid()
    tightened: list[Text] = []
    _make_private(path, os.stat(path), uid, tightened, (path, choose_with))
    for root, directories, files in os.walk(path):
        for name in (*directories, *files):
            entry = Path(root, name)
            info = os.lstat(entry)
            if not stat.S_ISLNK(info.st_mode):
                _make_private(entry, info, uid, tightened, (path, choose_with))
    if tightened:
        changes = Text(", ".join(t.fr for t in tightened), ", ".join(t.en for t in tightened))
        notice = say.DATA_DIR_MADE_PRIVATE.format(changes=changes)
        log.warning("%s", notice.in_(language_of_environment()))
    return [change.en for change in tightened]


def _create(path: Path, choose_with: Text | str) -> None:
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
            say.DATA_DIR_UNCREATABLE.format(
                path=path, reason=error.strerror, choose_with=choose_with
            )
        ) from None


def _make_private(
    entry: Path,
    info: os.stat_result,
    uid: int,
    tightened: list[Text],
    where: tuple[Path, Text | str],
) -> None:
    data_dir, choose_with = where
    if info.st_uid != uid:
        raise ConfigError(
            say.DATA_DIR_OTHER_OWNER.format(
                entry=entry, uid=info.st_uid, data_dir=data_dir, choose_with=choose_with
            )
        )
    mode = stat.S_IMODE(info.st_mode)
    if not mode & OTHERS:
        return
    private = mode & ~OTHERS
    try:
        os.chmod(entry, private)
    except OSError as error:
        raise ConfigError(
            say.DATA_DIR_NOT_PRIVATE.format(
                entry=entry, mode=f"{mode:04o}", reason=error.strerror, data_dir=data_dir
            )
        ) from None
    tightened.append(say.MODE_CHANGED.format(path=entry, old=f"{mode:04o}", new=f"{private:04o}"))
