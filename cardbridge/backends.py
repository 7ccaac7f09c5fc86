"""Choosing where readers come from: PC/SC, or the built-in emulated readers.

The command line and the server share this choice so that ``CARDBRIDGE_EMULATOR=true``
(or ``emulator = true`` in the config file) makes every command use the demo cards.
"""

from __future__ import annotations

from cardbridge.config import Settings
from cardbridge.emulator.inprocess import demo_backend
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.readers import ReaderBackend


def open_backend(settings: Settings, *, emulator: bool = False) -> ReaderBackend:
    """The emulated demo readers when asked (``emulator`` or the setting), else PC/SC."""
    if emulator or settings.emulator:
        return demo_backend(data_dir=settings.data_dir)
    return PcscBackend(busy_timeout=settings.card_busy_timeout)
