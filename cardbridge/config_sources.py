"""Where the settings come from: ``CARDBRIDGE_*`` environment variables and the config file.

The settings themselves, their types and their checks are :class:`cardbridge.config.Settings`
(pydantic-settings). This module only knows the sources and the paths, without importing
pydantic, so that a command that needs a path, or needs to know whether a setting was
given at all, answers at once (``cardbridge readers``, ``cardbridge config file``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from pathlib import Path

# The prefix of every setting's environment variable (``CARDBRIDGE_PORT`` sets ``port``).
ENV_PREFIX = "CARDBRIDGE_"


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable)
    return Path(value) if value else Path.home() / fallback


def default_config_dir() -> Path:
    """``$XDG_CONFIG_HOME/cardbridge`` (``~/.config/cardbridge`` by default)."""
    return _xdg("XDG_CONFIG_HOME", ".config") / "cardbridge"


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/cardbridge`` (``~/.local/share/cardbridge`` by default)."""
    return _xdg("XDG_DATA_HOME", ".local/share") / "cardbridge"


def config_file_path() -> Path:
    """The TOML config file: ``CARDBRIDGE_CONFIG_FILE``, else ``config.toml`` in the config dir."""
    explicit = os.environ.get(f"{ENV_PREFIX}CONFIG_FILE")
    return Path(explicit) if explicit else default_config_dir() / "config.toml"


def api_token_path() -> Path:
    """Where the local API token is kept when ``CARDBRIDGE_API_TOKEN`` is not set (mode 0600)."""
    return default_config_dir() / "api-token"


def any_setting_given(names: Iterable[str]) -> bool:
    """Whether one of the settings ``names`` is given by the environment or the config file.

    Environment variable names are compared without case, as the settings read them. A
    config file that cannot be read or is not TOML counts as giving them: the caller
    then loads the whole settings, which reports the problem.
    """
    wanted = {name.lower() for name in names}
    prefix = ENV_PREFIX.lower()
    for variable in os.environ:
        lowered = variable.lower()
        if lowered.startswith(prefix) and lowered[len(prefix) :] in wanted:
            return True
    try:
        with config_file_path().open("rb") as file:
            document = tomllib.load(file)
    except FileNotFoundError:
        return False
    except (OSError, tomllib.TOMLDecodeError):
        return True
    return any(key.lower() in wanted for key in document)
