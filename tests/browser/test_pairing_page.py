"""Pairing and approvals on the status page, in Chromium: an unpaired page says how to
pair and shows nothing else; a used link says so; the paired page approves and revokes
the configured web applications, and unpairs itself; the wait after a wrong PIN."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from tests.browser.conftest import WRONG_PIN, Bridge, demo_bridge, pairing_link, shot, wrong_pin

SITE = "https://dmp.example.fr"


@pytest.fixture
def fresh_page(chromium: Browser, artifacts: Path) -> Iterator[Page]:
    """A page of a browser context that was never paired (screenshots in ``artifacts``)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def test_an_unpaired_page_says_how_to_pair(fresh_page: Page, bridge: Bridge) -> None:
    fresh_page.goto(f"{bridge.url}/")
    expect(fresh_page.locator("#pairing")).to_be_visible()
    expect(fresh_page.locator("#pairing-title")).to_be_focused()
    expect(fresh_page.locator("#pairing")).to_contain_text("cardbridge open")
    expect(fresh_page.locator("#paired-content")).to_be_hidden()
    expect(fresh_page.locator("#connection")).to_have_text("Page non appairée.")
    expect(fresh_page.locator("#pairing-failed")).to_be_hidden()
    shot(fresh_page, "unpaired")
    # Following a link pairs the page; following it again fails and says so.
    link = pairing_link(bridge.live)
    fresh_page.goto(link)
    expect(fresh_page.locator("#connection")).to_have_attribute("data-state", "open")
    expect(fresh_page.locator("#pairing")).to_be_hidden()
    fresh_page.context.clear_cookies()
    fresh_page.goto(link)
    expect(fresh_page.locator("#pairing-failed")).to_have_text(
        "Ce lien d'appairage a déjà servi ou a expiré : demandez-en un nouveau."
    )


@pytest.fixture
def configured(
    key_pool: KeyPool, issuer: PkiIssuer, data_dir: Path, tmp_path: Path
) -> Iterator[Bridge]:
    """A bridge with one web application configured, not approved yet."""
    with demo_bridge(
        key_pool, issuer, data_dir, tmp_path, allowed_origins=[SITE], approve=False
    ) as served:
        yield served


def test_the_clinician_approves_and_revokes_a_site(fresh_page: Page, configured: Bridge) -> None:
    origins = configured.live.bridge.origins
    with configured.live.client(token=False, headers={"Origin": SITE}) as site:
        assert site.get("/v1/readers").json()["code"] == "origin_not_approved"
        fresh_page.goto(pairing_link(configured.live))
        item = fresh_page.locator("#origins-list li")
        expect(item).to_have_count(1)
        expect(item).to_contain_text(f"{SITE} non autorisée")
        fresh_page.get_by_role("button", name=f"Autoriser {SITE}").click()
        expect(item).to_contain_text(f"{SITE} autorisée")
        shot(fresh_page, "origins-approved")
        assert origins.status(SITE).value == "approved"
        assert site.get("/v1/readers").status_code == 200
        fresh_page.get_by_role("button", name=f"Retirer l'autorisation {SITE}").click()
        expect(item).to_contain_text(f"{SITE} non autorisée")
        assert site.get("/v1/readers").json()["code"] == "origin_not_approved"


def test_unpairing_the_page(page: Page, bridge: Bridge) -> None:
    page.click("#unpair")
    expect(page.locator("#pairing")).to_be_visible()
    expect(page.locator("#paired-content")).to_be_hidden()
    page.reload()
    expect(page.locator("#pairing")).to_be_visible()


def test_the_wait_after_a_wrong_pin(page: Page, bridge: Bridge) -> None:
    bridge.live.bridge.cards.backoff.first_delay = 1.0
    wrong_pin(page, 2)
    page.fill("#pin", WRONG_PIN)
    page.press("#pin", "Enter")
    expect(page.locator("#pin-error")).to_have_text(
        "Un code faux vient d'être saisi sur cette carte : patientez 1 s avant de réessayer."
    )
    expect(page.locator("#pin-tries")).to_have_text("Essais restants : 2 sur 3.")
