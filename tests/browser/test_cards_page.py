"""The status page in Chromium: readers and cards live, the practitioner and the PIN, the
Vitale beneficiaries, the authentication test, the language switch, the keyboard."""

from __future__ import annotations

import time

from playwright.sync_api import Locator, Page, Route, expect

from cardbridge.emulator.inprocess import DEMO_CPS_READER, DEMO_VITALE_READER
from cardbridge.pcsc.reader_interface import EventKind, ReaderEvent
from tests.browser.conftest import PIN, WRONG_PIN, Bridge, PageErrors, shot, unlock, wrong_pin

OTHER_READER = "Gemalto PC Twin Reader 00 00"


def reader_row(page: Page, name: str) -> Locator:
    return page.locator("#readers-body tr", has=page.locator("th", has_text=name))


def test_readers_and_cards_live(page: Page, bridge: Bridge) -> None:
    expect(reader_row(page, DEMO_CPS_READER)).to_contain_text("Carte CPS")
    expect(reader_row(page, DEMO_VITALE_READER)).to_contain_text("Carte Vitale")
    expect(page.locator("#cps-identity")).to_contain_text("PIERRE LE QUINIO")

    bridge.backend.remove(DEMO_VITALE_READER)
    expect(reader_row(page, DEMO_VITALE_READER)).to_contain_text("Aucune carte")
    expect(page.locator("#readers-live")).to_have_text(
        f"Carte retirée de « {DEMO_VITALE_READER} »."
    )
    expect(page.locator("#vitale-empty")).to_have_text(
        "Aucune carte Vitale n'est insérée. Insérez la carte du patient."
    )
    expect(page.locator("#vitale-card")).to_be_hidden()

    bridge.backend.insert(DEMO_VITALE_READER, bridge.card("vitale-family"))
    expect(page.locator("#readers-live")).to_have_text(
        f"Carte Vitale insérée dans « {DEMO_VITALE_READER} »."
    )
    expect(page.locator("#beneficiaries-body")).to_contain_text("NOÉ MARTIN")

    bridge.backend.add_reader(OTHER_READER)
    expect(reader_row(page, OTHER_READER)).to_contain_text("Aucune carte")
    bridge.backend.remove(DEMO_CPS_READER)
    expect(page.locator("#cps-empty")).to_contain_text("Aucune carte CPS n'est insérée")
    shot(page, "readers-cps-removed")
    bridge.backend.remove_reader(OTHER_READER)
    expect(reader_row(page, OTHER_READER)).to_have_count(0)
    bridge.backend.insert(DEMO_CPS_READER, bridge.card("cps4-doctor"))
    expect(page.locator("#cps-identity")).to_contain_text("JEAN-BAPTISTE D'ARTAGNAN-CASTELMORE")


def test_smart_card_service_unavailable(page: Page, bridge: Bridge) -> None:
    events = bridge.backend.events
    events.publish(ReaderEvent(EventKind.PCSC_UNAVAILABLE, timestamp=time.time()))
    alert = page.locator("#pcsc-down")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Service carte à puce indisponible.")
    expect(page.locator("#readers-table")).to_be_hidden()
    # The bridge's own message (its catalogue's French), not a copy of it in the page.
    expect(page.locator("#cps-empty")).to_contain_text(
        "Le service carte à puce (pcscd) n'est pas démarré ou ne répond pas."
    )
    shot(page, "pcsc-unavailable")
    events.publish(ReaderEvent(EventKind.PCSC_AVAILABLE, timestamp=time.time()))
    expect(alert).to_be_hidden()


def test_event_stream_reconnects(page: Page, bridge: Bridge) -> None:
    """A refused stream closes the EventSource: the page opens a new one and says so."""
    refusals = 0

    def refuse_once(route: Route) -> None:
        nonlocal refusals
        if refusals == 0:
            refusals += 1
            route.fulfill(status=503, body="down")
        else:
            route.continue_()

    page.route("**/v1/events", refuse_once)
    page.reload()
    connection = page.locator("#connection")
    expect(connection).to_have_attribute("data-state", "lost")
    expect(connection).to_contain_text("Pont injoignable")
    expect(connection).to_have_attribute("data-state", "open")
    bridge.backend.remove(DEMO_CPS_READER)
    expect(reader_row(page, DEMO_CPS_READER)).to_contain_text("Aucune carte")


