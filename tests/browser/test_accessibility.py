"""The status page's accessibility that a test can measure: every control has a label,
text contrast meets WCAG AA (4.5:1) in every state the page shows, sections and live
regions are in place."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import PIN, shot, unlock, wrong_pin

# In-page checks, each a JavaScript function that returns the failures it finds.
CHECKS = Path(__file__).parent / "checks"
CONTRAST_FAILURES = CHECKS.joinpath("contrast_failures.js").read_text(encoding="utf-8")
UNLABELLED_CONTROLS = CHECKS.joinpath("unlabelled_controls.js").read_text(encoding="utf-8")


def check_contrast(page: Page) -> None:
    assert page.evaluate(CONTRAST_FAILURES) == []


def test_controls_are_labelled(page: Page) -> None:
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    for section in ("readers", "cps", "vitale", "auth", "dmp", "journal", "origins"):
        expect(page.locator(f"main section#{section}")).to_have_attribute(
            "aria-labelledby", f"{section}-title"
        )
    expect(page.locator("#readers-live")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#connection")).to_have_attribute("role", "status")
    expect(page.locator("h1")).to_have_count(1)


def test_narrow_screen(page: Page) -> None:
    """On a phone-sized window nothing scrolls sideways."""
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#cps-identity")).to_contain_text("PIERRE LE QUINIO")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "narrow")


def test_contrast_in_every_state(page: Page) -> None:
    check_contrast(page)
    wrong_pin(page, 2)
    wrong_pin(page, 1)
    expect(page.locator("#pin-last-try")).to_be_visible()
    check_contrast(page)

    unlock(page)
    page.fill("#auth-pin", PIN)
    page.click("#auth-run")
    expect(page.locator("#auth-success")).to_be_visible()
    page.click("#patient-form button[type=submit]")
    page.click("#access-form button[type=submit]")
    expect(page.locator("#access-consent-error")).not_to_be_empty()
    page.check("#mode-emergency")
    page.click("#access-form button[type=submit]")
    expect(page.locator("#access-reason-error")).not_to_be_empty()
    page.fill("#access-reason", "Patient inconscient aux urgences")
    page.click("#access-form button[type=submit]")
    expect(page.locator("#vihf-result")).to_be_visible()
    page.locator("#vihf-result summary").click()
    page.click("#journal-verify")
    expect(page.locator("#journal-integrity")).to_be_visible()
    check_contrast(page)

    page.select_option("#language", "en")
    page.locator("#journal-verify").focus()
    check_contrast(page)
