"""The status page as a DMP tool, the documents, in Chromium, against a running bridge over
the emulated demo cards and a running offline DMP (fresh for each test): the list and its
filters, the viewer, the deposit, visibility, archive and delete, the DMP's refusals — the
clinician's path in French, in English, and with the keyboard only.

Expected values come from the offline DMP's seed (cardbridge/sandbox/seeds/default.yaml),
from what the offline DMP itself shows on its patient pages or states in its faults, and
from the files the tests deposit — never from the page's own code.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image
from playwright.sync_api import FilePayload, Page, expect

from cardbridge.sandbox.faults import Fault
from testkit.dmp_documents import minimal_pdf
from testkit.dmp_sandbox import RunningSandbox
from tests.browser.conftest import shot, unlock
from tests.browser.dmp_steps import (
    CONSULTATION_TEXT,
    DMP_WAIT,
    FREE_TEXT,
    LOUISE_DOCUMENT,
    PIERRE_DOCUMENTS,
    deposit_free_text,
    document_rows,
    focus_by_tab,
    identify_beneficiary,
    open_access,
    open_pierres_dmp,
    pdf_viewer_loaded,
    row_of,
    sandbox_table,
    titles,
)
from tests.support.dmp_fixtures import PIERRE


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
    shot(page, "dmp-fr-7-delete-confirm", full_page=False)
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
        "#deposit-file", files=[FilePayload(name="cr.pdf", mimeType="application/pdf", buffer=pdf)]
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
        files=[FilePayload(name="plaie.jpg", mimeType="image/jpeg", buffer=picture.getvalue())],
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


def test_a_dmp_refusal_shown_with_its_code_and_text(dmp_page: Page) -> None:
    page = dmp_page
    unlock(page)
    identify_beneficiary(page, 1)
    page.check("#access-consent")
    open_access(page)
    expect(page.locator("#vihf-facts")).to_contain_text(
        "autorisation ajoutée par le DMP après le consentement", timeout=DMP_WAIT
    )
    expect(page.locator("#dmp-status-facts")).to_contain_text("valide", timeout=DMP_WAIT)
    expect(document_rows(page)).to_have_count(1, timeout=DMP_WAIT)
    # Louise's report is another doctor's: the DMP refuses to let this one archive it.
    page.get_by_role("button", name=f"Archiver « {LOUISE_DOCUMENT} »").click()
    error = page.locator("#documents-error")
    expect(error).to_be_focused(timeout=DMP_WAIT)
    code = Fault.ACCESS_DENIED.value.subcode
    text = f"{Fault.ACCESS_DENIED.value.text} : TD3.3d.archive refusé pour ce document"
    expect(error).to_have_text(f"Le DMP a refusé la demande (TD3.3). Code {code} : {text}")
    expect(document_rows(page).first).to_contain_text("actif")
    shot(page, "dmp-refusal")


def test_clinician_path_in_english(dmp_page: Page, dmp: RunningSandbox) -> None:
    page = dmp_page
    page.select_option("#language", "en")
    expect(page.locator("#dmp-title")).to_have_text("Shared medical record (DMP)")
    unlock(page)
    identify_beneficiary(page, 0)
    status = page.locator("#dmp-status-facts")
    expect(status).to_contain_text("exists and is open", timeout=DMP_WAIT)
    expect(status).to_contain_text("Your authorization")
    expect(status).to_contain_text("DMP treating physician")
    expect(page.locator("#dmp-history-link")).to_have_text(
        "The patient's access history on the DMP (new tab)"
    )
    expect(page.locator("label[for=access-consent]")).to_have_text(
        "The patient, or their legal representative, informed beforehand, consents to the "
        "access to their DMP"
    )
    open_access(page)
    expect(page.locator("#vihf-facts")).to_contain_text("Normal access", timeout=DMP_WAIT)
    expect(document_rows(page)).to_have_count(4, timeout=DMP_WAIT)
    expect(page.locator("#documents-count")).to_have_text("4 document(s).")
    expect(row_of(page, "Compte rendu de biologie")).to_contain_text("not visible to the patient")

    deposit_free_text(page, "Follow-up note")
    expect(page.locator("#deposit-done")).to_contain_text(
        "Document “Follow-up note” deposited in the DMP"
    )
    expect(document_rows(page)).to_have_count(5)
    page.get_by_role("button", name="Mask from professionals « Follow-up note »").click()
    expect(page.locator("#documents-done")).to_have_text(
        "Document “Follow-up note” masked from health professionals.", timeout=DMP_WAIT
    )
    page.get_by_role("button", name="Archive « Follow-up note »").click()
    expect(page.locator("#documents-done")).to_contain_text("archived", timeout=DMP_WAIT)
    page.select_option("#documents-status", "archived")
    page.click("#documents-form button[type=submit]")
    expect(document_rows(page)).to_have_count(1)
    expect(document_rows(page).first).to_contain_text("archived")
    expect(document_rows(page).first).to_contain_text("masked from health professionals")
    shot(page, "dmp-en-archived")

    # A DMP refusal, in English, with the DMP's own code and text.
    identify_beneficiary(page, 1)
    page.check("#access-consent")
    open_access(page)
    expect(document_rows(page)).to_have_count(1, timeout=DMP_WAIT)
    expect(page.locator("#documents-status")).to_have_value("approved")  # filters reset
    page.get_by_role("button", name=f"Archive « {LOUISE_DOCUMENT} »").click()
    fault = Fault.ACCESS_DENIED.value
    expect(page.locator("#documents-error")).to_have_text(
        f"The DMP refused the request (TD3.3). Code {fault.subcode}: {fault.text} : "
        "TD3.3d.archive refusé pour ce document",
        timeout=DMP_WAIT,
    )
    shot(page, "dmp-en-refusal")


def test_keyboard_only(dmp_page: Page) -> None:
    page = dmp_page
    focus_by_tab(page, page.locator("#pin"))
    page.keyboard.type("1234")
    page.keyboard.press("Enter")
    expect(page.locator("#situations-area")).to_be_visible()

    focus_by_tab(page, page.locator("#patient-form button[type=submit]"))
    page.keyboard.press("Enter")
    expect(page.locator("#patient-result")).to_be_focused()
    expect(page.locator("#dmp-status-facts")).to_contain_text("valide", timeout=DMP_WAIT)
    focus_by_tab(page, page.locator("#access-form button[type=submit]"))
    page.keyboard.press("Enter")
    expect(page.locator("#vihf-title")).to_be_focused(timeout=DMP_WAIT)
    expect(document_rows(page)).to_have_count(4, timeout=DMP_WAIT)

    focus_by_tab(page, page.get_by_role("button", name="Voir « Compte rendu de consultation »"))
    page.keyboard.press("Enter")
    expect(page.locator("#viewer-title")).to_be_focused(timeout=DMP_WAIT)
    expect(page.locator("#viewer-content pre")).to_have_text(CONSULTATION_TEXT)
    focus_by_tab(page, page.locator("#viewer-close"))
    page.keyboard.press("Enter")
    expect(page.locator("#viewer")).to_be_hidden()
    expect(page.locator("#documents-count")).to_be_focused()

    # The free-text deposit, every field by the keyboard.
    focus_by_tab(page, page.locator("#deposit-source-file"))
    page.keyboard.press("ArrowDown")
    expect(page.locator("#deposit-source-text")).to_be_checked()
    focus_by_tab(page, page.locator("#deposit-text"))
    page.keyboard.type("Texte rédigé au clavier.")
    focus_by_tab(page, page.locator("#deposit-type"))
    page.keyboard.type("CR de consultation")
    expect(page.locator("#deposit-type")).to_have_value("11488-4")
    focus_by_tab(page, page.locator("#deposit-title"))
    page.keyboard.type("Note au clavier")
    focus_by_tab(page, page.locator("#deposit-form button[type=submit]"))
    page.keyboard.press("Enter")
    expect(page.locator("#deposit-done")).to_be_focused(timeout=DMP_WAIT)
    expect(document_rows(page)).to_have_count(5)

    # Delete: Escape leaves the confirmation, focus back on the button; then confirmed.
    delete = page.get_by_role("button", name="Supprimer « Note au clavier »")
    focus_by_tab(page, delete)
    page.keyboard.press("Enter")
    expect(page.locator("#delete-cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#delete-dialog")).to_be_hidden()
    expect(delete).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#delete-confirm")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#documents-done")).to_be_focused(timeout=DMP_WAIT)
    expect(page.locator("#documents-done")).to_have_text(
        "Document « Note au clavier » supprimé du DMP."
    )
    expect(document_rows(page)).to_have_count(4)
    shot(page, "dmp-keyboard")