def test_wrong_pin_then_last_try_warning(page: Page, bridge: Bridge) -> None:
    pin = page.locator("#pin")
    expect(page.locator("#pin-tries")).to_have_text("Essais restants : 3 sur 3.")
    expect(page.locator("#situations-area")).to_be_hidden()

    pin.fill(WRONG_PIN)
    pin.press("Enter")
    expect(page.locator("#pin-error")).to_have_text("Code PIN incorrect. Essais restants : 2.")
    expect(page.locator("#pin-tries")).to_have_text("Essais restants : 2 sur 3.")
    expect(pin).to_have_value("")
    expect(pin).to_be_focused()
    expect(pin).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#pin-last-try")).to_be_hidden()

    pin.fill(WRONG_PIN)
    pin.press("Enter")
    warning = page.locator("#pin-last-try")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Attention : dernier essai.")
    expect(page.locator("#pin-error")).to_contain_text("Il ne reste qu'un essai")
    expect(pin).to_have_attribute("aria-describedby", "pin-hint pin-last-try pin-error")
    shot(page, "pin-last-try")

    # The last try needs an explicit confirmation: without it, nothing is sent.
    pin.fill(PIN)
    pin.press("Enter")
    expect(page.locator("#pin-confirm-error")).to_have_text(
        "Cochez cette case pour utiliser le dernier essai."
    )
    expect(page.locator("#pin-confirm")).to_be_focused()
    with bridge.live.client() as api:
        assert api.get("/v1/cps/pin").json()["tries_left"] == 1

    page.check("#pin-confirm")
    page.click("#pin-form button[type=submit]")
    expect(page.locator("#situations-body")).to_contain_text("CABINET DR LE QUINIO")
    expect(page.locator("#situations-title")).to_be_focused()
    expect(page.locator("#pin-verified")).to_be_visible()
    expect(page.locator("#pin-form")).to_be_hidden()


def test_blocked_pin_explained(page: Page) -> None:
    pin = page.locator("#pin")
    wrong_pin(page, 2)
    wrong_pin(page, 1)
    expect(pin).to_be_focused()
    page.check("#pin-confirm")
    pin.fill(WRONG_PIN)
    pin.press("Enter")
    blocked = page.locator("#pin-blocked")
    expect(blocked).to_be_visible()
    expect(blocked).to_be_focused()
    expect(blocked).to_contain_text("Code PIN bloqué.")
    expect(blocked).to_contain_text("code PUK")
    expect(page.locator("#pin-form")).to_be_hidden()
    shot(page, "pin-blocked")
    page.reload()
    expect(page.locator("#pin-blocked")).to_be_visible()


def test_pin_stays_out_of_url_storage_and_console(
    page: Page, bridge: Bridge, page_errors: PageErrors
) -> None:
    secret = "86421357"
    page.fill("#pin", secret)
    page.press("#pin", "Enter")
    expect(page.locator("#pin-error")).to_contain_text("Code PIN incorrect")
    unlock(page)
    assert secret not in page.url
    assert PIN not in page.url
    stored = page.evaluate(
        "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
    )
    assert secret not in stored
    assert PIN not in stored
    assert not any(secret in line or PIN in line for line in page_errors.console)


