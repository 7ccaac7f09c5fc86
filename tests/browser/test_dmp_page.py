"""The DMP access walk and the access journal of the status page, in Chromium."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from cardbridge.emulator.inprocess import DEMO_VITALE_READER
from tests.browser.conftest import Bridge, shot, unlock

INS = "295109912611193"


def identify_beneficiary(page: Page, index: int) -> None:
    page.check("#source-vitale")
    page.select_option("#patient-beneficiary", str(index))
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#patient-result")).to_be_focused()


def open_access(page: Page) -> None:
    page.click("#access-form button[type=submit]")


def test_normal_access_needs_consent_then_gives_the_vihf(page: Page) -> None:
    unlock(page)
    identify_beneficiary(page, 0)
    facts = page.locator("#patient-facts")
    expect(facts).to_contain_text("PIERRE LE QUINIO")
    expect(facts).to_contain_text("15/06/1955")
    expect(facts).to_contain_text("155067200010159")
    expect(page.locator("#access-situation")).to_have_value("0")

    open_access(page)
    consent = page.locator("#access-consent")
    expect(page.locator("#access-consent-error")).to_contain_text(
        "Le consentement du patient est nécessaire"
    )
    expect(consent).to_be_focused()
    expect(consent).to_have_attribute("aria-invalid", "true")
    # The DMP's consent sentence, whole: the patient or the legal representative, informed.
    expect(
        page.get_by_label(
            "Le patient, ou son représentant légal, préalablement informé, consent à l'accès "
            "à son DMP"
        )
    ).to_be_visible()
    expect(page.locator("#access-consent-error")).to_contain_text(
        "Demandez-le au patient ou à son représentant légal, préalablement informé"
    )
    expect(page.locator("#vihf-result")).to_be_hidden()
    shot(page, "dmp-consent-required")

    consent.check()
    open_access(page)
    title = page.locator("#vihf-title")
    expect(title).to_be_focused()
    summary = page.locator("#vihf-facts")
    expect(summary).to_contain_text("Accès normal")
    expect(summary).to_contain_text("nécessaire, attesté")
    expect(summary).to_contain_text("499700735741008 (SA07)")
    expect(summary).to_contain_text("155067200010159^^^&1.2.250.1.213.1.4.10&ISO^NH")
    expect(summary).to_contain_text("_")  # the assertion id
    expect(page.locator("#access-consent-error")).to_be_empty()

    xml = page.locator("#vihf-xml")
    expect(xml).to_be_hidden()
    page.locator("#vihf-result summary").click()
    expect(xml).to_be_visible()
    expect(xml).to_contain_text("SignatureValue")
    expect(xml).to_contain_text("urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI")
    shot(page, "dmp-vihf")

    # Consent was attested less than six months ago: not needed again.
    consent.uncheck()
    open_access(page)
    expect(page.locator("#vihf-facts")).to_contain_text("non nécessaire, non attesté")


def test_emergency_access_needs_a_reason(page: Page) -> None:
    unlock(page)
    identify_beneficiary(page, 1)
    page.check("#mode-emergency")
    expect(page.locator("#consent-field")).to_be_hidden()
    reason = page.locator("#access-reason")
    expect(reason).to_be_visible()

    open_access(page)
    expect(page.locator("#access-reason-error")).to_have_text(
        "Indiquez le motif de l'accès (10 caractères au moins, 500 au plus)."
    )
    expect(reason).to_be_focused()
    expect(reason).to_have_attribute("aria-invalid", "true")
    shot(page, "dmp-reason-required")

    reason.fill("Patiente inconsciente admise aux urgences")
    open_access(page)
    expect(page.locator("#vihf-facts")).to_contain_text("Urgence (bris de glace)")
    expect(reason).not_to_have_attribute("aria-invalid", "true")

    page.check("#mode-regulation")
    open_access(page)
    expect(page.locator("#vihf-facts")).to_contain_text("Régulation (centre 15)")


def test_access_needs_the_pin(page: Page) -> None:
    identify_beneficiary(page, 0)
    page.check("#access-consent")
    open_access(page)
    expect(page.locator("#access-situation-error")).to_have_text(
        "Vérifiez d'abord le code PIN de la carte CPS (section « Professionnel de santé »)."
    )
    expect(page.locator("#access-situation")).to_be_focused()


def test_patient_by_ins_and_by_criteria(page: Page) -> None:
    unlock(page)
    page.check("#source-ins")
    expect(page.locator("#patient-beneficiary")).to_be_hidden()
    page.fill("#patient-ins", "295109912611194")
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#patient-ins-error")).to_have_text(
        "Matricule INS invalide : vérifiez les 13 caractères (2A ou 2B pour la Corse) et la "
        "clé à 2 chiffres."
    )
    expect(page.locator("#patient-ins")).to_be_focused()

    page.fill("#patient-ins", "2 95 10 99 126 111 93")  # spaces as on a paper form
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#patient-facts")).to_contain_text(INS)
    expect(page.locator("#patient-ins-error")).to_be_empty()

    page.check("#source-criteria")
    page.fill("#criteria-last-name", "Martin")
    page.fill("#criteria-first-name", "Léa")
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#criteria-sex-error")).to_have_text("Choisissez le sexe.")
    expect(page.locator("#criteria-sex")).to_be_focused()

    page.select_option("#criteria-sex", "F")
    page.fill("#criteria-birth-date", "31/02/1980")
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#criteria-birth-date-error")).to_have_text(
        "Date de naissance attendue au format JJ/MM/AAAA."
    )

    page.fill("#criteria-birth-date", "15/03/1980")
    page.click("#patient-form button[type=submit]")
    expect(page.locator("#patient-facts")).to_contain_text("LÉA MARTIN")
    expect(page.locator("#patient-no-ins")).to_be_visible()

    page.check("#access-consent")
    open_access(page)
    expect(page.locator("#access-error")).to_have_text(
        "Ce patient n'a pas d'INS : le DMP s'ouvre avec l'INS. Lisez la carte Vitale ou "
        "saisissez le matricule INS."
    )
    shot(page, "dmp-criteria-no-ins")


def test_journal_lists_the_accesses(page: Page, bridge: Bridge) -> None:
    expect(page.locator("#journal-status")).to_have_text("Aucun enregistrement pour ces critères.")
    unlock(page)
    identify_beneficiary(page, 0)
    page.check("#access-consent")
    open_access(page)
    expect(page.locator("#vihf-title")).to_be_focused()
    identify_beneficiary(page, 1)
    page.check("#mode-emergency")
    page.fill("#access-reason", "Détresse respiratoire, patiente inconsciente")
    open_access(page)
    expect(page.locator("#vihf-facts")).to_contain_text("Urgence")

    rows = page.locator("#journal-body tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#journal-status")).to_have_text("2 enregistrement(s).")
    expect(rows.nth(0)).to_contain_text("Urgence (bris de glace)")
    expect(rows.nth(0)).to_contain_text("motif : Détresse respiratoire, patiente inconsciente")
    expect(rows.nth(0)).to_contain_text("215027512345610^^^")
    expect(rows.nth(1)).to_contain_text("consentement attesté : oui")
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


def test_vitale_patient_forgotten_when_the_card_leaves(page: Page, bridge: Bridge) -> None:
    identify_beneficiary(page, 1)
    expect(page.locator("#patient-facts")).to_contain_text("LOUISE LE QUINIO")
    submit = page.locator("#access-form button[type=submit]")
    expect(submit).to_be_enabled()
    bridge.backend.insert(DEMO_VITALE_READER, bridge.card("vitale-family"))
    expect(page.locator("#patient-result")).to_be_hidden()
    expect(submit).to_be_disabled()
    expect(page.locator("#patient-beneficiary")).to_contain_text("NOÉ MARTIN")
