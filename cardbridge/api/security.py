"""Local API security, as one ASGI middleware in front of every route.

1. ``Host`` must be ``127.0.0.1:PORT``, ``localhost:PORT`` or ``[::1]:PORT``: a page
   that rebinds its DNS name to 127.0.0.1 is refused (``host_forbidden``).
2. A request with an ``Origin`` is served only if that origin is allowed (configured,
   or the bridge's own); CORS answers name that origin, never ``*``; preflights,
   including Private/Local Network Access ones, are answered for allowed origins only.
3. A request without ``Origin`` must carry ``Authorization: Bearer <local API token>``,
   except the open paths (health, status page, API docs). A same-origin request of the
   status page (``Sec-Fetch-Site: same-origin``, which browsers send and pages cannot
   forge) counts as the bridge's own origin.
4. Bodies are capped: 413 ``payload_too_large`` before a body is read when its
   Content-Length says it is too large, or as soon as a chunked one goes over.

The validated origin is put in ``scope["state"]["origin"]`` for the routes: it is
what an authentication token signs for a browser, never a body field.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cardbridge.api.problems import PROBLEM_MEDIA_TYPE, problem_body
from cardbridge.auth.errors import OriginInvalidError
from cardbridge.auth.origin import normalize_origin

DEFAULT_BODY_LIMIT = 64 * 1024
ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, Last-Event-ID"
PREFLIGHT_MAX_AGE = "600"


@dataclass(frozen=True)
class SecurityPolicy:
    """What the middleware enforces."""

    port: int
    api_token: str
    allowed_origins: frozenset[str] = frozenset()
    open_paths: frozenset[str] = frozenset({"/", "/v1/health", "/docs", "/openapi.json"})
    open_prefixes: tuple[str, ...] = ("/static/", "/docs-assets/")
    body_limits: dict[str, int] = field(default_factory=dict)

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset(f"{h}:{self.port}" for h in ("127.0.0.1", "localhost", "[::1]"))

    @property
    def own_origins(self) -> frozenset[str]:
        return frozenset(f"http://{host}" for host in self.hosts)

    def origin_allowed(self, origin: str) -> bool:
        return origin in self.allowed_origins or origin in self.own_origins

    def is_open(self, path: str) -> bool:
        return path in self.open_paths or path.startswith(self.open_prefixes)

    def body_limit(self, path: str) -> int:
        return self.body_limits.get(path, DEFAULT_BODY_LIMIT)

    @classmethod
    def build(
        cls, *, port: int, api_token: str, allowed_origins: Iterable[str], **kw: object
    ) -> SecurityPolicy:
        """A policy with ``allowed_origins`` normalised (an invalid one is an error)."""
        return cls(
            port=port,
            api_token=api_token,
            allowed_origins=frozenset(normalize_origin(o) for o in allowed_origins),
            **kw,  # type: ignore[arg-type]
        )


async def _problem(
    send: Send, code: str, detail: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    document = problem_body(code, detail)
    body = json.dumps(document).encode()
    await send(
        {
            "type": "http.response.start",
            "status": document["status"],
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _cors_headers(origin: str) -> list[tuple[bytes, bytes]]:
    return [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]


def too_large(limit: int) -> str:
    """What a client is told when its body exceeds ``limit`` bytes."""
    size = f"{limit // 1048576} MiB" if limit % 1048576 == 0 else f"{limit // 1024} KiB"
    return f"The request body is larger than {size}."


class BodyTooLargeError(HTTPException):
    """Raised from ``receive`` when a body sent without Content-Length (chunked) exceeds
    its cap. An HTTP 413 error, so that FastAPI lets it through while it parses a body
    (it turns any other error there into "There was an error parsing the body") and the
    app's handler answers ``payload_too_large``."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large(limit))


class SecurityMiddleware:
    """Enforces a :class:`SecurityPolicy` on every HTTP request."""

    def __init__(self, app: ASGIApp, policy: SecurityPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        policy = self.policy
        host = headers.get("host", "").lower()
        if host not in policy.hosts:
            await _problem(
                send,
                "host_forbidden",
                f"This address is not the local card bridge. Use http://127.0.0.1:{policy.port}.",
            )
            return

        origin_header = headers.get("origin")
        origin: str | None = None
        token_ok = False
        if origin_header is not None:
            try:
                origin = normalize_origin(origin_header)
            except OriginInvalidError:
                origin = None
            if origin is None or not policy.origin_allowed(origin):
                await _problem(
                    send,
                    "origin_forbidden",
                    "This web site is not allowed to use the card bridge. Ask your "
                    "administrator to add it to CARDBRIDGE_ALLOWED_ORIGINS.",
                )
                return
            if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
                await self._preflight(send, origin, headers)
                return
        elif headers.get("sec-fetch-site") == "same-origin":
            origin = f"http://{host}"
        elif not (token_ok := self._token_ok(headers)) and not policy.is_open(scope["path"]):
            await _problem(
                send,
                "unauthorized",
                "Missing or wrong local API token: send 'Authorization: Bearer "
                "<token>' (the token is in ~/.config/cardbridge/api-token).",
                [(b"www-authenticate", b'Bearer realm="cardbridge"')],
            )
            return

        state = scope.setdefault("state", {})
        state["origin"] = origin
        # Open paths are served without the token: only a checked token counts.
        state["token_authenticated"] = token_ok

        limit = policy.body_limit(scope["path"])
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _problem(send, "payload_too_large", too_large(limit))
            return

        send_wrapped = send if origin is None else self._with_cors(send, origin)
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        try:
            await self.app(scope, capped_receive, send_wrapped)
        except BodyTooLargeError as error:  # read outside FastAPI's handlers
            await _problem(send_wrapped, "payload_too_large", str(error.detail))

    def _token_ok(self, headers: Headers) -> bool:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.policy.api_token.encode()
        )

    @staticmethod
    def _with_cors(send: Send, origin: str) -> Send:
        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [*message.get("headers", []), *_cors_headers(origin)],
                }
            await send(message)

        return send_with_cors

    @staticmethod
    async def _preflight(send: Send, origin: str, headers: Headers) -> None:
        extra = [
            (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
            (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
            (b"access-control-max-age", PREFLIGHT_MAX_AGE.encode()),
        ]
        if headers.get("access-control-request-private-network") == "true":
            extra.append((b"access-control-allow-private-network", b"true"))
        if headers.get("access-control-request-local-network") == "true":
            extra.append((b"access-control-allow-local-network", b"true"))
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [*_cors_headers(origin), *extra],
            }
        )
        await send({"type": "http.response.body", "body": b""})
