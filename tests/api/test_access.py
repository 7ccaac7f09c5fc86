"""Who may use the API, on the real server: browsers by Origin, native clients by token,
nobody through another Host (DNS rebinding); and what a browser's token is for."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.api.conftest import APP_ORIGIN, PIN
from tests.support.server import TOKEN, LiveServer

EVIL = "https://evil.example"


def raw_request(live: LiveServer, request: bytes) -> bytes:
    """Send bytes as they are (httpx would fix the Host header), return the answer."""
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    "host", [b"evil.example", b"evil.example:PORT", b"127.0.0.1:1", b"0.0.0.0:PORT", b"127.0.0.1"]
)
def test_dns_rebinding_refused(live: LiveServer, host: bytes) -> None:
    host = host.replace(b"PORT", str(live.port).encode())
    answer = raw_request(
        live,
        b"GET /v1/cps HTTP/1.1\r\nHost: "
        + host
        + b"\r\nAuthorization: Bearer "
        + live.token.encode()
        + b"\r\nConnection: close\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 403")
    assert b'"code":"host_forbidden"' in answer.replace(b" ", b"")


def test_no_host_refused(live: LiveServer) -> None:
    answer = raw_request(live, b"GET /v1/health HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 403")


@pytest.mark.parametrize("host", ["localhost", "[::1]"])
def test_loopback_host_names(live: LiveServer, host: str) -> None:
    with live.client() as client:
        response = client.get("/v1/readers", headers={"Host": f"{host}:{live.port}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer wrong", "Basic dGVzdA==", f"bearer x{TOKEN}"]
)
def test_token_missing_or_wrong(live: LiveServer, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    with live.client(token=False, headers=headers) as client:
        for path in ("/v1/readers", "/v1/cps", "/v1/vitale", "/v1/events"):
            response = client.get(path)
            assert response.status_code == 401, path
            assert response.json()["code"] == "unauthorized"
            assert response.headers["www-authenticate"].startswith("Bearer")
        refused = client.post("/v1/cps/pin/verify", json={"pin": PIN})
        assert refused.status_code == 401
        assert refused.json()["code"] == "unauthorized"
        assert client.get("/v1/health").status_code == 200


def test_wrong_token_spends_no_try(live: LiveServer, api: httpx.Client) -> None:
    with live.client(token=False, headers={"Authorization": "Bearer nope"}) as client:
        for _ in range(5):
            assert client.post("/v1/cps/pin/verify", json={"pin": "0000"}).status_code == 401
    assert api.get("/v1/cps/pin").json()["tries_left"] == 3


@pytest.mark.parametrize(
    "origin",
    [EVIL, "null", "https://dmp.example.evil", "http://dmp.example", "https://dmp.example/"],
)
def test_other_origins_refused(live: LiveServer, origin: str) -> None:
    with live.client(headers={"Origin": origin}) as client:  # even with the token
        response = client.get("/v1/cps")
        assert response.status_code == 403
        assert response.json()["code"] == "origin_forbidden"
        assert "access-control-allow-origin" not in response.headers
        preflight = client.options(
            "/v1/auth/token",
            headers={
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Private-Network": "true",
            },
        )
        assert preflight.status_code == 403
        assert "access-control-allow-private-network" not in preflight.headers


def test_allowed_origin_cors_and_preflight(browser: httpx.Client) -> None:
    response = browser.get("/v1/cps")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    assert response.headers["vary"] == "Origin"
    refused = browser.get("/v1/cps", params={"reader": "nope"})
    assert refused.headers["access-control-allow-origin"] == APP_ORIGIN  # errors readable too
    preflight = browser.options(
        "/v1/auth/token",
        headers={
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
            "Access-Control-Request-Private-Network": "true",
            "Access-Control-Request-Local-Network": "true",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == APP_ORIGIN
    assert preflight.headers["access-control-allow-private-network"] == "true"
    assert preflight.headers["access-control-allow-local-network"] == "true"
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_browser_token_is_for_its_own_origin(browser: httpx.Client, api: httpx.Client) -> None:
    challenge = browser.post("/v1/auth/challenge").json()
    token = browser.post("/v1/auth/token", json={"nonce": challenge["nonce"], "pin": PIN})
    assert token.status_code == 200, token.text
    check = api.post(
        "/v1/auth/verify",
        json={"token": token.json(), "nonce": challenge["nonce"], "origin": APP_ORIGIN},
    ).json()
    assert check["valid"] is True


def test_browser_cannot_name_another_origin(browser: httpx.Client, api: httpx.Client) -> None:
    refused = browser.post("/v1/auth/challenge", json={"origin": EVIL})
    assert refused.status_code == 403
    assert refused.json()["code"] == "origin_forbidden"
    # A nonce issued to another site (here through a native client) is no use to the page.
    foreign = api.post("/v1/auth/challenge", json={"origin": EVIL}).json()["nonce"]
    refused = browser.post("/v1/auth/token", json={"nonce": foreign, "origin": EVIL, "pin": PIN})
    assert refused.json()["code"] == "origin_forbidden"
    refused = browser.post("/v1/auth/token", json={"nonce": foreign, "pin": PIN})
    assert refused.status_code == 401
    assert refused.json()["code"] == "origin_mismatch"


def test_same_origin_status_page(live: LiveServer) -> None:
    with live.client(token=False, headers={"Sec-Fetch-Site": "same-origin"}) as client:
        assert client.get("/v1/readers").status_code == 200
        own = f"http://127.0.0.1:{live.port}"
        challenge = client.post("/v1/auth/challenge").json()
        token = client.post("/v1/auth/token", json={"nonce": challenge["nonce"], "pin": PIN})
        assert token.status_code == 200
        with live.client() as native:
            check = native.post(
                "/v1/auth/verify",
                json={"token": token.json(), "nonce": challenge["nonce"], "origin": own},
            )
        assert check.json()["valid"] is True
    with live.client(token=False, headers={"Sec-Fetch-Site": "cross-site"}) as client:
        assert client.get("/v1/readers").status_code == 401


def test_body_caps(api: httpx.Client) -> None:
    big = api.post(
        "/v1/cps/pin/verify",
        content=b'{"pin": "' + b"1" * 70_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert big.status_code == 413
    assert big.json()["code"] == "payload_too_large"
    assert api.get("/v1/cps/pin").json()["tries_left"] == 3


def chunked(size: int, prefix: bytes = b"", chunk: int = 8192) -> Iterator[bytes]:
    """A body of ``size`` bytes sent without Content-Length (Transfer-Encoding: chunked)."""
    yield prefix
    sent = len(prefix)
    while sent < size:
        piece = min(chunk, size - sent)
        yield b"1" * piece
        sent += piece


def test_body_cap_of_a_chunked_json_body(api: httpx.Client) -> None:
    big = api.post(
        "/v1/cps/pin/verify",
        content=chunked(70_000, b'{"pin": "'),
        headers={"Content-Type": "application/json"},
    )
    assert "content-length" not in big.request.headers
    assert big.request.headers["transfer-encoding"] == "chunked"
    assert big.status_code == 413
    assert big.json()["code"] == "payload_too_large"
    assert big.json()["detail"] == "The request body is larger than 64 KiB."
    assert api.get("/v1/cps/pin").json()["tries_left"] == 3  # nothing reached the card
    small = api.post(
        "/v1/cps/pin/verify",
        content=iter([b'{"pin"', b': "1234"}']),
        headers={"Content-Type": "application/json"},
    )
    assert small.json() == {"verified": True}
