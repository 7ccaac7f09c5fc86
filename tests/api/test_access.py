"""What each caller may do with its access, on the real server: a web application's login
goes through the approval window and is for its own origin, a page never sends the PIN,
the status page needs its pairing, a wrong API token spends no PIN try, body caps. Who
gets in at all, route by route: ``test_security_matrix``; PIN sessions: ``test_pin_sessions``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from testkit.server import LiveServer
from tests.api.conftest import APP_ORIGIN, PIN

EVIL = "https://evil.example"
NONCE = "q5SY8vYzWmxmJXc8zbDjd1cYqXdUFEjHHjHkLnC9YHE="


def test_wrong_token_spends_no_try(live: LiveServer, api: httpx.Client) -> None:
    with live.client(token=False, headers={"Authorization": "Bearer nope"}) as client:
        for _ in range(5):
            assert client.post("/v1/cps/pin/verify", json={"pin": "0000"}).status_code == 401
    assert api.get("/v1/cps/pin").json()["tries_left"] == 3


def _approve_in_window(live: LiveServer, approval: dict[str, object], pin: str = PIN) -> None:
    """What the clinician does in the approval window: the paired page answers."""
    with live.page_client() as window:
        shown = window.get(f"/v1/approvals/{approval['approval_id']}").json()
        assert shown["origin"] == APP_ORIGIN
        assert shown["practitioner"] == "PIERRE LE QUINIO"
        answer = window.post(
            f"/v1/approvals/{approval['approval_id']}", json={"approve": True, "pin": pin}
        )
        assert answer.status_code == 200, answer.text


def test_browser_login_goes_through_the_approval_window(
    live: LiveServer, browser: httpx.Client, api: httpx.Client
) -> None:
    challenge = browser.post("/v1/auth/challenge").json()
    asked = browser.post("/v1/auth/token", json={"nonce": challenge["nonce"]})
    assert asked.status_code == 403
    approval = asked.json()
    assert approval["code"] == "approval_required"
    assert approval["approval_url"] == f"{live.url}/approve?request={approval['approval_id']}"
    assert asked.headers["access-control-allow-origin"] == APP_ORIGIN
    pending = browser.get(f"/v1/approvals/{approval['approval_id']}").json()
    assert pending["status"] == "pending"
    assert pending["token"] is None
    assert pending["practitioner"] is None  # the window's business, not the site's

    _approve_in_window(live, approval)
    outcome = browser.get(f"/v1/approvals/{approval['approval_id']}").json()
    assert outcome["status"] == "approved"
    check = api.post(
        "/v1/auth/verify",
        json={"token": outcome["token"], "nonce": challenge["nonce"], "origin": APP_ORIGIN},
    ).json()
    assert check["valid"] is True
    # Another site does not see the request, let alone the token.
    assert api.get(f"/v1/approvals/{approval['approval_id']}").status_code == 404


def test_a_page_never_sends_the_pin(browser: httpx.Client, api: httpx.Client) -> None:
    nonce = browser.post("/v1/auth/challenge").json()["nonce"]
    refused = browser.post("/v1/auth/token", json={"nonce": nonce, "pin": PIN})
    assert refused.status_code == 422
    assert refused.json()["field"] == "pin"
    assert api.get("/v1/cps/pin").json()["tries_left"] == 3
    for path, body in (
        ("/v1/cps/pin/verify", {"pin": PIN}),
        ("/v1/cps/pin/change", {"old_pin": PIN, "new_pin": "4321"}),
        ("/v1/cps/pin/unblock", {"puk": "12345678", "new_pin": "4321"}),
    ):
        forbidden = browser.post(path, json=body)
        assert forbidden.status_code == 403
        assert forbidden.json()["code"] == "caller_forbidden"


def test_browser_cannot_name_another_origin(
    live: LiveServer, browser: httpx.Client, api: httpx.Client
) -> None:
    refused = browser.post("/v1/auth/challenge", json={"origin": EVIL})
    assert refused.status_code == 403
    assert refused.json()["code"] == "origin_forbidden"
    refused = browser.post("/v1/auth/token", json={"nonce": NONCE, "origin": EVIL})
    assert refused.json()["code"] == "origin_forbidden"
    # What the window approves is signed for the site that asked, whatever nonce it gave.
    foreign = api.post("/v1/auth/challenge", json={"origin": EVIL}).json()["nonce"]
    approval = browser.post("/v1/auth/token", json={"nonce": foreign}).json()
    _approve_in_window(live, approval)
    token = browser.get(f"/v1/approvals/{approval['approval_id']}").json()["token"]
    check = api.post(
        "/v1/auth/verify", json={"token": token, "nonce": foreign, "origin": EVIL}
    ).json()
    assert check["valid"] is False
    assert check["code"] == "signature_invalid"


def test_status_page_needs_its_pairing(live: LiveServer) -> None:
    # A header any program can write proves nothing.
    for forged in (
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": live.own_origin},
        {"Origin": live.own_origin, "Sec-Fetch-Site": "same-origin"},
    ):
        with live.client(token=False, headers=forged) as client:
            refused = client.get("/v1/readers")
            assert refused.status_code == 401
            assert refused.json()["code"] == "pairing_required"
            assert "cardbridge open" in refused.json()["detail"]
    with live.page_client() as page:
        assert page.get("/v1/readers").status_code == 200
        assert page.get("/v1/session").json() == {
            "caller": "page",
            "origin": live.own_origin,
            "pin_session": False,
        }
        challenge = page.post("/v1/auth/challenge").json()
        token = page.post("/v1/auth/token", json={"nonce": challenge["nonce"], "pin": PIN})
        assert token.status_code == 200
        with live.client() as native:
            check = native.post(
                "/v1/auth/verify",
                json={"token": token.json(), "nonce": challenge["nonce"], "origin": live.url},
            )
        assert check.json()["valid"] is True
    name, value = live.pairing_cookie()
    # The cookie is not taken from a page of another site, nor of another port.
    for site in ("cross-site", "same-site"):
        headers = {"Cookie": f"{name}={value}", "Sec-Fetch-Site": site}
        with live.client(token=False, headers=headers) as client:
            assert client.get("/v1/readers").status_code == 401
    with live.client(token=False, headers={"Cookie": f"{name}={value}x"}) as client:
        assert client.get("/v1/readers").status_code == 401


def test_pairing_link_is_used_once(live: LiveServer) -> None:
    with live.client() as native:
        link = native.post("/v1/pairing").json()
    assert link["url"].startswith(f"{live.url}/pair?code=")
    with httpx.Client(timeout=10.0) as browser:
        first = browser.get(link["url"])
        assert first.status_code == 303
        assert first.headers["location"] == "/"
        cookie = first.headers["set-cookie"]
        assert f"cardbridge_page_{live.port}=" in cookie
        for attribute in ("HttpOnly", "SameSite=strict", "Path=/"):
            assert attribute.lower() in cookie.lower()
        again = browser.get(link["url"])
        assert again.status_code == 303
        assert again.headers["location"] == "/?pairing=failed"
        assert "set-cookie" not in again.headers
    with live.page_client() as page:
        refused = page.post("/v1/pairing")
        assert refused.status_code == 403
        assert page.delete("/v1/pairing").status_code == 204
        assert page.get("/v1/readers").json()["code"] == "pairing_required"


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


def test_a_web_application_reads_the_documented_answer_headers(
    live: LiveServer, browser: httpx.Client, api: httpx.Client
) -> None:
    # The Fetch standard lets a page of another origin read only the CORS-safelisted answer
    # headers and those of Access-Control-Expose-Headers: the bridge names the ones its API
    # documents (a DMP document's name and CDA wrapping, a wait), on answers and refusals.
    documented = {"content-disposition", "x-dmp-wrapped-in-cda", "retry-after"}

    def exposed(answer: httpx.Response) -> set[str]:
        listed = answer.headers.get("access-control-expose-headers", "")
        return {name.strip().lower() for name in listed.split(",") if name.strip()}

    answered = browser.get("/v1/readers")
    assert answered.status_code == 200
    assert answered.headers["access-control-allow-origin"] == APP_ORIGIN
    assert exposed(answered) == documented
    refused = browser.post("/v1/cps/pin/verify", json={"pin": PIN})
    assert refused.json()["code"] == "caller_forbidden"
    assert exposed(refused) == documented
    # No CORS header at all for native software, nor for an origin no longer approved.
    assert exposed(api.get("/v1/readers")) == set()
    live.bridge.origins.revoke(APP_ORIGIN)
    not_approved = browser.get("/v1/readers")
    assert not_approved.json()["code"] == "origin_not_approved"
    assert not_approved.headers["access-control-allow-origin"] == APP_ORIGIN
    assert exposed(not_approved) == set()
