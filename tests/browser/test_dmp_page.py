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
from tests.support.dmp_fixtures import LOUISE, LUC, PIERRE, SOPHIE
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


def test_an_emergency_access_with_its_reason(dmp_page: Page, dmp: RunningSandbox) -> None:
    page = dmp_page
    unlock(page)
    identify_beneficiary(page, 1)
    expect(page.locator("#patient-facts")).to_contain_text("LOUISE LE QUINIO")
    # The seed: Louise's DMP exists, the demo CPS has no authorization on it.
    status = page.locator("#dmp-status-facts")
    expect(status).to_contain_text("existe et est ouvert", timeout=DMP_WAIT)
    expect(status).to_contain_text("aucune : le consentement du patient est nécessaire")

    # Normal access: the consent sentence, asked for by the DMP's answer.
    expect(page.locator("label[for=access-consent]")).to_have_text(
        "Le patient, ou son représentant légal, préalablement informé, consent à l'accès à son DMP"
    )
    open_access(page)
    expect(page.locator("#access-consent-error")).to_contain_text(
        "Le consentement du patient est nécessaire", timeout=DMP_WAIT
    )
    expect(page.locator("#access-consent-error")).to_contain_text(
        "Demandez-le au patient ou à son représentant légal, préalablement informé"
    )
    expect(page.locator("#access-consent")).to_be_focused()

    page.check("#mode-emergency")
    expect(page.locator("#consent-field")).to_be_hidden()
    open_access(page)
    expect(page.locator("#access-reason-error")).to_have_text(
        "Indiquez le motif de l'accès (10 caractères au moins, 500 au plus)."
    )
    expect(page.locator("#access-reason")).to_be_focused()
    page.fill("#access-reason", REASON)
    open_access(page)
    facts = page.locator("#vihf-facts")
    expect(facts).to_contain_text("Urgence (bris de glace)", timeout=DMP_WAIT)
    expect(document_rows(page)).to_have_count(1, timeout=DMP_WAIT)
    expect(document_rows(page).first).to_contain_text(LOUISE_DOCUMENT)
    shot(page, "dmp-emergency")

    # The offline DMP's own page of Louise: the access in emergency, with its reason.
    link = page.locator("#dmp-history-link")
    expect(link).to_be_visible()
    with page.context.expect_page() as opened:
        link.click()
    history = opened.value
    history.wait_for_load_state()
    expect(history.locator("table[aria-label='Historique des accès']")).to_contain_text(REASON)
    shot(history, "dmp-emergency-history-on-the-dmp")
    rows = [row for row in sandbox_table(dmp, LOUISE, "Historique des accès") if REASON in row]
    assert rows  # the status asked, the documents listed: each traced with the reason
    assert all("urgence" in row.lower() for row in rows)
    history.close()

    journal = page.locator("#journal-body tr")
    expect(journal).to_have_count(1)
    expect(journal.first).to_contain_text(f"motif : {REASON}")


def test_search_by_criteria_in_centre_15_mode(dmp_page: Page) -> None:
    page = dmp_page
    unlock(page)
    page.check("#source-criteria")
    # Said up front: the DMP allows this search in centre 15 mode only.
    expect(page.locator("#criteria-mode")).to_be_visible()
    expect(page.locator("#criteria-mode")).to_contain_text(
        "Le DMP ne permet la recherche d'un patient par ses traits d'identité qu'en mode "
        "régulation (centre 15)"
    )
    page.fill("#criteria-last-name", "LE QUINIO")
    page.fill("#criteria-first-name", "PIERRE")
    page.select_option("#criteria-sex", "M")
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#criteria-reason-error")).to_have_text(
        "Indiquez le motif de l'accès (10 caractères au moins, 500 au plus)."
    )
    expect(page.locator("#criteria-reason")).to_be_focused()

    page.fill("#criteria-reason", REASON)
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#candidates-result")).to_be_focused(timeout=DMP_WAIT)
    candidates = page.locator("#candidates-body tr")
    expect(candidates).to_have_count(1)
    expect(page.locator("#candidates-count")).to_have_text(
        "1 patient(s) trouvé(s) : choisissez le patient."
    )
    expect(candidates.first).to_contain_text("PIERRE LE QUINIO")
    expect(candidates.first).to_contain_text("15 juin 1955")
    expect(candidates.first).to_contain_text(PIERRE)
    shot(page, "dmp-centre-15-candidates")

    page.get_by_role("button", name="Choisir PIERRE LE QUINIO").click()
    expect(page.locator("#patient-result")).to_be_focused(timeout=DMP_WAIT)
    expect(page.locator("#patient-facts")).to_contain_text(PIERRE)
    expect(page.locator("#patient-facts")).to_contain_text("matricule INS")
    # The access is proposed in the search's mode, with its reason.
    expect(page.locator("#mode-regulation")).to_be_checked()
    expect(page.locator("#access-reason")).to_have_value(REASON)
    expect(page.locator("#dmp-status-facts")).to_contain_text("existe et est ouvert")
    open_access(page)
    expect(page.locator("#vihf-facts")).to_contain_text("Régulation (centre 15)", timeout=DMP_WAIT)
    # In centre 15 mode the treating physician counts as a doctor and the document masked
    # from professionals is not given (docs/dmp-sandbox.md, the rights matrix).
    expect(document_rows(page)).to_have_count(3, timeout=DMP_WAIT)
    assert titles(page) == [t for t in PIERRE_DOCUMENTS if t != "Synthèse d'hospitalisation"]
    shot(page, "dmp-centre-15-opened")


