"""``cardbridge journal list --before``: the CLI's pages reach every record past the first
1,000, as a user would follow them (the hint the command prints for the next page)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cardbridge.cli import main
from cardbridge.dmp.journal import Journal, JournalEntry, JournalKind
from tests.commands.test_journal_command import run
from tests.support.journal_pages import ACCESS_DETAILS, MANY, journal_of_many, sequence_numbers


def seqs(listing: str) -> list[int]:
    return [int(line.split()[0]) for line in listing.splitlines()]


def test_following_the_hint_reaches_the_oldest_record(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    database = journal_of_many(tmp_path_factory, tmp_path)
    first = run(tmp_path, "list", "--limit", "1000")
    assert first.returncode == 0, first.stderr
    hint = re.search(r"--before (\d+)", first.stderr)
    assert hint is not None, first.stderr
    second = run(tmp_path, "list", "--limit", "1000", "--before", hint.group(1))
    assert second.returncode == 0, second.stderr
    assert "--before" not in second.stderr  # a page not full: nothing older
    listed = seqs(first.stdout) + seqs(second.stdout)
    assert listed == sequence_numbers(database)
    assert len(listed) == MANY


def test_json_pages(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    journal_of_many(tmp_path_factory, tmp_path)
    page = run(tmp_path, "list", "--json", "--limit", "3", "--before", "5")
    assert page.returncode == 0, page.stderr
    assert [record["seq"] for record in json.loads(page.stdout)] == [4, 3, 2]


@pytest.mark.parametrize("before", ["0", "-1"])
def test_a_cursor_that_is_no_sequence_number(tmp_path: Path, before: str) -> None:
    refused = run(tmp_path, "list", "--before", before)
    assert refused.returncode == 2
    assert "--before: must be a record's sequence number" in refused.stderr


def test_pages_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = Journal.open(tmp_path)
    for n in range(5):
        details = {**ACCESS_DETAILS.stored(), "n": n}
        journal.append(JournalEntry(JournalKind.ACCESS, "899700735741", f"P{n}", details))
    monkeypatch.setenv("CARDBRIDGE_DATA_DIR", str(tmp_path))
    assert main(["journal", "list", "--limit", "2", "--before", "5"]) == 0
    out, err = capsys.readouterr()
    assert seqs(out) == [4, 3]
    assert err == "Older records: the same command with --before 3.\n"
    assert main(["journal", "list", "--limit", "2", "--before", "2"]) == 0
    out, err = capsys.readouterr()
    assert (seqs(out), err) == ([1], "")
    assert main(["journal", "list", "--before", "0"]) == 2
