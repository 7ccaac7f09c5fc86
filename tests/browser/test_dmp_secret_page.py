"""The status page's secret access to a minor's DMP, in Chromium, against a running bridge
over the emulated demo cards and a fresh offline DMP. Who is a minor comes from the seed
(cardbridge/sandbox/seeds/default.yaml: Louise, beneficiary 1 of the demo Vitale card;
Pierre, beneficiary 0, born in 1955); what the DMP did with the access, from its own
patient pages (the patient's view and a legal representative's view)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from testkit.dmp_sandbox import RunningSandbox
from tests.browser.conftest import shot, unlock
from tests.browser.dmp_steps import DMP_WAIT, identify_beneficiary, open_access, sandbox_table
from tests.support.dmp_fixtures import LOUISE

HISTORY = "Historique des accès"


def test_a_secret_access_to_a_minors_dmp(dmp_page: Page, dmp: RunningSandbox) -> None:
    page = dmp_page
    unlock(page)
    expect(page.locator("label[for=access-secret]")).to_have_text("Accès secret au DMP d'un mineur")
    expect(page.locator("#access-secret-hint")).to_contain_text(
        "ne seront pas visibles des représentants légaux du patient"
    )

    # An adult on the Vitale card: refused by the bridge, saying what to do.
    identify_beneficiary(page, 0)
    page.check("#access-secret")
    open_access(page)
    expect(page.locator("#access-secret-error")).to_have_text(
        "L'accès secret est réservé au DMP d'un patient mineur : la carte Vitale indique un "
        "patient majeur. Ouvrez le DMP sans cocher l'accès secret.",
        timeout=DMP_WAIT,
    )

    # Louise, a minor: with her representative's consent, in secret.
    identify_beneficiary(page, 1)
    expect(page.locator("#dmp-status-facts")).to_contain_text("aucune", timeout=DMP_WAIT)
    # The status shown on identifying her (TD0.2) is asked before the access is chosen.
    before = sandbox_table(dmp, f"{LOUISE}?view=representative", HISTORY)
    page.check("#access-consent")
    page.check("#access-secret")
    open_access(page)
    facts = page.locator("#vihf-facts")
    expect(facts).to_contain_text("Accès secret (mineur)", timeout=DMP_WAIT)
    expect(facts).to_contain_text("oui : masqué aux représentants légaux")
    expect(page.locator("#vihf-xml")).to_contain_text("INVISIBLE_REPRESENTANTS_LEGAUX")
    shot(page, "dmp-secret-access")

    # The DMP's own pages: the patient sees the secret access, her representatives do not.
    seen_by_patient = sandbox_table(dmp, LOUISE, HISTORY)
    assert len(seen_by_patient) > len(before)
    assert sandbox_table(dmp, f"{LOUISE}?view=representative", HISTORY) == before
