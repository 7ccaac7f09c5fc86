"""The DMP access journal: chain integrity, tampering detection, durability under kill."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cardbridge.dmp.journal import DATABASE_NAME, Journal, JournalEntry, JournalKind

T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def entry(n: int, practitioner: str = "810001234567", patient: str = "P1") -> JournalEntry:
    return JournalEntry(JournalKind.ACCESS, practitioner, patient, {"mode": "normal", "n": n})


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    j = Journal.open(tmp_path)
    for n in range(5):
        j.append(entry(n), now=T0 + timedelta(days=n))
    return j


def raw(journal: Journal, sql: str, *params: object) -> None:
    """Edit the database behind the journal's back, as an attacker with file access would."""
    db = sqlite3.connect(journal.database, isolation_level=None)
    db.execute("DROP TRIGGER IF EXISTS records_no_update")
    db.execute("DROP TRIGGER IF EXISTS records_no_delete")
    db.execute(sql, params)
    db.close()


def test_intact_journal_verifies(journal: Journal) -> None:
    report = journal.verify()
    assert report.ok, report.problems
    assert report.records == 5


def test_append_only_by_triggers(journal: Journal) -> None:
    db = sqlite3.connect(journal.database)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE records SET patient = 'X' WHERE seq = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM records WHERE seq = 2")


def test_edited_record_is_detected(journal: Journal) -> None:
    raw(journal, "UPDATE records SET details = ? WHERE seq = 3", '{"mode":"bris_de_glace","n":2}')
    assert journal.verify().problems == ("record 3 was modified",)


def test_deleted_record_is_detected(journal: Journal) -> None:
    raw(journal, "DELETE FROM records WHERE seq = 2")
    problems = journal.verify().problems
    assert any("records 2 to 2 are missing" in p for p in problems)
    assert any("record 3 does not follow" in p for p in problems)


def test_deleted_last_record_is_detected(journal: Journal) -> None:
    raw(journal, "DELETE FROM records WHERE seq = 5")
    assert any("last records were deleted" in p for p in journal.verify().problems)


def test_reordered_records_are_detected(journal: Journal) -> None:
    raw(journal, "UPDATE records SET seq = 100 WHERE seq = 2")
    raw(journal, "UPDATE records SET seq = 2 WHERE seq = 3")
    raw(journal, "UPDATE records SET seq = 3 WHERE seq = 100")
    assert not journal.verify().ok


def test_edit_without_the_key_cannot_be_hidden(journal: Journal, tmp_path: Path) -> None:
    other = Journal(tmp_path / "other.sqlite3", b"\x01" * 32)
    other.append(entry(0, patient="FORGED"), now=T0)
    assert not Journal(other.database, b"\x02" * 32).verify().ok


def test_query_filters(journal: Journal) -> None:
    journal.append(entry(9, practitioner="899999999999", patient="P2"), now=T0 + timedelta(days=9))
    assert [r.details["n"] for r in journal.query(patient="P1")] == [4, 3, 2, 1, 0]
    assert [r.patient for r in journal.query(practitioner="899999999999")] == ["P2"]
    window = journal.query(since=T0 + timedelta(days=1), until=T0 + timedelta(days=3))
    assert [r.seq for r in window] == [4, 3, 2]
    assert journal.query(kind=JournalKind.DEPOSIT) == []
    last = journal.last_access("810001234567", "P1")
    assert last is not None
    assert last.recorded_at == T0 + timedelta(days=4)
    assert journal.last_access("810001234567", "P3") is None


def test_key_is_private_and_stable(tmp_path: Path) -> None:
    first = Journal.open(tmp_path)
    first.append(entry(1))
    assert (tmp_path / "dmp-journal.key").stat().st_mode & 0o777 == 0o600
    assert Journal.open(tmp_path).verify().ok


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from cardbridge.dmp.journal import Journal, JournalEntry, JournalKind
    journal = Journal.open(Path(sys.argv[1]))
    for n in range(100000):
        record = journal.append(JournalEntry(JournalKind.ACCESS, "810001234567", "P", {"n": n}))
        print(record.seq, flush=True)
    """
)


def test_killed_writer_loses_no_acknowledged_record(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    acknowledged = [int(proc.stdout.readline()) for _ in range(150)]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    acknowledged += [int(line) for line in proc.stdout.read().split()]
    journal = Journal.open(tmp_path)
    report = journal.verify()
    assert report.ok, report.problems
    stored = {r.seq for r in journal.query(limit=1_000_000)}
    assert set(acknowledged) <= stored
    assert (tmp_path / DATABASE_NAME).exists()
