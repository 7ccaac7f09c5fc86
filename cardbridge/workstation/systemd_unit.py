"""The systemd user service that starts ``cardbridge serve`` with the clinician's session.

The unit is a template shipped in the package (``cardbridge.service`` beside this
module): installing writes it with the absolute path of the Python running cardbridge,
so the service starts the same cardbridge wherever it was installed (a virtualenv,
pipx), and reinstalling after an upgrade or a move is one command.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

from cardbridge.errors import ServiceError

UNIT_NAME = "cardbridge.service"
_PLACEHOLDER = "@EXEC_START@"
# systemd refuses an executable whose path has these ("special characters").
_REFUSED = frozenset("\"'\\")

Systemctl = Callable[[Sequence[str]], None]
"""Runs ``systemctl --user ARGS``; raises :class:`ServiceError` when it fails."""


def unit_dir() -> Path:
    """Where systemd looks for the user's own units."""
    config = os.environ.get("XDG_CONFIG_HOME")
    return (Path(config) if config else Path.home() / ".config") / "systemd" / "user"


def exec_word(argument: str) -> str:
    """``argument`` as the program of ExecStart: specifiers escaped, quoted if it has spaces.

    ``$`` stays as it is: systemd substitutes variables in the arguments, not the program.
    """
    word = argument.replace("%", "%%")
    return f'"{word}"' if any(char.isspace() for char in word) else word


def render_unit(python: str = sys.executable) -> str:
    """The unit text, starting ``python -m cardbridge serve``."""
    if not python.isprintable() or _REFUSED & set(python):
        raise ServiceError(
            f"systemd refuses to start a program whose path has quotes or backslashes: "
            f"{python}. Install cardbridge in a directory without them."
        )
    template = resources.files("cardbridge.workstation").joinpath(UNIT_NAME).read_text()
    command = " ".join(exec_word(word) for word in (python, "-m", "cardbridge", "serve"))
    return template.replace(_PLACEHOLDER, command)


def run_systemctl(arguments: Sequence[str]) -> None:
    """``systemctl --user ARGUMENTS``, turning a failure into a :class:`ServiceError`."""
    command = ["systemctl", "--user", *arguments]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ServiceError(
            "systemctl is not available: this system has no systemd, so the service cannot "
            "be installed. Start the bridge with `cardbridge serve` from the session instead."
        ) from None
    if result.returncode != 0:
        detail = result.stderr.strip() or f"exit status {result.returncode}"
        raise ServiceError(f"`{' '.join(command)}` failed: {detail}")


def install_service(unit_text: str, systemctl: Systemctl = run_systemctl) -> Path:
    """Write the unit, enable it for the next sessions and (re)start it now."""
    directory = unit_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / UNIT_NAME
    staged = path.with_name(f".{UNIT_NAME}.tmp")
    staged.write_text(unit_text)
    staged.chmod(0o644)
    staged.replace(path)  # systemd never reads a half-written unit
    systemctl(["daemon-reload"])
    systemctl(["enable", UNIT_NAME])
    # restart, not start: a reinstall after an upgrade must run the new ExecStart.
    systemctl(["restart", UNIT_NAME])
    return path


def remove_service(systemctl: Systemctl = run_systemctl) -> Path | None:
    """Stop and disable the service and delete its unit; None when it was not installed."""
    path = unit_dir() / UNIT_NAME
    if not path.exists():
        return None
    systemctl(["disable", "--now", UNIT_NAME])
    path.unlink()
    systemctl(["daemon-reload"])
    return path
