"""What an allowed caller may do with its access, on the real server: a browser's token
is for its own origin, a wrong API token spends no PIN try, the status page's same-origin
calls, body caps. Who gets in at all, route by route: ``test_security_matrix``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from tests.api.conftest import APP_ORIGIN, PIN
from tests.support.server import LiveServer

EVIL = "https://evil.example"


def test_wrong_token_spends_no_try(live: LiveServer, api: httpx.Client) -> None:
    with live.client(token=False, headers={"Authorization": "Bearer nope"}) as client:
        for _ in range(5):
            assert client.post("/v1/cps/pin/verify", json={"pin": "0000"}).status_code == 401
    assert api.get("/v1/cps/pin").json()["tries_left"] == 3


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
