"""The ISO 7816-4 engine of the emulator: file tree, security objects, commands.

Split by concern: :mod:`.files` (tree), :mod:`.security` (PINs, keys), :mod:`.state`
(volatile state), :mod:`.card` (class byte, dispatch, T=0 delivery) and one module per
command family.
"""

from cardbridge.emulator.engine.card import IsoCard
from cardbridge.emulator.engine.files import (
    ALWAYS,
    NEVER,
    Access,
    Acl,
    DedicatedFile,
    ElementaryFile,
)
from cardbridge.emulator.engine.security import CardKey, Pin

__all__ = [
    "ALWAYS",
    "NEVER",
    "Access",
    "Acl",
    "CardKey",
    "DedicatedFile",
    "ElementaryFile",
    "IsoCard",
    "Pin",
]