def test_search_finding_nobody(dmp_page: Page) -> None:
    page = dmp_page
    unlock(page)
    page.check("#source-criteria")
    page.fill("#criteria-last-name", "PERSONNE")
    page.fill("#criteria-first-name", "NEMO")
    page.select_option("#criteria-sex", "M")
    page.fill("#criteria-reason", REASON)
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#candidates-count")).to_have_text(
        "Aucun patient trouvé par le DMP pour ces traits. Vérifiez l'orthographe, ou essayez "
        "sans la date de naissance.",
        timeout=DMP_WAIT,
    )
    expect(page.locator("#candidates-table")).to_be_hidden()
    expect(page.locator("#patient-result")).to_be_hidden()


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


def focus_by_tab(page: Page, target: Locator, limit: int = 400) -> None:
    """Press Tab until ``target`` has the focus (at most ``limit`` times)."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} never got the focus by Tab")


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


def test_the_dmp_needs_the_pin(dmp_page: Page) -> None:
    page = dmp_page
    identify_beneficiary(page, 0)
    pin_first = "Vérifiez d'abord le code PIN de la carte CPS (section « Professionnel de santé »)."
    expect(page.locator("#dmp-status-error")).to_have_text(pin_first, timeout=DMP_WAIT)
    open_access(page)
    expect(page.locator("#access-situation-error")).to_have_text(pin_first)
    expect(page.locator("#access-situation")).to_be_focused()
    expect(page.locator("#documents-needs")).to_be_visible()
    expect(page.locator("#deposit-title")).to_be_disabled()

    unlock(page)
    page.click("#dmp-status-refresh")
    expect(page.locator("#dmp-status-facts")).to_contain_text("valide", timeout=DMP_WAIT)
    expect(page.locator("#dmp-status-error")).to_be_hidden()


def test_patient_by_ins_needs_its_key(dmp_page: Page) -> None:
    page = dmp_page
    unlock(page)
    page.check("#source-ins")
    expect(page.locator("#patient-beneficiary")).to_be_hidden()
    wrong = (
        "Matricule INS invalide : vérifiez les 13 caractères (2A ou 2B pour la Corse) et la "
        "clé à 2 chiffres."
    )
    for typed in ("155067200010158", "1550672000101"):  # a wrong key; no key at all
        page.fill("#patient-ins", typed)
        page.click("#patient-form button[type=submit]")
        expect(page.locator("#patient-ins-error")).to_have_text(wrong)
        expect(page.locator("#patient-ins")).to_be_focused()
        expect(page.locator("#patient-result")).to_be_hidden()

    page.fill("#patient-ins", "1 55 06 72 000 101 59")  # spaces as on a paper form
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#patient-facts")).to_contain_text(PIERRE)
    expect(page.locator("#patient-ins-error")).to_be_empty()
    expect(page.locator("#dmp-status-facts")).to_contain_text(
        "existe et est ouvert", timeout=DMP_WAIT
    )


def test_criteria_checked_before_the_search(dmp_page: Page) -> None:
    page = dmp_page
    unlock(page)
    page.check("#source-criteria")
    page.fill("#criteria-last-name", "Martin")
    page.fill("#criteria-first-name", "Léa")
    page.fill("#criteria-reason", REASON)
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#criteria-sex-error")).to_have_text("Choisissez le sexe.")
    expect(page.locator("#criteria-sex")).to_be_focused()
    page.select_option("#criteria-sex", "F")
    page.fill("#criteria-birth-date", "31/02/1980")
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#criteria-birth-date-error")).to_have_text(
        "Date de naissance attendue au format JJ/MM/AAAA."
    )
    expect(page.locator("#candidates-result")).to_be_hidden()


def test_journal_lists_the_accesses(dmp_page: Page) -> None:
    page = dmp_page
    expect(page.locator("#journal-status")).to_have_text("Aucun enregistrement pour ces critères.")
    unlock(page)
    identify_beneficiary(page, 0)
    open_access(page)
    expect(page.locator("#vihf-title")).to_be_focused(timeout=DMP_WAIT)
    identify_beneficiary(page, 1)
    page.check("#mode-emergency")
    page.fill("#access-reason", "Détresse respiratoire, patiente inconsciente")
    open_access(page)
    expect(page.locator("#vihf-facts")).to_contain_text("Urgence", timeout=DMP_WAIT)

    rows = page.locator("#journal-body tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#journal-status")).to_have_text("2 enregistrement(s).")
    expect(rows.nth(0)).to_contain_text("Urgence (bris de glace)")
    expect(rows.nth(0)).to_contain_text("motif : Détresse respiratoire, patiente inconsciente")
    expect(rows.nth(0)).to_contain_text(f"{LOUISE}^^^")
    expect(rows.nth(1)).to_contain_text("médecin traitant DMP : oui")
    expect(rows.nth(1)).to_contain_text("899700735741")

    page.click("#patient-history")
    expect(page.locator("#journal-status")).to_be_focused()
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("Urgence")

    page.fill("#journal-patient", "")
    page.select_option("#journal-kind", "deposit")
    page.click("#journal-form button[type=submit]")
    expect(page.locator("#journal-status")).to_have_text("Aucun enregistrement pour ces critères.")
    page.select_option("#journal-kind", "")
    page.click("#journal-form button[type=submit]")
    expect(rows).to_have_count(2)

    page.click("#journal-verify")
    integrity = page.locator("#journal-integrity")
    expect(integrity).to_be_focused()
    expect(integrity).to_contain_text("Historique intègre : 2 enregistrement(s) vérifié(s)")
    shot(page, "journal")


def test_vitale_patient_forgotten_when_the_card_leaves(dmp_page: Page, dmp_bridge: Bridge) -> None:
    page = dmp_page
    identify_beneficiary(page, 1)
    expect(page.locator("#patient-facts")).to_contain_text("LOUISE LE QUINIO")
    submit = page.locator("#access-form button[type=submit]")
    expect(submit).to_be_enabled()
    dmp_bridge.backend.insert(DEMO_VITALE_READER, dmp_bridge.card("vitale-family"))
    expect(page.locator("#patient-result")).to_be_hidden()
    expect(submit).to_be_disabled()
    expect(page.locator("#dmp-status-needs")).to_be_visible()
    expect(page.locator("#patient-beneficiary")).to_contain_text("NOÉ MARTIN")


def test_a_closed_dmp_and_none(dmp_page: Page) -> None:
    page = dmp_page
    unlock(page)
    page.check("#source-ins")
    page.fill("#patient-ins", SOPHIE)
    page.click("#patient-form button[type=submit]")
    # The seed: Sophie's DMP was closed on 30 November 2025.
    status = page.locator("#dmp-status-facts")
    expect(status).to_contain_text("fermé le 30 nov. 2025", timeout=DMP_WAIT)
    expect(page.locator("#dmp-history-link")).to_be_visible()
    page.check("#access-consent")
    open_access(page)
    expect(page.locator("#access-error")).to_have_text(
        "Ce patient n'a pas de DMP ouvert (DMP absent ou fermé) : l'accès est impossible.",
        timeout=DMP_WAIT,
    )
    expect(page.locator("#documents-needs")).to_be_visible()
    shot(page, "dmp-closed")

    # Luc has no DMP: nothing to link to.
    page.fill("#patient-ins", LUC)
    page.click("#patient-form button[type=submit]")
    expect(status).to_have_text("DMPce patient n'a pas de DMP", timeout=DMP_WAIT)
    expect(page.locator("#dmp-history-link")).to_be_hidden()
