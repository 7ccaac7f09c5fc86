"""Steps and facts shared by the status page's DMP tests (tests/browser/test_dmp_*.py):
the seed's values (cardbridge/sandbox/seeds/default.yaml), what the offline DMP itself
shows on its patient pages, and the page's steps as a clinician takes them."""

from __future__ import annotations

import httpx
from lxml import html
from playwright.sync_api import Locator, Page, expect

from testkit.dmp_sandbox import RunningSandbox
from tests.browser.conftest import unlock

# The DMP answers over mutual TLS signed by the emulated card: allow for the handshake.
DMP_WAIT = 20_000
REASON = "Patient inconscient, appel au centre 15"
FREE_TEXT = "Patient revu ce jour.\nTension 12/8, traitement inchangé.\n"
# The seed's documents of Pierre, newest first, and the text of his consultation report.
PIERRE_DOCUMENTS = [
    "Plan de soins infirmiers",
    "Compte rendu de biologie",
    "Compte rendu de consultation",
    "Synthèse d'hospitalisation",
]
CONSULTATION_TEXT = "Consultation de suivi. Tension 13/8. Pas de changement de traitement."
LOUISE_DOCUMENT = "Compte rendu de passage aux urgences"
# Chromium's built-in PDF viewer extension.
PDF_VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"


def identify_beneficiary(page: Page, index: int) -> None:
    page.check("#source-vitale")
    page.select_option("#patient-beneficiary", str(index))
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#patient-result")).to_be_focused()


def open_access(page: Page) -> None:
    page.click("#access-form button[type=submit]")


def document_rows(page: Page) -> Locator:
    return page.locator("#documents-body tr")


def titles(page: Page) -> list[str]:
    """The titles of the documents listed (a comment may follow a title, below it)."""
    cells = page.locator("#documents-body tr th").all_inner_texts()
    return [text.split("\n")[0].strip() for text in cells]


def row_of(page: Page, title: str) -> Locator:
    return document_rows(page).filter(has=page.get_by_text(title, exact=True))


def sandbox_page(dmp: RunningSandbox, ins: str) -> html.HtmlElement:
    """The offline DMP's own page of the patient (documents, access history)."""
    answer = httpx.get(f"{dmp.pages_url}/patients/{ins}", timeout=10)
    assert answer.status_code == 200
    return html.fromstring(answer.text)


def sandbox_table(dmp: RunningSandbox, ins: str, caption: str) -> list[str]:
    table = sandbox_page(dmp, ins).xpath(f"//table[@aria-label='{caption}']")
    rows = table[0].xpath(".//tr[td]") if table else []
    return [" ".join(cell.text_content().strip() for cell in row.xpath("td")) for row in rows]


def pdf_viewer_loaded(page: Page) -> bool:
    """Whether Chromium's own PDF viewer (its built-in extension) shows a frame's PDF."""
    for _ in range(100):
        if any(frame.url.startswith(PDF_VIEWER) for frame in page.frames):
            return True
        page.wait_for_timeout(100)
    return False


def open_pierres_dmp(page: Page) -> None:
    """PIN, Pierre from the Vitale card, his DMP opened (the demo CPS is his treating
    physician: no consent asked), his documents listed."""
    unlock(page)
    identify_beneficiary(page, 0)
    expect(page.locator("#dmp-status-facts")).to_contain_text("valide", timeout=DMP_WAIT)
    open_access(page)
    expect(page.locator("#vihf-title")).to_be_focused(timeout=DMP_WAIT)
    expect(document_rows(page)).to_have_count(4, timeout=DMP_WAIT)


def deposit_free_text(page: Page, title: str) -> None:
    page.check("#deposit-source-text")
    expect(page.locator("#deposit-file")).to_be_hidden()
    page.fill("#deposit-text", FREE_TEXT)
    page.select_option("#deposit-type", "11488-4")
    page.fill("#deposit-title", title)
    page.fill("#deposit-comment", "Rédigé dans la page d'état")
    page.fill("#deposit-document-date", "2026-12-01")
    page.fill("#deposit-event-start", "2026-12-01")
    page.fill("#deposit-event-end", "2026-12-01")
    page.select_option("#deposit-practice-setting", "AMBULATOIRE")
    page.check("#visibility-normal")
    page.click("#deposit-form button[type=submit]")
    expect(page.locator("#deposit-done")).to_be_focused(timeout=DMP_WAIT)


def focus_by_tab(page: Page, target: Locator, limit: int = 400) -> None:
    """Press Tab until ``target`` has the focus (at most ``limit`` times)."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} never got the focus by Tab")
