"""Local API security middleware: Host, Origin/CORS/PNA, token, body caps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from cardbridge.api import problems
from cardbridge.api.security import SecurityMiddleware, SecurityPolicy

TOKEN = "s3cret-token"
APP_ORIGIN = "https://dmp.example"


def make_app() -> FastAPI:
    app = FastAPI()
    problems.install(app)

    @app.get("/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/readers")
    def readers(request: Request) -> dict[str, object]:
        return {"origin": request.state.origin, "token": request.state.token_authenticated}

    @app.post("/v1/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    policy = SecurityPolicy.build(
        port=8470, api_token=TOKEN, allowed_origins=["https://DMP.example:443"]
    )
    app.add_middleware(SecurityMiddleware, policy=policy)
    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(make_app(), base_url="http://127.0.0.1:8470") as test_client:
        yield test_client


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
    assert ok.json() == {"origin": None, "token": True}


def test_health_is_open(client: TestClient) -> None:
    assert client.get("/v1/health").status_code == 200


def test_allowed_origin_gets_cors_without_token(client: TestClient) -> None:
    response = client.get("/v1/readers", headers={"Origin": APP_ORIGIN})
    assert response.status_code == 200
    assert response.json() == {"origin": APP_ORIGIN, "token": False}
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "*" not in response.headers["access-control-allow-origin"]


def test_own_origin_allowed(client: TestClient) -> None:
    response = client.get("/v1/readers", headers={"Origin": "http://127.0.0.1:8470"})
    assert response.json()["origin"] == "http://127.0.0.1:8470"


def test_same_origin_fetch_of_the_status_page(client: TestClient) -> None:
    response = client.get("/v1/readers", headers={"Sec-Fetch-Site": "same-origin"})
    assert response.json() == {"origin": "http://127.0.0.1:8470", "token": False}


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
