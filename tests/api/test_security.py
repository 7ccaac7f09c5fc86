"""Local API security middleware: Host, the three callers and their credentials,
Origin/CORS/PNA, body caps."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from cardbridge.api import problems
from cardbridge.api.security import SecurityMiddleware, SecurityPolicy
from cardbridge.config import Settings
from cardbridge.config_sources import api_token_path
from cardbridge.service.origins import OriginApprovals
from cardbridge.service.pairing import Pairings
from testkit.server import app_from_settings

TOKEN = "s3cret-token"
APP_ORIGIN = "https://dmp.example"
UNAPPROVED = "https://other.example"
OWN = "http://127.0.0.1:8470"
COOKIE = "cardbridge_page_8470"


def make_app(state: Path) -> tuple[FastAPI, Pairings]:
    app = FastAPI()
    problems.install(app)

    @app.get("/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/readers")
    def readers(request: Request) -> dict[str, object]:
        caller = request.state.caller
        return {"origin": request.state.origin, "caller": caller.id if caller else None}

    @app.post("/v1/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    origins = OriginApprovals(["https://DMP.example:443", UNAPPROVED], state)
    origins.approve(APP_ORIGIN)
    pairings = Pairings(state)
    policy = SecurityPolicy(port=8470, api_token=TOKEN, pairings=pairings, origins=origins)
    app.add_middleware(SecurityMiddleware, policy=policy)
    return app, pairings


@pytest.fixture
def app(tmp_path: Path) -> tuple[FastAPI, Pairings]:
    return make_app(tmp_path)


@pytest.fixture
def client(app: tuple[FastAPI, Pairings]) -> Iterator[TestClient]:
    with TestClient(app[0], base_url=OWN) as test_client:
        yield test_client


@pytest.fixture
def paired(app: tuple[FastAPI, Pairings]) -> dict[str, str]:
    """The cookie of a paired status page."""
    link = app[1].issue_link()
    session = app[1].redeem(link.code)
    assert session is not None
    return {"Cookie": f"{COOKIE}={session.cookie}"}


AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8470", "localhost:8470", "LOCALHOST:8470", "[::1]:8470"]
)
def test_loopback_hosts_accepted(client: TestClient, host: str) -> None:
    assert client.get("/v1/readers", headers={**AUTH, "Host": host}).status_code == 200


@pytest.mark.parametrize(
    "host", ["evil.example:8470", "127.0.0.1:8471", "127.0.0.1", "localhost", "", "0.0.0.0:8470"]
)
def test_other_hosts_refused(client: TestClient, host: str) -> None:
    response = client.get("/v1/health", headers={"Host": host})
    assert response.status_code == 403
    assert response.json()["code"] == "host_forbidden"
    assert response.headers["content-type"] == "application/problem+json"


def test_token_required_without_origin(client: TestClient) -> None:
    missing = client.get("/v1/readers")
    assert missing.status_code == 401
    assert missing.json()["code"] == "unauthorized"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.get("/v1/readers", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = client.get("/v1/readers", headers=AUTH)
    assert ok.json() == {"origin": None, "caller": "native"}


def test_health_is_open(client: TestClient) -> None:
    assert client.get("/v1/health").status_code == 200


def test_approved_origin_gets_cors_without_token(client: TestClient) -> None:
    response = client.get("/v1/readers", headers={"Origin": APP_ORIGIN})
    assert response.status_code == 200
    assert response.json() == {"origin": APP_ORIGIN, "caller": f"origin:{APP_ORIGIN}"}
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "*" not in response.headers["access-control-allow-origin"]


def test_configured_origin_waits_for_the_clinicians_approval(client: TestClient) -> None:
    refused = client.get("/v1/readers", headers={**AUTH, "Origin": UNAPPROVED})
    assert refused.status_code == 403
    assert refused.json()["code"] == "origin_not_approved"
    # The page may read why, and tell its user.
    assert refused.headers["access-control-allow-origin"] == UNAPPROVED


@pytest.mark.parametrize(
    "forged",
    [
        {"Origin": OWN},
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": OWN, "Sec-Fetch-Site": "same-origin"},
        {"Cookie": f"{COOKIE}=0123456789abcdef.guessed"},
        {"Cookie": f"{COOKIE}=garbage; other=1"},
    ],
)
def test_no_header_stands_in_for_the_pairing(client: TestClient, forged: dict[str, str]) -> None:
    refused = client.get("/v1/readers", headers=forged)
    assert refused.status_code == 401
    assert refused.json()["code"] in {"pairing_required", "unauthorized"}


def test_paired_page(client: TestClient, paired: dict[str, str]) -> None:
    for headers in ({}, {"Origin": OWN}, {"Sec-Fetch-Site": "same-origin"}):
        answer = client.get("/v1/readers", headers={**paired, **headers})
        assert answer.status_code == 200
        assert answer.json()["caller"].startswith("page:")
        assert answer.json()["origin"] == OWN
    # Not from a page of another site, nor of another port of this host.
    for site in ("cross-site", "same-site"):
        refused = client.get("/v1/readers", headers={**paired, "Sec-Fetch-Site": site})
        assert refused.status_code == 401
    # With another site's Origin, the cookie counts for nothing: that site is the caller.
    other = client.get("/v1/readers", headers={**paired, "Origin": APP_ORIGIN})
    assert other.json()["caller"] == f"origin:{APP_ORIGIN}"


def test_two_origin_headers_refused(client: TestClient, paired: dict[str, str]) -> None:
    for pair in ((OWN, "https://evil.example"), (APP_ORIGIN, APP_ORIGIN)):
        headers = [(name, value) for name, value in {**AUTH, **paired}.items()]
        headers += [("Origin", origin) for origin in pair]
        refused = client.get("/v1/readers", headers=headers)
        assert refused.status_code == 403
        assert refused.json()["code"] == "origin_forbidden"


@pytest.mark.parametrize(
    "origin",
    [
        "https://dmp.example.evil",
        "https://evil.example",
        "http://dmp.example",
        "https://dmp.example:8443",
        "null",
        "https://dmp.example/",
        "http://127.0.0.1:9999",
    ],
)
def test_other_origins_refused_even_with_token(client: TestClient, origin: str) -> None:
    response = client.get("/v1/readers", headers={**AUTH, "Origin": origin})
    assert response.status_code == 403
    assert response.json()["code"] == "origin_forbidden"
    assert "access-control-allow-origin" not in response.headers


def test_preflight_for_allowed_origin_with_private_network(client: TestClient) -> None:
    response = client.options(
        "/v1/readers",
        headers={
            "Origin": APP_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert response.headers["access-control-allow-private-network"] == "true"
    assert "POST" in response.headers["access-control-allow-methods"]


def test_preflight_for_other_origin_refused(client: TestClient) -> None:
    response = client.options(
        "/v1/readers",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert response.status_code == 403
    assert "access-control-allow-private-network" not in response.headers


def test_body_cap_by_content_length(client: TestClient) -> None:
    response = client.post("/v1/echo", headers=AUTH, content=b"x" * (64 * 1024 + 1))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert client.post("/v1/echo", headers=AUTH, content=b"x" * 1000).json() == {"size": 1000}


def test_body_cap_when_streamed(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 1024

    response = client.post("/v1/echo", headers=AUTH, content=chunks())
    assert response.status_code == 413


def test_the_pairing_cookie_among_other_programs_cookies(
    client: TestClient, paired: dict[str, str]
) -> None:
    """Cookies are shared by every port of 127.0.0.1: other programs' cookies, even
    malformed for Python's cookie parser, do not hide the pairing cookie."""
    others = 'session="a b"; prefs={"x":1,"y":[2,3]}; broken; =nameless'
    answer = client.get("/v1/readers", headers={"Cookie": f"{others}; {paired['Cookie']}; z=1"})
    assert answer.json()["caller"].startswith("page:")


def test_the_refused_native_client_is_told_where_the_token_really_is(tmp_path: Path) -> None:
    # The session's XDG_CONFIG_HOME is a temporary directory (tests/conftest.py): the
    # message must name the file there, not a fixed ~/.config path.
    application = app_from_settings(Settings(data_dir=tmp_path, emulator=True), api_token="t" * 32)
    with TestClient(application, base_url="http://127.0.0.1:8470") as client:
        refused = client.get("/v1/readers")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer realm="cardbridge"'
    assert str(api_token_path()) in refused.json()["detail"]
    assert os.environ["XDG_CONFIG_HOME"] in refused.json()["detail"]
