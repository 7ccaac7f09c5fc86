"""The status page's accessibility that a test can measure: every control has a label,
text contrast meets WCAG AA (4.5:1) in every state the page shows, sections and live
regions are in place."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import PIN, shot, unlock, wrong_pin

# The offline DMP answers over mutual TLS signed by the emulated card.
DMP_WAIT = 20_000

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
    page.check("#mode-emergency")
    page.click("#access-form button[type=submit]")
    expect(page.locator("#access-reason-error")).not_to_be_empty()
    page.click("#journal-verify")
    expect(page.locator("#journal-integrity")).to_be_visible()
    check_contrast(page)

    page.select_option("#language", "en")
    page.locator("#journal-verify").focus()
    check_contrast(page)


def test_the_dmp_tool_in_every_state(dmp_page: Page) -> None:
    """Labels and contrast of the DMP tool: status, access, documents with their actions,
    viewer, delete confirmation, a DMP refusal, the deposit's answer, the candidates."""
    page = dmp_page
    unlock(page)
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#dmp-status-facts")).to_be_visible(timeout=DMP_WAIT)
    page.click("#access-form button[type=submit]")
    expect(page.locator("#documents-body tr")).to_have_count(4, timeout=DMP_WAIT)
    page.get_by_role("button", name="Voir « Compte rendu de consultation »").click()
    expect(page.locator("#viewer-content pre")).to_be_visible(timeout=DMP_WAIT)
    page.check("#deposit-source-text")
    page.fill("#deposit-text", "Texte")
    page.select_option("#deposit-type", "11488-4")
    page.fill("#deposit-title", "Note")
    page.click("#deposit-form button[type=submit]")
    expect(page.locator("#deposit-done")).to_be_visible(timeout=DMP_WAIT)
    page.locator("#vihf-result summary").click()
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    check_contrast(page)
    expect(page.locator("#dmp-status")).to_have_attribute("aria-labelledby", "dmp-status-title")
    expect(page.locator("#documents")).to_have_attribute("aria-labelledby", "documents-title")

    page.get_by_role("button", name="Supprimer « Note »").click()
    expect(page.locator("#delete-dialog")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_accessible_name("Supprimer le document ?")
    check_contrast(page)
    page.keyboard.press("Escape")

    page.select_option("#patient-beneficiary", "1")
    page.click("#patient-form button[type=submit]")
    page.check("#access-consent")
    page.click("#access-form button[type=submit]")
    expect(page.locator("#documents-body tr")).to_have_count(1, timeout=DMP_WAIT)
    page.get_by_role("button", name="Archiver « Compte rendu de passage aux urgences »").click()
    expect(page.locator("#documents-error")).to_be_visible(timeout=DMP_WAIT)
    check_contrast(page)

    page.check("#source-criteria")
    page.fill("#criteria-last-name", "LE QUINIO")
    page.fill("#criteria-first-name", "PIERRE")
    page.select_option("#criteria-sex", "M")
    page.fill("#criteria-reason", "Appel au centre 15")
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#candidates-body tr")).to_have_count(1, timeout=DMP_WAIT)
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    check_contrast(page)
    page.select_option("#language", "en")
    check_contrast(page)
    shot(page, "dmp-accessibility")
