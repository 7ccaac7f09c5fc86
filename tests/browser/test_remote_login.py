"""A remote site logs a practitioner in, end to end, in Chromium.

The site's server (its own loopback port, so its own origin) issues the nonce with
``cardbridge.auth`` in a real redis-server; its page asks the bridge for a token; the
bridge answers ``approval_required``; the page opens the bridge's approval window, where
the clinician (Playwright) reads which site asks and types the PIN; the site's server
verifies the token. The site's page never sees the PIN. The same token replayed, relayed
to another site, or presented after the nonce's 5 minutes: refused, each with its code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, expect

from cardbridge.auth.trust import TrustStore
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from testkit.server import LiveServer, free_socket
from tests.browser.conftest import PIN, demo_bridge, pairing_link, shot
from tests.support.redis_server import redis_server
from tests.support.relying_party import RelyingParty, relying_party

NONCE_LIFETIME_MS = 5 * 60 * 1000


@pytest.fixture
def redis_port(tmp_path: Path) -> Iterator[int]:
    with redis_server(tmp_path) as port:
        yield port


@pytest.fixture
def trust(test_pki: TestPki) -> TrustStore:
    return TrustStore.from_pem(test_pki.trust_anchors_pem(), test_pki.intermediates_pem())


@pytest.fixture
def site_and_bridge(
    key_pool: KeyPool,
    issuer: PkiIssuer,
    data_dir: Path,
    redis_port: int,
    trust: TrustStore,
    tmp_path: Path,
) -> Iterator[tuple[RelyingParty, LiveServer]]:
    """The site, and a bridge over the demo cards on which the site is configured and
    approved."""
    sock = free_socket()
    origin = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with (
        demo_bridge(key_pool, issuer, data_dir, tmp_path, allowed_origins=[origin]) as bridge,
        relying_party(bridge.url, redis_port, trust, sock=sock) as site,
    ):
        yield site, bridge.live


def login_in_the_window(page: Page, nonce: str) -> dict[str, object]:
    """The site's page asks for a token for ``nonce``; the clinician approves in the
    bridge's window; the token the page then holds."""
    page.fill("#nonce", nonce)
    with page.expect_popup() as opened:
        page.click("#sign")  # a click: browsers open windows for what the user asked
    window = opened.value
    window.wait_for_load_state()
    expect(window.locator("#approve-question")).to_contain_text("demande à vous connecter")
    window.fill("#approve-pin", PIN)
    with window.expect_event("close"):  # it closes itself once it has answered
        window.click("#approve-yes")
    page.wait_for_function(f"() => window.lastLogin && window.lastLogin.nonce === {nonce!r}")
    answer: dict[str, object] = page.evaluate("() => window.lastLogin")
    return answer


@pytest.mark.timeout(180)
def test_a_remote_site_logs_the_practitioner_in(
    chromium: Browser,
    site_and_bridge: tuple[RelyingParty, LiveServer],
    redis_port: int,
    trust: TrustStore,
    artifacts: Path,
) -> None:
    site, bridge = site_and_bridge
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    try:
        pairing = context.new_page()  # the clinician paired this browser once
        pairing.goto(pairing_link(bridge))
        expect(pairing.locator("#connection")).to_have_attribute("data-state", "open")
        pairing.close()

        page = context.new_page()
        sent: list[Request] = []
        page.on("request", lambda request: sent.append(request))  # noqa: PLW0108 - a bound builtin is no Playwright handler
        page.goto(f"{site.origin}/")
        with page.expect_popup() as opened:
            page.click("#login")
        window = opened.value
        window.wait_for_load_state()
        expect(window.locator("#approve-question")).to_have_text(
            f"{site.origin} demande à vous connecter en tant que PIERRE LE QUINIO."
        )
        expect(window.locator("#approve-origin")).to_have_text(site.origin)
        shot(window, "approval-window")
        window.fill("#approve-pin", PIN)
        window.click("#approve-yes")
        expect(window.locator("#approve-done")).to_have_text(
            "C'est fait : le site a reçu votre accord. Cette fenêtre va se fermer."
        )
        shot(window, "approval-window-done")
        expect(page.locator("#result")).to_have_text("connecté : PIERRE LE QUINIO")
        window.wait_for_event("close")

        # The site's page never held the PIN: none of its requests carried it, and its
        # document does not contain it (the window is the bridge's origin, out of reach).
        assert sent
        bodies = [json.loads(request.post_data) for request in sent if request.post_data]
        assert bodies  # the nonce asked for, the token asked for, the token verified
        assert not any("pin" in body or PIN in body.values() for body in bodies)
        assert all(PIN not in request.url for request in sent)
        assert PIN not in page.content()

        # Replayed: the nonce was used up by the first verification.
        replay = page.evaluate(
            """async () => (await fetch("/login", {method: "POST",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify(window.lastLogin)})).json()"""
        )
        assert replay == {"valid": False, "code": "nonce_invalid"}

        # Relayed: a token for this site, over a nonce the attacker took from another
        # site's server, does not log in there.
        with (
            relying_party(bridge.url, redis_port, trust) as other,
            httpx.Client(base_url=other.origin) as attacker,
        ):
            their_nonce = attacker.post("/nonce").json()["nonce"]
            relayed = login_in_the_window(page, their_nonce)
            verdict = attacker.post("/login", json=relayed).json()
            assert verdict == {"valid": False, "code": "signature_invalid"}
            assert other.redis.exists(other.nonce_key(their_nonce)) == 0  # used up

        # Too late: the site's nonce lives 5 minutes in Redis; past them, refused.
        with httpx.Client(base_url=site.origin) as server:
            late_nonce = server.post("/nonce").json()["nonce"]
            left = site.redis.pttl(site.nonce_key(late_nonce))
            assert NONCE_LIFETIME_MS - 5_000 < left <= NONCE_LIFETIME_MS
            late = login_in_the_window(page, late_nonce)
            site.redis.pexpire(site.nonce_key(late_nonce), 1)  # the 5 minutes are over
            page.wait_for_timeout(20)
            assert site.redis.exists(site.nonce_key(late_nonce)) == 0
            assert server.post("/login", json=late).json() == {
                "valid": False,
                "code": "nonce_invalid",
            }
    finally:
        context.close()
