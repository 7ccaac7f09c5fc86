"""The status page as a DMP tool, first steps, in Chromium, against a running bridge over
the emulated demo cards and a running offline DMP (fresh for each test): the patient (Vitale,
INS, the centre 15 search and its candidates), the DMP's status, the access (consent,
emergency with its reason), the journal.

Expected values come from the offline DMP's seed (cardbridge/sandbox/seeds/default.yaml),
from what the offline DMP itself shows on its patient pages or states in its faults, and
from the files the tests deposit — never from the page's own code.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from cardbridge.emulator.inprocess import DEMO_VITALE_READER
from testkit.dmp_sandbox import RunningSandbox
from tests.browser.conftest import Bridge, shot, unlock
from tests.browser.dmp_steps import (
    DMP_WAIT,
    LOUISE_DOCUMENT,
    PIERRE_DOCUMENTS,
    REASON,
    document_rows,
    identify_beneficiary,
    open_access,
    sandbox_table,
    titles,
)
from tests.support.dmp_fixtures import LOUISE, LUC, PIERRE, SOPHIE


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
