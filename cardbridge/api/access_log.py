"""An access log that cannot leak: method, route template, status and duration only.

uvicorn's own access log prints the raw path and query string, where a careless client
may put a NIR or a name; this one logs the route's template (``/v1/cps/pin``) or
``-`` when no route matched, never a query string, a header or a body.
"""

from __future__ import annotations

import logging
import time

from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("cardbridge.access")


class AccessLogMiddleware:
    """Logs one line per HTTP request at INFO on ``cardbridge.access``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = scope.get("route")
            template = route.path if isinstance(route, Route) else "-"
            log.info(
                "%s %s %s %.1f ms",
                scope["method"],
                template,
                status or 500,
                (time.perf_counter() - start) * 1000,
            )
