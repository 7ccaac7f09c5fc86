"""A small JSON state file of the bridge, private to its user: written aside then renamed
into place (a crash leaves the old or the new content, never half of one), mode 0600,
in a directory of mode 0700."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from cardbridge.errors import ConfigError
from cardbridge.messages import configuration as say


def read_state(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``; empty when the file does not exist yet.

    A file that others may read or write is refused: it decides who may use the card.
    """
    try:
        with path.open("rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            raw = file.read()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ConfigError(say.STATE_UNREADABLE.format(path=path, reason=error.strerror)) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(say.STATE_OPEN_TO_OTHERS.format(path=path))
    damaged = say.STATE_DAMAGED.format(path=path)
    try:
        value = json.loads(raw)
    except ValueError:
        raise ConfigError(damaged) from None
    if not isinstance(value, dict):
        raise ConfigError(damaged)
    return value


def write_state(path: Path, value: dict[str, Any]) -> None:
    """Replace ``path`` with ``value`` as JSON, atomically, mode 0600."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(descriptor, "w") as file:  # mkstemp made it 0600
                json.dump(value, file, indent=1, sort_keys=True)
                file.flush()
                os.fsync(file.fileno())
            os.replace(draft, path)
        except BaseException:
            os.unlink(draft)
            raise
    except OSError as error:
        raise ConfigError(say.STATE_UNWRITABLE.format(path=path, reason=error.strerror)) from None
