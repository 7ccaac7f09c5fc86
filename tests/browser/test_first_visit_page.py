"""The status page's first visit: its guide ("Premiers pas") walks the clinician through
the pairing, the readers and a test access to the demo patient's DMP, each step marked done
as it happens; hidden, it stays hidden in this browser until the menu shows it again.

What the steps must say comes from the bridge's readers (the emulated demo readers' names)
and from the offline DMP (its seed's patient on the demo Vitale card)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from cardbridge.emulator.inprocess import DEMO_CPS_READER, DEMO_VITALE_READER
from tests.browser.conftest import Bridge, shot, unlock
from tests.browser.dmp_steps import DMP_WAIT, identify_beneficiary, open_access


def step(page: Page, name: str) -> tuple[Locator, Locator]:
    item = page.locator(f"#guide-{name}")
    return item.locator(f"#guide-{name}-status"), item.locator(f"#guide-{name}-text")


def test_the_guide_walks_a_first_run(page: Page, bridge: Bridge) -> None:
    guide = page.get_by_role("region", name="Premiers pas")
    expect(guide).to_be_visible()
    pairing_status, pairing_text = step(page, "pairing")
    expect(pairing_status).to_have_text("fait")
    expect(pairing_text).to_contain_text("Ce navigateur est appairé avec le pont")

    readers_status, readers_text = step(page, "readers")
    expect(readers_text).to_have_text(
        f"Carte CPS dans « {DEMO_CPS_READER} », carte Vitale dans « {DEMO_VITALE_READER} ». "
        "Ce sont les cartes de démonstration émulées : le code PIN de la CPS est 1234."
    )
    expect(readers_status).to_have_text("fait")
    # A card taken out: the step says what to do, and is done again once it is back.
    bridge.backend.remove(DEMO_VITALE_READER)
    expect(readers_status).to_have_text("à faire")
    expect(readers_text).to_have_text("Insérez la carte Vitale du patient dans un lecteur.")
    bridge.backend.insert(DEMO_VITALE_READER, bridge.card("demo-vitale"))
    expect(readers_status).to_have_text("fait")

    access_status, access_text = step(page, "access")
    expect(access_status).to_have_text("à faire")
    expect(access_text).to_contain_text("Déverrouillez la CPS avec son code PIN")
    expect(page.locator("#guide-ready")).to_be_hidden()
    shot(page, "first-visit-guide", full_page=False)

    # The test access, as the guide says: the PIN, the Vitale card's patient, consent.
    access_text.get_by_role("link", name="Aller au code PIN").click()
    unlock(page)
    identify_beneficiary(page, 0)
    page.check("#access-consent")
    open_access(page)
    expect(access_status).to_have_text("fait", timeout=DMP_WAIT)
    expect(access_text).to_have_text(
        "Accès d'essai réussi : le DMP du patient est ouvert dans la section « DMP », et "
        "l'accès figure dans l'historique des accès."
    )
    expect(page.locator("#guide-ready")).to_be_visible()
    expect(page.locator("#journal-body tr")).to_have_count(1)

    # Hidden, it stays so in this browser; the menu shows it again.
    page.get_by_role("button", name="Masquer ce guide").click()
    expect(guide).to_be_hidden()
    expect(page.locator("#guide-link")).to_be_focused()
    page.reload()
    page.wait_for_function("() => document.getElementById('connection').dataset.state === 'open'")
    expect(page.locator("#guide")).to_be_hidden()
    page.get_by_role("link", name="Premiers pas").click()
    expect(guide).to_be_visible()
    expect(page.locator("#guide-title")).to_be_focused()


def test_the_guide_in_english(page: Page) -> None:
    page.select_option("#language", "en")
    guide = page.get_by_role("region", name="First steps")
    expect(guide).to_be_visible()
    expect(page.locator("#guide-readers-status")).to_have_text("done")
    expect(page.locator("#guide-readers-text")).to_contain_text("the CPS's PIN is 1234")
    expect(page.locator("#guide-access-status")).to_have_text("to do")
