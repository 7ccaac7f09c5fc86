"""Who may call what, over every route: one table of requests (Host, Origin, token,
``Sec-Fetch-Site``) and what each must get, run against every operation of the OpenAPI
document (so a new route is covered as soon as it exists) and the open files outside it.

- A process of another OS user: 403 ``user_forbidden`` on every path, open ones
  included, whatever it sends (the token, an allowed origin).
- A `Host` other than ``127.0.0.1:PORT``, ``localhost:PORT`` or ``[::1]:PORT``: 403
  ``host_forbidden``, on every path, open ones included (DNS rebinding).
- An ``Origin`` that is not allowed, look-alikes included: 403 ``origin_forbidden``, even
  with the token, without CORS headers.
- No ``Origin`` and no valid token: 401 ``unauthorized``, except on the open paths
  (``/v1/health``, the status page and its files, the API documentation).
- An allowed origin, the bridge's own, a same-origin fetch of the status page
  (``Sec-Fetch-Site: same-origin``) or the token: served (whatever the route then says).
- Preflights, Private/Local Network Access included, answered for allowed origins only.
"""

from __future__ import annotations

import base64
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cardbridge.api.routes.status import static_files
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.inprocess import DEMO_CPS_READER, DEMO_VITALE_READER, EmulatedBackend
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import load_profile
from tests.support.other_user import requests_from
from tests.support.server import LiveServer, serve_backend

APP_ORIGIN = "https://dmp.example"
SECURITY_CODES = {"host_forbidden", "origin_forbidden", "unauthorized"}
# Documented as open (README, "Who may call it"): everything else needs the token.
OPEN_OPERATIONS = {"GET /v1/health"}
OPEN_OUTSIDE_SCHEMA = [
    "/",
    f"/static/{min(static_files())}",
    "/docs",
    "/openapi.json",
    "/docs-assets/swagger-ui.css",
]
# Not a route: refused like a protected one, so that probing tells nothing.
UNKNOWN = [("GET", "/v1/not-a-route"), ("POST", "/v1/dmp/not-a-route")]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    open: bool

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Live:
    """The server, and every route it has, from its OpenAPI document."""

    server: LiveServer
    routes: list[Route]

    @property
    def port(self) -> int:
        return self.server.port


