"""Local API security, as one ASGI middleware in front of every route.

1. ``Host`` must be ``127.0.0.1:PORT``, ``localhost:PORT`` or ``[::1]:PORT``: a page
   that rebinds its DNS name to 127.0.0.1 is refused (``host_forbidden``).
2. Each request is from one of three callers (:mod:`cardbridge.service.callers`), each
   proved by its own credential, never by a header a program can write:
   - native software: ``Authorization: Bearer <local API token>``;
   - the paired status page: its pairing cookie (``HttpOnly``, ``SameSite=Strict``),
     not taken from a cross-site or same-site-other-origin request (``Sec-Fetch-Site``
     may only make a request *less* trusted);
   - a web application: an ``Origin`` that is configured AND approved by the clinician;
     CORS answers name that origin, never ``*``, and expose the answer headers the API
     documents (``EXPOSED_HEADERS``); preflights, Private/Local Network
     Access ones included, are answered for configured origins only. An ``Origin`` that
     is not configured is ``origin_forbidden``; configured but not approved,
     ``origin_not_approved``; two ``Origin`` headers, ``origin_forbidden``.
   Without any, only the open paths are served (health, status page, pairing link,
   approval window, API docs): else ``pairing_required`` for the page, ``unauthorized``.
3. Bodies are capped: 413 ``payload_too_large`` before a body is read when its
   Content-Length says it is too large, or as soon as a chunked one goes over.

The caller is put in ``scope["state"]["caller"]``, and the origin a browser's token is
for in ``scope["state"]["origin"]``: what an authentication token signs for a browser,
never a body field.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field
from functools import cached_property

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cardbridge.api.problems import PROBLEM_MEDIA_TYPE, problem_body
from cardbridge.auth.origin import normalize_origin
from cardbridge.errors import (
    ApiTokenError,
    CardBridgeError,
    HostForbiddenError,
    OriginInvalidError,
    OriginNotApprovedError,
    OriginNotConfiguredError,
    PairingRequiredError,
    PayloadTooLargeError,
    SeveralOriginsError,
)
from cardbridge.messages import Language, Text, language_of_header
from cardbridge.messages.errors import ERROR_TEXTS
from cardbridge.service.callers import NATIVE, Caller, page, web_origin
from cardbridge.service.origins import OriginApprovals, OriginStatus
from cardbridge.service.pairing import Pairings

DEFAULT_BODY_LIMIT = 64 * 1024
ALLOWED_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, Last-Event-ID"
PREFLIGHT_MAX_AGE = "600"
# The answer headers the API documents, which an approved web application's page may read
# (Fetch standard: a cross-origin page reads only the CORS-safelisted answer headers and
# those named in Access-Control-Expose-Headers). WWW-Authenticate is not among them: it
# goes only with ``unauthorized``, an answer to a caller without an origin.
EXPOSED_HEADERS = "Content-Disposition, X-Dmp-Wrapped-In-Cda, Retry-After"


@dataclass(frozen=True)
class BodyLimit:
    """How large a route's bodies may be, and what a client is told past it (by default,
    :class:`PayloadTooLargeError`'s words)."""

    size: int
    message: Text | None = None

    def error(self) -> PayloadTooLargeError:
        return PayloadTooLargeError(self.size, self.message)


DEFAULT_LIMIT = BodyLimit(DEFAULT_BODY_LIMIT)


@dataclass(frozen=True)
class SecurityPolicy:
    """What the middleware enforces."""

    port: int
    api_token: str
    pairings: Pairings
    origins: OriginApprovals
    open_paths: frozenset[str] = frozenset(
        {"/", "/pair", "/approve", "/v1/health", "/docs", "/openapi.json"}
    )
    open_prefixes: tuple[str, ...] = ("/static/", "/docs-assets/")
    body_limits: dict[str, BodyLimit] = field(default_factory=dict)
    # Where a native client finds the token, for the refusal's message.
    token_source: Text = ERROR_TEXTS["api_token_config_dir"]

    # Cached: read on every request, fixed for the policy's life.
    @cached_property
    def hosts(self) -> frozenset[str]:
        return frozenset(f"{h}:{self.port}" for h in ("127.0.0.1", "localhost", "[::1]"))

    @cached_property
    def own_origins(self) -> frozenset[str]:
        return frozenset(normalize_origin(f"http://{host}") for host in self.hosts)

    @cached_property
    def cookie_name(self) -> str:
        return cookie_name(self.port)

    def is_open(self, path: str) -> bool:
        return path in self.open_paths or path.startswith(self.open_prefixes)

    def body_limit(self, path: str) -> BodyLimit:
        return self.body_limits.get(path, DEFAULT_LIMIT)


