"""The journal's pages: past the 1,000 records of one answer, the cursor (``before``, a
record's sequence number) reaches every record, through the API and the Python client.
What every record is comes from the journal's database, read with SQLite itself."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardbridge.client import CardBridgeClient
from testkit.server import LiveServer, serve_backend
from tests.api.conftest import Demo
from tests.support.journal_pages import MANY, PATIENTS, journal_of_many, sequence_numbers


@pytest.fixture
def journal_live(
    demo: Demo, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, Path]]:
    database = journal_of_many(tmp_path_factory, tmp_path / "data")
    with serve_backend(demo.backend, data_dir=tmp_path / "data") as server:
        yield server, database


def test_the_client_pages_through_every_record(journal_live: tuple[LiveServer, Path]) -> None:
    live, database = journal_live
    pages: list[list[int]] = []
    before: int | None = None
    with CardBridgeClient(live.url, token=live.token) as bridge:
        for _ in range(5):  # two pages and the empty one; bounded
            page = [entry.seq for entry in bridge.journal(limit=1000, before=before)]
            pages.append(page)
            if not page:
                break
            before = page[-1]
    assert [len(page) for page in pages] == [1000, MANY - 1000, 0]
    assert [seq for page in pages for seq in page] == sequence_numbers(database)
    assert len(sequence_numbers(database)) == MANY


def test_the_cursor_with_a_filter(journal_live: tuple[LiveServer, Path]) -> None:
    live, database = journal_live
    db = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    expected = [
        seq
        for (seq,) in db.execute(
            "SELECT seq FROM records WHERE patient = ? ORDER BY seq DESC", (PATIENTS[1],)
        )
    ]
    db.close()
    seen: list[int] = []
    params: dict[str, str | int] = {"patient": PATIENTS[1], "limit": 250}
    with live.client() as api:
        for _ in range(10):
            page = api.get("/v1/dmp/journal", params=params).json()
            assert all(record["patient"] == PATIENTS[1] for record in page)
            seen += [record["seq"] for record in page]
            if len(page) < 250:
                break
            params["before"] = page[-1]["seq"]
    assert seen == expected
    assert len(expected) == MANY // 2


@pytest.mark.parametrize("before", ["0", "-3", "seven"])
def test_a_cursor_that_is_no_sequence_number_is_refused(
    journal_live: tuple[LiveServer, Path], before: str
) -> None:
    live, _ = journal_live
    with live.client() as api:
        answer = api.get("/v1/dmp/journal", params={"before": before})
    assert answer.status_code == 422
    assert (answer.json()["code"], answer.json()["field"]) == ("invalid_request", "before")


def test_the_oldest_record_ends_the_pages(journal_live: tuple[LiveServer, Path]) -> None:
    live, _ = journal_live
    with live.client() as api:
        assert api.get("/v1/dmp/journal", params={"before": 1}).json() == []
        last = api.get("/v1/dmp/journal", params={"before": 2}).json()
    assert [(record["seq"], record["details"]["n"]) for record in last] == [(1, 0)]
