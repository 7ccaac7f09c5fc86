"""Who may call what, over every route: one table of ways of calling (Host, Origin,
token, pairing cookie, ``Sec-Fetch-Site``) and what each must get, run against every
operation of the OpenAPI document (so a new route is covered as soon as it exists) and
the open files outside it.

- A process of another OS user: 403 ``user_forbidden`` on every path, open ones
  included, whatever it sends (the token, an allowed origin).
- A `Host` other than ``127.0.0.1:PORT``, ``localhost:PORT`` or ``[::1]:PORT``: 403
  ``host_forbidden``, on every path, open ones included (DNS rebinding).
- An ``Origin`` that is not configured, look-alikes included, or two ``Origin`` headers:
  403 ``origin_forbidden``, even with the token, without CORS headers. Configured but not
  approved by the clinician: 403 ``origin_not_approved``, with the CORS header.
- No credential: 401 ``unauthorized`` (``pairing_required`` for what looks like the
  status page: its own ``Origin``, or ``Sec-Fetch-Site: same-origin``, which any program
  can send), except on the open paths.
- The token, the paired page's cookie, an approved origin: served, except the routes
  that README's table keeps from that kind of caller (403 ``caller_forbidden``); the
  table is read from README itself, so the two cannot drift apart.
- Preflights, Private/Local Network Access included, answered for configured origins only.
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
from testkit.server import LiveServer, serve_backend
from tests.support.other_user import requests_from

README = Path(__file__).parents[2] / "README.md"
APP_ORIGIN = "https://dmp.example"
WAITING_ORIGIN = "https://waiting.example"  # configured, never approved
SECURITY_CODES = {
    "host_forbidden",
    "origin_forbidden",
    "origin_not_approved",
    "unauthorized",
    "pairing_required",
    "caller_forbidden",
    "user_forbidden",
}
KINDS = ("native", "page", "origin")
# Documented as open (README, "Who may call it"): everything else needs a credential.
OPEN_OPERATIONS = {"GET /v1/health"}
OPEN_OUTSIDE_SCHEMA = [
    "/",
    f"/static/{min(static_files())}",
    "/pair",
    "/approve",
    "/docs",
    "/openapi.json",
    "/docs-assets/swagger-ui.css",
]
# Not a route: refused like a protected one, so that probing tells nothing.
UNKNOWN = [("GET", "/v1/not-a-route"), ("POST", "/v1/dmp/not-a-route")]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    open: bool

    @property
    def path(self) -> str:
        return re.sub(r"\{[^}]+\}", "x", self.template)

    def __str__(self) -> str:
        return f"{self.method} {self.template}"


def readme_restrictions() -> dict[str, set[str]]:
    """README's table of the routes kept from some callers: route -> callers allowed."""
    rows = re.findall(
        r"^\| `([A-Z]+ /[^`]+)` \| (yes|no) \| (yes|no) \| (yes|no) \|$",
        README.read_text(),
        re.MULTILINE,
    )
    assert rows, "README's table of who may call what is missing"
    return {
        route: {k for k, a in zip(KINDS, allowed, strict=True) if a == "yes"}
        for route, *allowed in rows
    }


@dataclass(frozen=True)
class Live:
    """The server, every route it has (from its OpenAPI document), README's restrictions."""

    server: LiveServer
    routes: list[Route]
    restrictions: dict[str, set[str]]

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
    with serve_backend(
        backend, allowed_origins=[APP_ORIGIN, WAITING_ORIGIN], data_dir=data_dir, approve=False
    ) as server:
        server.bridge.origins.approve(APP_ORIGIN)
        yield Live(server, all_routes(server), readme_restrictions())