async def _problem(
    send: Send,
    error: CardBridgeError,
    headers: list[tuple[bytes, bytes]] | None = None,
    *,
    language: Language,
) -> None:
    document = problem_body(error.code, error.text, extra=error.details(), language=language)
    headers = [
        *(headers or []),
        *((name.lower().encode(), value.encode()) for name, value in error.headers().items()),
    ]
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


def cookie_name(port: int) -> str:
    """The pairing cookie's name: with the port, since cookies are not kept apart by port,
    and two bridges (two users) on one machine must not overwrite each other's."""
    return f"cardbridge_page_{port}"


def _normal(origin: str) -> str | None:
    try:
        return normalize_origin(origin)
    except OriginInvalidError:
        return None


def _cookie(header: str, name: str) -> str | None:
    """The value of cookie ``name`` in a ``Cookie`` header. Read pair by pair (RFC 6265
    §5.4: ``name=value`` separated by ``; ``), not with a parser that gives up on the
    whole header at the first value it dislikes: other programs on 127.0.0.1, whatever
    their port, share the browser's cookie jar with the bridge."""
    for pair in header.split(";"):
        key, sep, value = pair.strip().partition("=")
        if sep and key == name:
            return value
    return None


def _cors_headers(origin: str) -> list[tuple[bytes, bytes]]:
    return [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]


class BodyTooLargeError(HTTPException):
    """Raised from ``receive`` when a body sent without Content-Length (chunked) exceeds
    its cap. An HTTP 413 error, so that FastAPI lets it through while it parses a body
    (it turns any other error there into "There was an error parsing the body") and the
    app's handler answers ``payload_too_large``."""

    def __init__(self, limit: BodyLimit) -> None:
        self.limit = limit
        super().__init__(413, limit.error().message)


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
        language = language_of_header(headers.get("accept-language"))
        policy = self.policy
        host = headers.get("host", "").lower()
        if host not in policy.hosts:
            await _problem(send, HostForbiddenError(policy.port), language=language)
            return

        origins = headers.getlist("origin")
        if len(origins) > 1:
            await _problem(send, SeveralOriginsError(), language=language)
            return
        caller: Caller | None = None
        cors: str | None = None
        if origins and (origin := _normal(origins[0])) not in policy.own_origins:
            status = policy.origins.status(origin) if origin else OriginStatus.NOT_CONFIGURED
            if status is OriginStatus.NOT_CONFIGURED:
                await _problem(send, OriginNotConfiguredError(), language=language)
                return
            assert origin is not None
            if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
                await self._preflight(send, origin, headers)
                return
            if status is OriginStatus.NOT_APPROVED:
                await _problem(
                    send, OriginNotApprovedError(), _cors_headers(origin), language=language
                )
                return
            caller, cors = web_origin(origin), origin
        else:
            caller = self._native_or_page(headers, host)
        if caller is None and not policy.is_open(scope["path"]):
            if origins or headers.get("sec-fetch-site") == "same-origin":
                # Only to word the refusal: the status page, not paired yet.
                await _problem(send, PairingRequiredError(), language=language)
            else:
                await _problem(send, ApiTokenError(policy.token_source), language=language)
            return

        state = scope.setdefault("state", {})
        state["caller"] = caller
        # The origin a token is for, when the caller is a browser's page.
        state["origin"] = None if caller is None else caller.origin

        limit = policy.body_limit(scope["path"])
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit.size):
            await _problem(send, limit.error(), language=language)
            return

        send_wrapped = send if cors is None else self._with_cors(send, cors)
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.size:
                    raise BodyTooLargeError(limit)
            return message

        try:
            await self.app(scope, capped_receive, send_wrapped)
        except BodyTooLargeError as error:  # read outside FastAPI's handlers
            await _problem(send_wrapped, error.limit.error(), language=language)

    def _native_or_page(self, headers: Headers, host: str) -> Caller | None:
        """The token's native client, else the paired page of the cookie, else nobody."""
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.policy.api_token.encode()
        ):
            return NATIVE
        if headers.get("sec-fetch-site") in ("cross-site", "same-site"):
            return None  # a page of another origin never acts with the status page's cookie
        value = _cookie(headers.get("cookie", ""), self.policy.cookie_name)
        pairing = self.policy.pairings.authenticate(value) if value else None
        return None if pairing is None else page(pairing, normalize_origin(f"http://{host}"))

    @staticmethod
    def _with_cors(send: Send, origin: str) -> Send:
        """``send``, with the CORS headers of an approved ``origin`` on the answer."""
        cors = [
            *_cors_headers(origin),
            (b"access-control-expose-headers", EXPOSED_HEADERS.encode()),
        ]

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *cors]}
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
