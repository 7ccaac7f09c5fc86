"""The status page as the DMP tool of the seed, in Chromium, against a running bridge
over the emulated demo cards and a running offline DMP (fresh for each test).

Expected values come from the offline DMP's seed (cardbridge/sandbox/seeds/default.yaml),
from what the offline DMP itself shows on its patient pages or states in its faults, and
from the files the tests deposit — never from the page's own code.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
from lxml import html
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from cardbridge.emulator.inprocess import DEMO_VITALE_READER
from cardbridge.sandbox.faults import Fault
from tests.browser.conftest import Bridge, shot, unlock
from tests.support.dmp_documents import minimal_pdf
from tests.support.dmp_fixtures import LOUISE, PIERRE
from tests.support.dmp_sandbox import RunningSandbox

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


def test_clinician_path_in_french(dmp_page: Page, dmp: RunningSandbox) -> None:
    page = dmp_page
    unlock(page)
    identify_beneficiary(page, 0)
    facts = page.locator("#patient-facts")
    expect(facts).to_contain_text("PIERRE LE QUINIO")
    expect(facts).to_contain_text(PIERRE)

    # The DMP's status (TD0.2), as the seed has it: active, the demo CPS his treating
    # physician; and the link to his access history on the offline DMP.
    status = page.locator("#dmp-status-facts")
    expect(status).to_contain_text("existe et est ouvert", timeout=DMP_WAIT)
    expect(status).to_contain_text("Votre autorisation")
    expect(status).to_contain_text("valide")
    expect(status).to_contain_text("Médecin traitant DMP")
    link = page.locator("#dmp-history-link")
    expect(link).to_have_attribute("href", f"{dmp.pages_url}/patients/{PIERRE}")
    shot(page, "dmp-fr-1-status")

    open_access(page)
    expect(page.locator("#vihf-title")).to_be_focused(timeout=DMP_WAIT)
    expect(page.locator("#vihf-facts")).to_contain_text("Accès normal")

    # The documents (TD3.1), newest first, then filtered.
    rows = document_rows(page)
    expect(rows).to_have_count(4, timeout=DMP_WAIT)
    expect(page.locator("#documents-count")).to_have_text("4 document(s).")
    assert titles(page) == PIERRE_DOCUMENTS
    expect(row_of(page, "Synthèse d'hospitalisation")).to_contain_text(
        "masqué aux professionnels de santé"
    )
    expect(row_of(page, "Compte rendu de biologie")).to_contain_text("non visible par le patient")
    shot(page, "dmp-fr-2-documents")

    page.select_option("#documents-type", "11502-2")
    page.click("#documents-form button[type=submit]")
    expect(rows).to_have_count(1)
    expect(page.locator("#documents-count")).to_have_text("1 document(s).")
    expect(rows.first).to_contain_text("Compte rendu de biologie")
    page.select_option("#documents-type", "")
    page.fill("#documents-from", "2026-11-01")
    page.click("#documents-form button[type=submit]")
    expect(rows).to_have_count(2)
    assert titles(page) == PIERRE_DOCUMENTS[:2]
    shot(page, "dmp-fr-3-filtered")
    page.fill("#documents-from", "")
    page.click("#documents-form button[type=submit]")
    expect(rows).to_have_count(4)

    # A document viewed (TD3.2): the seed's text.
    page.get_by_role("button", name="Voir « Compte rendu de consultation »").click()
    expect(page.locator("#viewer-title")).to_be_focused(timeout=DMP_WAIT)
    expect(page.locator("#viewer-title")).to_have_text("Compte rendu de consultation")
    expect(page.locator("#viewer-content pre")).to_have_text(CONSULTATION_TEXT)
    shot(page, "dmp-fr-4-viewer")
    page.click("#viewer-close")
    expect(page.locator("#viewer")).to_be_hidden()

    # A free-text document deposited (TD2.1), then listed, and on the patient's own page.
    deposit_free_text(page, "Note de suivi")
    expect(page.locator("#deposit-done")).to_contain_text(
        "Document « Note de suivi » déposé dans le DMP (identifiant 2.999.250.1."
    )
    expect(rows).to_have_count(5)
    expect(row_of(page, "Note de suivi")).to_contain_text("Rédigé dans la page d'état")
    expect(row_of(page, "Note de suivi")).to_contain_text("CR de consultation")
    assert any("Note de suivi" in row for row in sandbox_table(dmp, PIERRE, "Documents"))
    shot(page, "dmp-fr-5-deposited")
    page.get_by_role("button", name="Voir « Note de suivi »").click()
    expect(page.locator("#viewer-content pre")).to_have_text(FREE_TEXT, timeout=DMP_WAIT)

    # Masked from professionals (TD3.3a), then archived (TD3.3d).
    page.get_by_role("button", name="Masquer aux professionnels « Note de suivi »").click()
    expect(page.locator("#documents-done")).to_have_text(
        "Document « Note de suivi » masqué aux professionnels de santé.", timeout=DMP_WAIT
    )
    expect(row_of(page, "Note de suivi")).to_contain_text("masqué aux professionnels de santé")
    page.get_by_role("button", name="Archiver « Note de suivi »").click()
    expect(page.locator("#documents-done")).to_contain_text("archivé", timeout=DMP_WAIT)
    expect(rows).to_have_count(4)
    assert "Note de suivi" not in titles(page)
    page.select_option("#documents-status", "archived")
    page.click("#documents-form button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Note de suivi")
    expect(rows.first).to_contain_text("archivé")
    shot(page, "dmp-fr-6-archived")

    # Deleted (TD3.3c) after its confirmation; cancelling first changes nothing.
    page.get_by_role("button", name="Supprimer « Note de suivi »").click()
    dialog = page.locator("#delete-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Le document « Note de suivi » sera supprimé du DMP")
    expect(page.locator("#delete-cancel")).to_be_focused()
    shot(page, "dmp-fr-7-delete-confirm")
    page.click("#delete-cancel")
    expect(dialog).to_be_hidden()
    expect(rows).to_have_count(1)
    page.get_by_role("button", name="Supprimer « Note de suivi »").click()
    page.click("#delete-confirm")
    expect(page.locator("#documents-done")).to_have_text(
        "Document « Note de suivi » supprimé du DMP.", timeout=DMP_WAIT
    )
    expect(page.locator("#documents-count")).to_have_text("Aucun document pour ces critères.")
    expect(rows).to_have_count(0)

    # The journal has the access and the deposit.
    journal = page.locator("#journal-body tr")
    expect(journal).to_have_count(2)
    expect(journal.nth(0)).to_contain_text("dépôt")
    expect(journal.nth(1)).to_contain_text("autorisation selon le DMP : valide")


def test_a_pdf_and_an_image_shown_by_the_viewer(dmp_page: Page) -> None:
    page = dmp_page
    open_pierres_dmp(page)
    pdf = minimal_pdf("Compte rendu PDF")
    page.set_input_files(
        "#deposit-file", files=[{"name": "cr.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    page.select_option("#deposit-type", "11488-4")
    page.fill("#deposit-title", "Compte rendu PDF")
    page.click("#deposit-form button[type=submit]")
    expect(page.locator("#deposit-done")).to_be_focused(timeout=DMP_WAIT)

    page.get_by_role("button", name="Voir « Compte rendu PDF »").click()
    frame = page.locator("#viewer-content iframe")
    expect(frame).to_have_attribute("src", re.compile(r"^blob:http://127\.0\.0\.1:\d+/"))
    expect(frame).to_have_attribute("title", "Compte rendu PDF")
    expect(page.locator("#viewer-meta")).to_have_text(f"application/pdf, {len(pdf)} octets")
    # Chromium's PDF viewer took the frame's document (its extension's frame is inside
    # ours); the page saves the very bytes deposited.
    assert pdf_viewer_loaded(page)
    shot(page, "dmp-pdf-viewer")
    expect(page.locator("#viewer-download")).to_have_attribute("download", "Compte rendu PDF.pdf")
    with page.expect_download() as saving:
        page.click("#viewer-download")
    assert Path(saving.value.path()).read_bytes() == pdf

    picture = io.BytesIO()
    Image.new("RGB", (24, 16), (200, 30, 30)).save(picture, "JPEG")
    page.set_input_files(
        "#deposit-file",
        files=[{"name": "plaie.jpg", "mimeType": "image/jpeg", "buffer": picture.getvalue()}],
    )
    page.fill("#deposit-title", "Photo de la plaie")
    page.click("#deposit-form button[type=submit]")
    expect(page.locator("#deposit-done")).to_contain_text("Photo de la plaie", timeout=DMP_WAIT)
    page.get_by_role("button", name="Voir « Photo de la plaie »").click()
    image = page.locator("#viewer-content img")
    expect(image).to_have_attribute("alt", "Photo de la plaie")
    # Chromium decoded the JPEG: its own size, not ours.
    page.wait_for_function("() => document.querySelector('#viewer-content img').complete")
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [24, 16]
    shot(page, "dmp-image-viewer")
