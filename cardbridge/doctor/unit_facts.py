"""Facts about the systemd user unit that starts the bridge
(:mod:`cardbridge.workstation.systemd_unit` installs it)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from cardbridge.workstation.systemd_unit import UNIT_NAME

_COMMAND_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class UserUnit:
    """The cardbridge user service as ``systemctl --user show`` describes it."""

    load_state: str  # loaded, not-found…
    active_state: str  # active, inactive, failed…
    unit_file_state: str  # enabled, disabled… (empty when not found)


def user_unit(unit: str = UNIT_NAME) -> UserUnit | None:
    """The state of the user service; None when there is no user systemd to ask."""
    systemctl = shutil.which("systemctl")
    if systemctl is None:
        return None
    properties = ("LoadState", "ActiveState", "UnitFileState")
    try:
        result = subprocess.run(
            [systemctl, "--user", "show", unit, *(f"--property={p}" for p in properties)],
            capture_output=True,
            text=True,
            timeout=_COMMAND_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    values = dict(line.partition("=")[::2] for line in result.stdout.splitlines())
    if result.returncode != 0 or not values.get("LoadState"):
        return None  # no user manager (no session bus): nothing to say
    return UserUnit(
        values["LoadState"], values.get("ActiveState", ""), values.get("UnitFileState", "")
    )
