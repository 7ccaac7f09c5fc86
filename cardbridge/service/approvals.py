"""Requests of web applications that the clinician answers in the bridge's approval window.

A web page never sees the PIN. When a page of an approved origin asks for a login token
or a DMP session, the bridge records an :class:`ApprovalRequest` and answers
``approval_required`` with the address of its approval window. The page opens that
window; the clinician sees which site asks for what, types the PIN there (or refuses);
the page then reads the outcome (``GET /v1/approvals/{id}``, its own requests only), and
the window tells it with a ``postMessage`` addressed to that origin alone.

Requests live in memory for minutes: :data:`APPROVAL_LIFETIME` to be answered, then
:data:`RESULT_LIFETIME` for the page to read the outcome. One origin has at most
:data:`MAX_PER_ORIGIN` requests at once, so that one site's flood never pushes out
another's.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from cardbridge.auth.token import AuthToken

APPROVAL_LIFETIME = timedelta(minutes=2)
RESULT_LIFETIME = timedelta(minutes=2)
MAX_PER_ORIGIN = 4
_ID_BYTES = 16


class ApprovalAction(StrEnum):
    LOGIN = "login"
    DMP_SESSION = "dmp_session"


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    EXPIRED = "expired"


@dataclass
class ApprovalRequest:
    """One request; ``token`` is the login token once approved (``login`` only)."""

    id: str
    origin: str
    action: ApprovalAction
    reader: str | None
    nonce: str | None
    expires_at: datetime
    status: ApprovalStatus = ApprovalStatus.PENDING
    token: AuthToken | None = None
    _deadline: float = field(default=0.0, repr=False)

    @property
    def pending(self) -> bool:
        return self.status is ApprovalStatus.PENDING


class Approvals:
    """The approval requests of web applications, bounded per origin."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._requests: dict[str, ApprovalRequest] = {}

    def create(
        self,
        origin: str,
        action: ApprovalAction,
        *,
        reader: str | None = None,
        nonce: str | None = None,
    ) -> ApprovalRequest:
        """A new pending request of ``origin``; its oldest one goes past the per-origin cap."""
        request = ApprovalRequest(
            id=secrets.token_hex(_ID_BYTES),
            origin=origin,
            action=action,
            reader=reader,
            nonce=nonce,
            expires_at=datetime.now(UTC) + APPROVAL_LIFETIME,
        )
        with self._lock:
            now = self._clock()
            self._sweep(now)
            request._deadline = now + APPROVAL_LIFETIME.total_seconds()
            own = sorted(
                (r for r in self._requests.values() if r.origin == origin),
                key=lambda r: r._deadline,
            )
            for old in own[: max(0, len(own) - MAX_PER_ORIGIN + 1)]:
                del self._requests[old.id]
            self._requests[request.id] = request
        return request

    def get(self, request_id: str) -> ApprovalRequest | None:
        """The request, its status brought up to date; ``None`` once forgotten."""
        with self._lock:
            self._sweep(self._clock())
            return self._requests.get(request_id)

    def decide(
        self, request: ApprovalRequest, status: ApprovalStatus, token: AuthToken | None = None
    ) -> None:
        """Record the clinician's answer (approved with its result, or refused)."""
        with self._lock:
            request.status = status
            request.token = token
            request._deadline = self._clock() + RESULT_LIFETIME.total_seconds()

    def _sweep(self, now: float) -> None:
        for request in list(self._requests.values()):
            if request._deadline > now:
                continue
            if request.pending:  # unanswered in time: kept a while to say so
                request.status = ApprovalStatus.EXPIRED
                request._deadline = now + RESULT_LIFETIME.total_seconds()
            else:
                del self._requests[request.id]
