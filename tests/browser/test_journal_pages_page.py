"""The status page's access history past one page: "Afficher les enregistrements plus
anciens" adds the next page (the API's cursor) until the oldest record is shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cardbridge.dmp.journal import DATABASE_NAME
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from tests.browser.conftest import Bridge, demo_bridge, shot
from tests.support.journal_pages import MANY, journal_of_many, sequence_numbers


@pytest.fixture
def bridge(
    key_pool: KeyPool,
    issuer: PkiIssuer,
    data_dir: Path,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Bridge]:
    """The demo bridge, its journal holding more records than one page."""
    journal_of_many(tmp_path_factory, tmp_path / "data")
    with demo_bridge(key_pool, issuer, data_dir, tmp_path) as served:
        yield served


def test_older_records_load_on_demand(page: Page, tmp_path: Path) -> None:
    expected = sequence_numbers(tmp_path / "data" / DATABASE_NAME)
    rows = page.locator("#journal-body tr")
    more = page.get_by_role("button", name="Afficher les enregistrements plus anciens")
    # The first page, as the page loads it (100 records by default).
    expect(rows).to_have_count(100)
    expect(page.locator("#journal-status")).to_have_text(
        "100 enregistrement(s) affiché(s) ; d'autres, plus anciens, sont disponibles."
    )
    more.click()
    expect(rows).to_have_count(200)
    expect(rows.nth(100)).to_be_focused()  # the first record added
    expect(rows.nth(100).locator("td").first).to_have_text(str(expected[100]))
    # Pages of 1,000: the second one ends with the oldest record.
    page.fill("#journal-limit", "1000")
    page.click("#journal-form button[type=submit]")
    expect(rows).to_have_count(1000)
    more.click()
    expect(rows).to_have_count(MANY)
    expect(page.locator("#journal-status")).to_have_text(f"{MANY} enregistrement(s).")
    expect(more).to_be_hidden()
    shown = [int(text) for text in rows.locator("td:first-child").all_inner_texts()]
    assert shown == expected
    shot(page, "journal-all-pages", full_page=False)