def all_routes(server: LiveServer) -> list[Route]:
    routes = [
        Route(method.upper(), path, "security" not in operation)
        for path, operations in server.app.openapi()["paths"].items()
        for method, operation in operations.items()
    ]
    routes += [Route("GET", path, True) for path in OPEN_OUTSIDE_SCHEMA]
    routes += [Route(method, path, False) for method, path in UNKNOWN]
    return routes


Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Case:
    """A way of calling, and what every route must answer to it."""

    name: str
    headers: Callable[[Live], Headers]  # built anew for each request
    # A refusal code, "<code> unless open", or "served as <kind of caller>".
    expect: str

    def expected(self, live: Live, route: Route) -> str:
        if self.expect.endswith(" unless open"):
            return "served" if route.open else self.expect.removesuffix(" unless open")
        if self.expect.startswith("served as "):
            kind = self.expect.removeprefix("served as ")
            allowed = live.restrictions.get(str(route), set(KINDS))
            return "served" if kind in allowed or route.open else "caller_forbidden"
        return self.expect


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _fill(value: str, live: Live) -> str:
    return value.format(port=live.port, other=live.port + 1)


def _token(value: str) -> Callable[[Live], Headers]:
    return lambda live: [("Authorization", value.format(token=live.server.token))]


def _host(value: str) -> Callable[[Live], Headers]:
    return lambda live: [
        ("Host", _fill(value, live)),
        ("Authorization", f"Bearer {live.server.token}"),
    ]


def _origin(value: str, *, token: bool = True) -> Callable[[Live], Headers]:
    def headers(live: Live) -> Headers:
        sent = [("Origin", _fill(value, live))]
        return [*sent, ("Authorization", f"Bearer {live.server.token}")] if token else sent

    return headers


def _fetch_site(value: str) -> Callable[[Live], Headers]:
    return lambda _: [("Sec-Fetch-Site", value)]


def _paired(*extra: tuple[str, str]) -> Callable[[Live], Headers]:
    """The status page, paired anew for each request (a route may unpair it)."""

    def headers(live: Live) -> Headers:
        name, value = live.server.pairing_cookie()
        return [("Cookie", f"{name}={value}"), *((k, _fill(v, live)) for k, v in extra)]

    return headers


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
        Case(f"host {host!r}", _host(host), "served as native")
        for host in ("127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}")
    ),
    # Origins that are not configured, look-alikes of configured ones, even with the token.
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
    # Two Origin headers: whichever comes first, refused.
    Case(
        "duplicated Origin, the bridge's own first",
        lambda live: [
            *_paired(("Origin", "http://127.0.0.1:{port}"))(live),
            ("Origin", "https://evil.example"),
        ],
        "origin_forbidden",
    ),
    Case(
        "duplicated Origin, the approved one twice",
        lambda live: [("Origin", APP_ORIGIN), ("Origin", APP_ORIGIN)],
        "origin_forbidden",
    ),
    # A configured origin the clinician has not approved: refused, even with the token.
    Case("origin configured, not approved", _origin(WAITING_ORIGIN), "origin_not_approved"),
    # An approved origin needs no token.
    Case("approved origin", _origin(APP_ORIGIN, token=False), "served as origin"),
    # Headers any program can write prove nothing: the status page needs its pairing.
    *(
        Case(
            f"forged own origin {origin!r}",
            _origin(origin, token=False),
            "pairing_required unless open",
        )
        for origin in ("http://127.0.0.1:{port}", "http://localhost:{port}")
    ),
    Case(
        "forged Sec-Fetch-Site: same-origin",
        _fetch_site("same-origin"),
        "pairing_required unless open",
    ),
    Case(
        "unpaired page (own Origin and Sec-Fetch-Site)",
        lambda live: [("Origin", live.server.url), ("Sec-Fetch-Site", "same-origin")],
        "pairing_required unless open",
    ),
    Case("paired page, GET without Origin", _paired(), "served as page"),
    Case(
        "paired page, with its Origin",
        _paired(("Origin", "http://127.0.0.1:{port}"), ("Sec-Fetch-Site", "same-origin")),
        "served as page",
    ),
    *(
        Case(
            f"page cookie from a {site} request",
            _paired(("Sec-Fetch-Site", site)),
            "unauthorized unless open",
        )
        for site in ("cross-site", "same-site")
    ),
    Case(
        "page cookie with another site's Origin",
        _paired(("Origin", "https://evil.example")),
        "origin_forbidden",
    ),
    # Native clients: the token, or 401 except on the open paths.
    Case("no token", lambda _: [], "unauthorized unless open"),
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
        lambda live: [("Authorization", "Basic " + _b64(f"cardbridge:{live.server.token}"))],
        "unauthorized unless open",
    ),
    Case("token", _token("Bearer {token}"), "served as native"),
    Case("token, scheme in lower case", _token("bearer {token}"), "served as native"),
    Case(
        "token with the bridge's own Origin", _origin("http://127.0.0.1:{port}"), "served as native"
    ),
    *(
        Case(f"Sec-Fetch-Site: {site}", _fetch_site(site), "unauthorized unless open")
        for site in ("cross-site", "same-site", "none")
    ),
]


