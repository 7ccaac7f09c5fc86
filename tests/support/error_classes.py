"""Every error class of cardbridge, its modules all imported: what the catalogue's and the
status table's tests go through."""

from __future__ import annotations

import importlib
import pkgutil

import cardbridge
from cardbridge.errors import CardBridgeError


def every_error_class() -> list[type[CardBridgeError]]:
    """:class:`CardBridgeError` and all its subclasses, once every module is imported (a
    class defined outside the errors package is found too)."""
    for module in pkgutil.walk_packages(cardbridge.__path__, "cardbridge."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: list[type[CardBridgeError]] = []
    pending: list[type[CardBridgeError]] = [CardBridgeError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending += cls.__subclasses__()
    return found