@pytest.fixture(scope="module")
def live(
    key_pool: KeyPool, issuer: PkiIssuer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    backend = EmulatedBackend([DEMO_CPS_READER, DEMO_VITALE_READER])
    for reader, profile in ((DEMO_CPS_READER, "demo-cps"), (DEMO_VITALE_READER, "demo-vitale")):
        backend.insert(reader, build_card(load_profile(profile), keys=key_pool, issuer=issuer))
    data_dir = tmp_path_factory.mktemp("matrix")
    with serve_backend(backend, allowed_origins=[APP_ORIGIN], data_dir=data_dir) as server:
        yield Live(server, all_routes(server))


def all_routes(server: LiveServer) -> list[Route]:
    routes = [
        Route(method.upper(), re.sub(r"\{[^}]+\}", "x", path), "security" not in operation)
        for path, operations in server.app.openapi()["paths"].items()
        for method, operation in operations.items()
    ]
    routes += [Route("GET", path, True) for path in OPEN_OUTSIDE_SCHEMA]
    routes += [Route(method, path, False) for method, path in UNKNOWN]
    return routes


@dataclass(frozen=True)
class Case:
    """A way of calling, and what every route must answer to it."""

    name: str
    headers: Callable[[int, str], dict[str, str]]  # (port, token) -> headers
    expect: str  # a security code, "served", or "unauthorized unless open"

    def expected(self, route: Route) -> str:
        if self.expect == "unauthorized unless open":
            return "served" if route.open else "unauthorized"
        return self.expect


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _token(value: str) -> Callable[[int, str], dict[str, str]]:
    return lambda _, token: {"Authorization": value.format(token=token)}


def _host(value: str) -> Callable[[int, str], dict[str, str]]:
    return lambda port, token: {
        "Host": value.format(port=port, other=port + 1),
        "Authorization": f"Bearer {token}",
    }


def _origin(value: str, *, token: bool = True) -> Callable[[int, str], dict[str, str]]:
    def headers(port: int, secret: str) -> dict[str, str]:
        sent = {"Origin": value.format(port=port, other=port + 1)}
        return {**sent, "Authorization": f"Bearer {secret}"} if token else sent

    return headers


def _fetch_site(value: str) -> Callable[[int, str], dict[str, str]]:
    return lambda _, __: {"Sec-Fetch-Site": value}


CASES = [
    # DNS rebinding: only the loopback names with the bridge's port, token or not.
    *(
        Case(f"host {host!r}", _host(host), "host_forbidden")
        for host in (
            "evil.example",
            "evil.example:{port}",
            "127.0.0.1.evil:{port}",
            "localhost.evil:{port}",
            "127.0.0.1",  # no port
            "localhost",
            "[::1]",
            "127.0.0.1:{other}",
            "0.0.0.0:{port}",
            "127.1:{port}",
            "",
        )
    ),
    *(
        Case(f"host {host!r}", _host(host), "served")
        for host in ("127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}")
    ),
    # Origins that are not allowed, look-alikes of allowed ones, even with the token.
    *(
        Case(f"origin {origin!r}", _origin(origin), "origin_forbidden")
        for origin in (
            "https://evil.example",
            "null",
            "http://127.0.0.1:{other}",
            "http://localhost:{other}",
            "http://localhost.evil",
            "http://127.0.0.1.evil:{port}",
            "https://127.0.0.1:{port}",
            "https://dmp.example.evil",
            "https://evil.example/https://dmp.example",
            "http://dmp.example",
            "https://dmp.example:8443",
            "https://dmp.example/",
            "https://user@dmp.example",
        )
    ),
    # Allowed origins need no token: the configured one and the bridge's own.
    *(
        Case(f"allowed origin {origin!r}", _origin(origin, token=False), "served")
        for origin in (APP_ORIGIN, "http://127.0.0.1:{port}", "http://localhost:{port}")
    ),
    # Native clients (no Origin): the token, or 401 except on the open paths.
    Case("no token", lambda _, __: {}, "unauthorized unless open"),
    *(
        Case(f"authorization {value!r}", _token(value), "unauthorized unless open")
        for value in (
            "Bearer wrong",
            "Bearer",
            "Bearer {token}x",
            "Bearer x{token}",
            "{token}",
        )
    ),
    Case(
        "the token as Basic credentials",
        lambda _, token: {"Authorization": "Basic " + _b64(f"cardbridge:{token}")},
        "unauthorized unless open",
    ),
    Case("token", _token("Bearer {token}"), "served"),
    Case("token, scheme in lower case", _token("bearer {token}"), "served"),
    # The status page's same-origin fetches (a header pages cannot set) need no token.
    Case("Sec-Fetch-Site: same-origin", _fetch_site("same-origin"), "served"),
    *(
        Case(f"Sec-Fetch-Site: {site}", _fetch_site(site), "unauthorized unless open")
        for site in ("cross-site", "same-site", "none")
    ),
]


def call(client: httpx.Client, route: Route, headers: dict[str, str]) -> httpx.Response:
    """The answer's status and headers, and its body unless it is an event stream."""
    with client.stream(route.method, route.path, headers=headers) as response:
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            response.read()
        return response


def wrong_answer(response: httpx.Response, expected: str, origin: str | None) -> str | None:
    """What is wrong with ``response`` if ``expected`` was due, else ``None``."""
    problem = response.headers.get("content-type") == "application/problem+json"
    code = response.json().get("code") if problem else None
    cors = response.headers.get("access-control-allow-origin")
    if expected == "served":
        if code in SECURITY_CODES:
            return f"refused {response.status_code} {code}"
        if origin is not None and (cors, response.headers.get("vary")) != (origin, "Origin"):
            return f"CORS names {cors!r}, varies by {response.headers.get('vary')!r}"
        return None
    status = 401 if expected == "unauthorized" else 403
    if (response.status_code, code) != (status, expected):
        return f"got {response.status_code} {code}"
    if cors is not None:
        return f"CORS header on a refusal: {cors!r}"
    if expected == "unauthorized" and not response.headers.get("www-authenticate"):
        return "no WWW-Authenticate"
    return None


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_matrix(live: Live, case: Case) -> None:
    failures = {}
    headers = case.headers(live.port, live.server.token)
    with httpx.Client(base_url=live.server.url, timeout=10.0) as client:
        answers = [(route, call(client, route, headers)) for route in live.routes]
    for route, response in answers:
        origin = headers.get("Origin") if case.expect == "served" else None
        wrong = wrong_answer(response, case.expected(route), origin)
        if wrong is not None:
            failures[str(route)] = wrong
    assert failures == {}


def test_other_os_user(live: Live) -> None:
    """Every route, as ``nobody``, with each credential a same-user caller could use:
    refused; the same client, run as our user, is served."""
    credentials = [
        {},
        live.server.auth,
        {"Origin": APP_ORIGIN},
        {"Origin": f"http://127.0.0.1:{live.port}"},
        {"Sec-Fetch-Site": "same-origin"},
    ]
    requests = [
        (route.method, route.path, headers)
        for route in live.routes
        if route.path != "/v1/events"  # served, it would stream until the timeout
        for headers in credentials
    ]
    requests.append(("GET", "/v1/events", live.server.auth))
    answers = requests_from("127.0.0.1", live.port, requests)
    refused = {(403, "user_forbidden")}
    assert set(answers) == refused
    assert len(answers) == len(requests)
    ours = requests_from("127.0.0.1", live.port, requests[:-1], same_user=True)
    assert not refused & set(ours)
    assert ours[requests.index(("GET", "/v1/health", {}))] == (200, None)


def test_no_host_at_all(live: Live) -> None:
    failures = {}
    for route in live.routes:
        token = live.server.token
        request = f"{route.method} {route.path} HTTP/1.0\r\nAuthorization: Bearer {token}\r\n\r\n"
        with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
            sock.sendall(request.encode())
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        if not answer.startswith(b"HTTP/1.1 403") or b"host_forbidden" not in answer:
            failures[str(route)] = answer.split(b"\r\n", 1)[0].decode()
    assert failures == {}


def test_open_routes_are_the_documented_ones(live: Live) -> None:
    """A route opened to callers without the token must be a decision, written in README."""
    schema_routes = [r for r in live.routes if r.path not in OPEN_OUTSIDE_SCHEMA]
    assert {str(r) for r in schema_routes if r.open} == OPEN_OPERATIONS
    assert any(r.path.startswith("/v1/dmp/") for r in schema_routes)  # DMP routes included
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert "Sec-Fetch-Site: same-origin" in readme


PREFLIGHT_ASKS = {
    "Access-Control-Request-Headers": "authorization, content-type",
    "Access-Control-Request-Private-Network": "true",
    "Access-Control-Request-Local-Network": "true",
}


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (APP_ORIGIN, True),
        ("http://127.0.0.1:{port}", True),
        ("https://evil.example", False),
        ("http://localhost.evil", False),
        ("http://127.0.0.1:{other}", False),
    ],
)
def test_preflights(live: Live, origin: str, allowed: bool) -> None:
    origin = origin.format(port=live.port, other=live.port + 1)
    failures = {}
    client = httpx.Client(base_url=live.server.url, timeout=10.0)
    for route in live.routes:
        asks = {"Origin": origin, "Access-Control-Request-Method": route.method}
        full = client.options(route.path, headers={**asks, **PREFLIGHT_ASKS})
        plain = client.options(route.path, headers=asks)
        if allowed:
            got = (
                full.status_code,
                full.headers.get("access-control-allow-origin"),
                route.method in full.headers.get("access-control-allow-methods", ""),
                "content-type" in full.headers.get("access-control-allow-headers", "").lower(),
                full.headers.get("access-control-allow-private-network"),
                full.headers.get("access-control-allow-local-network"),
                "access-control-allow-private-network" in plain.headers,
            )
            if got != (204, origin, True, True, "true", "true", False):
                failures[str(route)] = got
        else:
            refusals = [
                (
                    r.status_code,
                    r.json().get("code"),
                    [k for k in r.headers if "access-control" in k],
                )
                for r in (full, plain)
            ]
            if refusals != [(403, "origin_forbidden", [])] * 2:
                failures[str(route)] = refusals
    assert failures == {}
