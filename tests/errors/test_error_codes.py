"""Every error class of the package has its code's HTTP status in the one table, and every
code names one meaning."""

from __future__ import annotations

import importlib
import pkgutil

import cardbridge
from cardbridge.api.problems import STATUS_BY_CODE
from cardbridge.errors import CardBridgeError, errors_by_code


def _every_error_class() -> list[type[CardBridgeError]]:
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


def test_every_error_code_has_its_http_status() -> None:
    missing = sorted(
        f"{cls.__module__}.{cls.__qualname__}: {cls.code}"
        for cls in _every_error_class()
        if cls.code not in STATUS_BY_CODE
    )
    assert missing == []


def test_the_client_finds_every_code_once_the_package_is_imported() -> None:
    codes = {cls.code for cls in _every_error_class()}
    assert set(errors_by_code()) == codes
    assert errors_by_code()["dmp_refused"].__name__ == "DmpRefusedError"
    assert errors_by_code()["unauthorized"].__name__ == "AuthError"
