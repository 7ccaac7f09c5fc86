"""The volatile security state of a card: lost on power off, reset and removal."""

from __future__ import annotations

from dataclasses import dataclass, field

from cardbridge.emulator.engine.files import DedicatedFile, ElementaryFile
from cardbridge.emulator.engine.security import Pin
from cardbridge.layouts.iasecc import Crt, SecurityEnvironment


@dataclass
class VolatileState:
    """Current files, verified PINs, security environments, hash and pending response."""

    current_df: DedicatedFile
    current_ef: ElementaryFile | None = None
    verified: set[Pin] = field(default_factory=set)
    environments: dict[Crt, SecurityEnvironment] = field(default_factory=dict)
    digest: bytes | None = None
    pending: bytes = b""
