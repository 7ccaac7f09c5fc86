"""Sub-commands of ``cardbridge``: one module each, listed in :data:`COMMANDS`.

A command module has ``register(subparsers)``, which adds its parser and sets
``func`` to its handler ``(args: argparse.Namespace) -> int``.
"""

from __future__ import annotations

from types import ModuleType

from cardbridge.commands import (
    config,
    dmp,
    dmp_sandbox,
    doctor,
    emulator,
    journal,
    open_page,
    read,
    readers,
    serve,
    token,
    unit,
    version,
)

COMMANDS: tuple[ModuleType, ...] = (
    config,
    dmp,
    dmp_sandbox,
    doctor,
    emulator,
    journal,
    open_page,
    read,
    readers,
    serve,
    unit,
    token,
    version,
)