def call(client: httpx.Client, route: Route, headers: Headers) -> httpx.Response:
    """The answer's status and headers, and its body unless it is an event stream."""
    with client.stream(route.method, route.path, headers=headers) as response:
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            response.read()
        return response


def wrong_answer(response: httpx.Response, expected: str, origin: str | None) -> str | None:
    """What is wrong with ``response`` if ``expected`` was due, else ``None``; ``origin``:
    the web application calling, whose name CORS answers must carry."""
    problem = response.headers.get("content-type") == "application/problem+json"
    code = response.json().get("code") if problem else None
    cors = response.headers.get("access-control-allow-origin")
    if expected == "served":
        if code in SECURITY_CODES:
            return f"refused {response.status_code} {code}"
        if origin is not None and (cors, response.headers.get("vary")) != (origin, "Origin"):
            return f"CORS names {cors!r}, varies by {response.headers.get('vary')!r}"
        if origin is None and cors is not None:
            return f"CORS header for a caller that is no web application: {cors!r}"
        return None
    status = 401 if expected in ("unauthorized", "pairing_required") else 403
    if (response.status_code, code) != (status, expected):
        return f"got {response.status_code} {code}"
    wanted_cors = origin if expected in ("origin_not_approved", "caller_forbidden") else None
    if cors != wanted_cors:
        return f"CORS header {cors!r} on a refusal"
    if expected == "unauthorized" and not response.headers.get("www-authenticate"):
        return "no WWW-Authenticate"
    return None


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_matrix(live: Live, case: Case) -> None:
    failures = {}
    with httpx.Client(base_url=live.server.url, timeout=10.0) as client:
        for route in live.routes:
            headers = case.headers(live)
            response = call(client, route, headers)
            origin = APP_ORIGIN if case.expect == "served as origin" else None
            if case.expect == "origin_not_approved":
                origin = WAITING_ORIGIN
            wrong = wrong_answer(response, case.expected(live, route), origin)
            if wrong is not None:
                failures[str(route)] = wrong
    assert failures == {}


def test_readme_table_names_real_routes(live: Live) -> None:
    """Each route README keeps from some callers exists, and is kept from them."""
    known = {str(route) for route in live.routes}
    assert set(live.restrictions) <= known
    assert all(allowed < set(KINDS) for allowed in live.restrictions.values())


def test_other_os_user(live: Live) -> None:
    """Every route, as ``nobody``, with each credential a same-user caller could use:
    refused; the same client, run as our user, is served."""
    name, value = live.server.pairing_cookie()
    credentials = [
        {},
        live.server.auth,
        {"Origin": APP_ORIGIN},
        {"Origin": f"http://127.0.0.1:{live.port}"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Cookie": f"{name}={value}"},  # the paired page's
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


PREFLIGHT_ASKS = {
    "Access-Control-Request-Headers": "authorization, content-type",
    "Access-Control-Request-Private-Network": "true",
    "Access-Control-Request-Local-Network": "true",
}


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (APP_ORIGIN, True),
        (WAITING_ORIGIN, True),  # configured: it may learn it is not approved yet
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
