"""Which web applications may use the bridge: configured, then approved by the clinician.

An origin is configured by whoever installs the workstation (``allowed_origins``); it
is used only once the clinician has approved it on the paired status page. Approvals
are kept in ``approved-origins.json`` of the state dir (mode 0600) and can be revoked
there. An approval of an origin that is no longer configured is kept but unused.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

from cardbridge.auth.origin import normalize_origin
from cardbridge.errors import InvalidInputError
from cardbridge.messages.refusals import ORIGIN_NOT_CONFIGURED
from cardbridge.service.state_file import read_state, write_state

APPROVALS_FILE = "approved-origins.json"


class OriginStatus(StrEnum):
    APPROVED = "approved"
    NOT_APPROVED = "not_approved"
    NOT_CONFIGURED = "not_configured"


class OriginApprovals:
    """The configured origins and the clinician's approvals of them."""

    def __init__(self, configured: Iterable[str], state_dir: Path) -> None:
        self.configured = frozenset(normalize_origin(origin) for origin in configured)
        self._path = state_dir / APPROVALS_FILE
        self._lock = threading.Lock()
        stored = read_state(self._path).get("approved", [])
        self._approved = frozenset(o for o in stored if isinstance(o, str))

    def status(self, origin: str) -> OriginStatus:
        """Whether ``origin`` (normalised) may call the API now."""
        if origin not in self.configured:
            return OriginStatus.NOT_CONFIGURED
        if origin in self._approved:
            return OriginStatus.APPROVED
        return OriginStatus.NOT_APPROVED

    def listing(self) -> list[tuple[str, bool]]:
        """Every configured origin, in order, with whether it is approved."""
        return [(origin, origin in self._approved) for origin in sorted(self.configured)]

    def approve(self, origin: str) -> str:
        """Approve a configured origin; returns it normalised."""
        normal = self._configured(origin)
        with self._lock:
            self._approved = self._approved | {normal}
            self._save()
        return normal

    def revoke(self, origin: str) -> str:
        """Withdraw the approval of ``origin``; returns it normalised."""
        normal = normalize_origin(origin)
        with self._lock:
            if normal in self._approved:
                self._approved = self._approved - {normal}
                self._save()
        return normal

    def _configured(self, origin: str) -> str:
        normal = normalize_origin(origin)
        if normal not in self.configured:
            raise InvalidInputError(ORIGIN_NOT_CONFIGURED, field="origin")
        return normal

    def _save(self) -> None:
        write_state(self._path, {"approved": sorted(self._approved)})
