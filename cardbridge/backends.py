"""Choosing where readers come from, for the command line: the same choice as the server's.

The command line and the server share :func:`cardbridge.service.backends.configured_backend`
so that ``CARDBRIDGE_EMULATOR=true`` or ``card_backend = "pkcs11"`` (environment or config
file) makes every command use the same readers.
"""

from __future__ import annotations

from cardbridge.config import Settings
from cardbridge.pcsc.readers import ReaderBackend
from cardbridge.service.backends import configured_backend


def open_backend(settings: Settings, *, emulator: bool = False) -> ReaderBackend:
    """The emulated demo readers when asked (``emulator`` or the setting), the PKCS#11
    module's slots with ``card_backend = pkcs11``, else PC/SC."""
    return configured_backend(settings, emulator=emulator)