def test_keyboard_only_pin(page: Page) -> None:
    """From the top of the page, Tab reaches the PIN; Enter submits; focus follows."""
    expect(page.locator("#pin")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    for _ in range(20):
        if page.evaluate("document.activeElement.id") == "pin":
            break
        page.keyboard.press("Tab")
    expect(page.locator("#pin")).to_be_focused()
    page.keyboard.type(WRONG_PIN)
    page.keyboard.press("Enter")
    expect(page.locator("#pin-error")).to_contain_text("Essais restants : 2")
    expect(page.locator("#pin")).to_be_focused()
    page.keyboard.type(PIN)
    page.keyboard.press("Tab")
    expect(page.locator("#pin-form button[type=submit]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#situations-title")).to_be_focused()


def test_vitale_beneficiaries(page: Page, bridge: Bridge) -> None:
    rows = page.locator("#beneficiaries-body tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("PIERRE LE QUINIO")
    expect(rows.nth(0)).to_contain_text("15 juin 1955")
    expect(rows.nth(0)).to_contain_text("Assuré")
    expect(rows.nth(0)).to_contain_text("155067200010159")
    expect(rows.nth(1)).to_contain_text("date lunaire (35/02/2015 sur la carte)")
    expect(page.locator("#vitale-insured")).to_contain_text("1550672000101 59")

    bridge.backend.insert(DEMO_VITALE_READER, bridge.card("vitale-family"))
    noe = page.locator("#beneficiaries-body tr", has_text="NOÉ")
    expect(noe).to_contain_text("date lunaire (00/04/2016 sur la carte)")
    expect(noe).to_contain_text("Aucun INS : ce bénéficiaire n'est pas l'assuré")
    sophie = page.locator("#beneficiaries-body tr", has_text="SOPHIE")
    expect(sophie).to_contain_text("né(e) DURAND")
    expect(sophie).to_contain_text("Conjoint")
    shot(page, "vitale-family")


def test_authentication(page: Page) -> None:
    page.click("#auth-run")
    expect(page.locator("#auth-pin-error")).to_have_text("Le code PIN comporte 4 à 8 chiffres.")
    page.fill("#auth-pin", WRONG_PIN)
    page.click("#auth-run")
    result = page.locator("#auth-result")
    expect(result).to_be_focused()
    expect(page.locator("#auth-error")).to_have_text("Code PIN incorrect. Essais restants : 2.")
    expect(page.locator("#auth-steps li").nth(1)).to_have_text("Jeton signé par la CPS : échec")
    expect(page.locator("#auth-pin")).to_have_value("")  # the PIN is not kept

    # A login needs the PIN each time, even with the card unlocked for DMP work.
    unlock(page)
    page.fill("#auth-pin", PIN)
    page.click("#auth-run")
    steps = page.locator("#auth-steps li")
    for index in range(3):
        expect(steps.nth(index)).to_contain_text("réussi")
    expect(page.locator("#auth-success")).to_have_text("Authentification réussie.")
    facts = page.locator("#auth-practitioner")
    expect(facts).to_contain_text("PIERRE LE QUINIO")
    expect(facts).to_contain_text("899700735741 (RPPS)")
    expect(facts).to_contain_text("TEST")
    expect(result).to_be_focused()
    shot(page, "authentication")


def test_api_messages_in_the_page_language(page: Page, bridge: Bridge) -> None:
    """The page asks the bridge for its own language: a refusal it has no text of its own
    for shows the bridge's message, in English once the page is in English."""
    page.select_option("#language", "en")
    page.fill("#pin", WRONG_PIN)
    page.press("#pin", "Enter")
    expect(page.locator("#pin-error")).to_have_text("Wrong PIN. 2 tries left.")
    expect(page.locator("#pin-tries")).to_have_text("Tries left: 2 of 3.")


def test_language_switch(page: Page, bridge: Bridge) -> None:
    unlock(page)
    page.select_option("#language", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#cps-title")).to_have_text("Health professional (CPS)")
    expect(page.locator("#pin-verified")).to_contain_text("PIN verified")
    expect(page.locator("#beneficiaries-body")).to_contain_text(
        "lunar date (35/02/2015 on the card)"
    )
    expect(page.locator("#beneficiaries-body")).to_contain_text("June 15, 1955")
    expect(page.locator("#connection")).to_have_text("Bridge connected (emulated cards).")
    assert page.title() == "cardbridge — bridge status"

    # Errors in English are the server's own messages.
    bridge.backend.remove(DEMO_VITALE_READER)
    with bridge.live.client() as api:
        detail = api.get("/v1/vitale").json()["detail"]
    expect(page.locator("#vitale-empty")).to_have_text(detail)

    page.reload()
    expect(page.locator("#language")).to_have_value("en")
    expect(page.locator("#readers-title")).to_have_text("Readers and cards")
    expect(page.locator("#situations-body")).to_contain_text("CABINET DR LE QUINIO")
    shot(page, "english")
    page.select_option("#language", "fr")
    expect(page.locator("#readers-title")).to_have_text("Lecteurs et cartes")
