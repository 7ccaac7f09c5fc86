"""The DMP access journal: chain integrity, tampering detection, durability under kill."""

from __future__ import annotations

import hashlib
import hmac
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from cardbridge.dmp import journal as journal_module
from cardbridge.dmp.journal import (
    DATABASE_NAME,
    KEY_NAME,
    Journal,
    JournalEntry,
    JournalKind,
)
from cardbridge.errors import JournalError

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


def test_a_record_appended_during_a_check_is_no_tampering(
    journal: Journal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check reads the records, then the head: a record written in between (by the
    server, while the check runs) must not look like a head ahead of its records."""
    writer = Journal.open(tmp_path)
    real_connect = journal_module.connect

    @contextmanager
    def connect_and_append_after_the_records(database: Path) -> Iterator[object]:
        monkeypatch.undo()  # the writer's own connection is a plain one
        with real_connect(database) as db:

            class AppendsAfterRecords:
                def execute(self, sql: str, *params: object) -> sqlite3.Cursor:
                    cursor = db.execute(sql, *params)
                    if "FROM records" in sql:
                        rows = cursor.fetchall()
                        writer.append(entry(99), now=T0 + timedelta(days=9))
                        return _Rows(rows)  # type: ignore[return-value]
                    return cursor

            yield AppendsAfterRecords()

    monkeypatch.setattr(journal_module, "connect", connect_and_append_after_the_records)
    report = journal.verify()
    assert report.ok, report.problems
    assert report.records == 5  # the snapshot before the append
    assert journal.verify().records == 6


class _Rows:
    def __init__(self, rows: list[object]) -> None:
        self._rows = rows

    def fetchall(self) -> list[object]:
        return self._rows


@pytest.mark.parametrize(
    ("edit", "listed"),
    [
        ("UPDATE records SET recorded_at = x'00ff' WHERE seq = 2", False),
        ("UPDATE records SET prev_mac = x'00ff' WHERE seq = 2", True),
        ("UPDATE records SET kind = 7, details = '[1' WHERE seq = 2", False),
    ],
)
def test_records_edited_into_other_types_are_reported(
    journal: Journal, edit: str, listed: bool
) -> None:
    """Reported, never a crash (which the API would answer with a 500)."""
    raw(journal, edit)
    report = journal.verify()
    assert not report.ok
    assert any("record 2" in problem for problem in report.problems)
    if listed:  # the listing does not show the edited column
        assert len(journal.query()) == 5
    else:
        with pytest.raises(JournalError) as caught:
            journal.query()
        assert str(caught.value) == (
            "A record of the DMP access journal cannot be read: the journal was tampered "
            "with. Run `cardbridge journal verify`, keep the journal files as evidence and "
            "ask your administrator."
        )


def test_edited_record_is_detected(journal: Journal) -> None:
    raw(journal, "UPDATE records SET details = ? WHERE seq = 3", '{"mode":"bris_de_glace","n":2}')
    assert journal.verify().problems == ("record 3 was modified",)


def test_deleted_record_is_detected(journal: Journal) -> None:
    raw(journal, "DELETE FROM records WHERE seq = 2")
    assert journal.verify().problems == (
        "records 2 to 2 are missing (deleted)",
        "record 3 does not follow the record before it (a record was deleted or the order changed)",
        "the journal holds 4 records but 5 were written",
    )


def test_deleted_last_record_is_detected(journal: Journal) -> None:
    raw(journal, "DELETE FROM records WHERE seq = 5")
    assert journal.verify().problems == ("records 5 to 5 are missing at the end (deleted)",)


def last_mac(journal: Journal, seq: int) -> str:
    return journal.query(limit=1000)[-seq].mac


def test_tail_truncation_with_the_head_rewritten_is_detected(journal: Journal) -> None:
    previous = last_mac(journal, 4)
    raw(journal, "DELETE FROM records WHERE seq = 5")
    raw(journal, "UPDATE head SET seq = 4, mac = ?, count = 4", previous)
    assert journal.verify().problems == (
        "the journal head was modified: the last records may have been deleted",
    )
    # Nothing is chained onto a tampered end (which would hide the deletion).
    with pytest.raises(JournalError, match="tampered with"):
        journal.append(entry(9))
    assert journal.verify().records == 4


def test_head_moved_back_without_deleting_is_detected(journal: Journal) -> None:
    raw(journal, "UPDATE head SET seq = 4, mac = ?, count = 4", last_mac(journal, 4))
    assert journal.verify().problems == (
        "the journal head was modified: the last records may have been deleted",
    )


def test_head_signed_behind_the_last_record_is_detected(tmp_path: Path) -> None:
    """With the key (an attacker who has both files), a head re-signed one record back: the
    check still says the head and the records disagree, and how."""
    journal = Journal(tmp_path / "j.sqlite3", b"\x07" * 32)
    for n in range(3):
        journal.append(entry(n), now=T0)
    previous = last_mac(journal, 2)
    tag = journal._head_tag(2, previous, 2)
    raw(journal, "UPDATE head SET seq = 2, mac = ?, count = 2, tag = ?", previous, tag)
    assert journal.verify().problems == (
        "the journal head names record 2 as the last one, not record 3 "
        "(records were added or replaced behind the journal's back)",
        "the journal holds 3 records but 2 were written",
    )
    with pytest.raises(JournalError) as caught:
        journal.append(entry(9))
    assert str(caught.value) == (
        "The DMP access journal was tampered with (its last records or its head), so "
        "cardbridge adds nothing to it and no DMP access can be traced. Run `cardbridge "
        "journal verify`, keep the journal files as evidence and ask your administrator."
    )


@pytest.mark.parametrize(
    ("statements", "problem"),
    [
        (
            ["DELETE FROM records", "DELETE FROM head"],
            "the journal is empty and its head is gone: the journal was wiped",
        ),
        (["DELETE FROM records"], "the journal is empty but 5 records were written: it was wiped"),
        (
            ["DROP TABLE records", "DROP TABLE head"],
            "the journal is empty and its head is gone: the journal was wiped",
        ),
        (
            ["DELETE FROM head"],
            "the journal head was deleted: the last records may be missing too",
        ),
    ],
)
def test_wiped_journal_is_detected(
    journal: Journal, tmp_path: Path, statements: list[str], problem: str
) -> None:
    for statement in statements:
        raw(journal, statement)
    reopened = Journal.open(tmp_path)
    assert reopened.verify().problems == (problem,)
    with pytest.raises(JournalError, match="tampered with"):
        reopened.append(entry(9))


def test_deleted_database_is_reported_not_replaced(journal: Journal, tmp_path: Path) -> None:
    for path in tmp_path.glob(f"{DATABASE_NAME}*"):  # with its -wal and -shm files
        path.unlink()
    reopened = Journal.open(tmp_path)
    report = reopened.verify()
    missing = (
        f"the journal database {tmp_path / DATABASE_NAME} is missing although its key is "
        "there: it was deleted or moved. Put it back from a backup; if this is a new "
        f"installation whose first start was interrupted, delete {tmp_path / KEY_NAME} to "
        "start a new journal"
    )
    assert (report.records, report.problems) == (0, (missing,))
    with pytest.raises(JournalError) as caught:
        reopened.append(entry(9))
    assert str(caught.value) == (
        "Cannot write the DMP access journal, so no DMP access can be traced: "
        f"{missing}. Ask your administrator."
    )
    with pytest.raises(JournalError) as caught:
        reopened.query()
    assert (
        str(caught.value)
        == f"Cannot read the DMP access journal: {missing}. Ask your administrator."
    )
    assert not (tmp_path / DATABASE_NAME).exists()


def test_a_new_journal_verifies_with_no_record(tmp_path: Path) -> None:
    report = Journal.open(tmp_path).verify()
    assert (report.ok, report.records) == (True, 0)
    assert Journal.open(tmp_path).verify().ok  # opened again: still the same journal


def test_head_is_authenticated_by_the_key(journal: Journal) -> None:
    assert Journal(journal.database, b"\x02" * 32).verify().problems[-1] == (
        "the journal head was modified: the last records may have been deleted"
    )


LEGACY_HEAD = (
    "CREATE TABLE head_v1 (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, "
    "mac TEXT NOT NULL)"
)


def make_legacy(journal: Journal, *, with_head: bool = True) -> None:
    """The journal as the first version wrote it: a head of seq and MAC only."""
    raw(journal, LEGACY_HEAD)
    if with_head:
        raw(journal, "INSERT INTO head_v1 SELECT id, seq, mac FROM head")
    raw(journal, "DROP TABLE head")
    raw(journal, "ALTER TABLE head_v1 RENAME TO head")


def test_journal_of_the_first_version_is_reported_not_signed(
    journal: Journal, tmp_path: Path
) -> None:
    """Signing an unsigned head at the next start would let anyone who can edit the
    database cut its end off unnoticed: it stays unauthenticated, and nothing is added."""
    make_legacy(journal)
    reopened = Journal.open(tmp_path)
    (problem,) = reopened.verify().problems
    assert problem == (
        "the journal head is not authenticated (a journal of an older cardbridge, or an "
        "edited head): its last records may have been deleted unnoticed; keep it as "
        "evidence and start a new journal"
    )
    with pytest.raises(JournalError):
        reopened.append(entry(5))
    assert Journal.open(tmp_path).verify().problems == (problem,)  # still, after a restart


def test_truncation_with_the_head_marked_unsigned_is_detected(
    journal: Journal, tmp_path: Path
) -> None:
    raw(journal, "DELETE FROM records WHERE seq = 5")
    raw(journal, "UPDATE head SET seq = 4, mac = ?, count = NULL, tag = NULL", last_mac(journal, 4))
    assert not Journal.open(tmp_path).verify().ok


def test_wipe_into_the_first_versions_layout_is_detected(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path)
    journal.append(entry(1))
    raw(journal, "DELETE FROM records")
    make_legacy(journal, with_head=False)  # no head at all, in the old layout
    assert not Journal.open(tmp_path).verify().ok


def test_damaged_database_is_reported(journal: Journal, tmp_path: Path) -> None:
    for path in tmp_path.glob(f"{DATABASE_NAME}-*"):
        path.unlink()
    (tmp_path / DATABASE_NAME).write_bytes(b"not a database at all" * 100)
    report = journal.verify()
    (problem,) = report.problems
    assert report.records == 0
    assert problem.startswith("the journal database cannot be read (")
    assert problem.endswith("): it was damaged or replaced")
    with pytest.raises(JournalError) as caught:
        journal.query()
    assert str(caught.value) == (
        "Cannot read the DMP access journal: file is not a database; check the data "
        "directory. Ask your administrator."
    )
    with pytest.raises(JournalError) as caught:
        journal.append(entry(9))
    assert str(caught.value) == (
        "Cannot write the DMP access journal, so no DMP access can be traced: file is not a "
        "database; check the data directory. Ask your administrator."
    )


def test_reordered_records_are_detected(journal: Journal) -> None:
    raw(journal, "UPDATE records SET seq = 100 WHERE seq = 2")
    raw(journal, "UPDATE records SET seq = 2 WHERE seq = 3")
    raw(journal, "UPDATE records SET seq = 3 WHERE seq = 100")
    assert journal.verify().problems == (
        "record 2 does not follow the record before it (a record was deleted or the order changed)",
        "record 2 was modified",
        "record 3 does not follow the record before it (a record was deleted or the order changed)",
        "record 3 was modified",
        "record 4 does not follow the record before it (a record was deleted or the order changed)",
    )


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
    history = journal.records_of("810001234567", "P1")
    assert [r.details["n"] for r in history] == [0, 1, 2, 3, 4]  # oldest first
    assert journal.records_of("810001234567", "P3") == []


def test_query_before_a_record_pages_the_journal(journal: Journal) -> None:
    """The cursor: records strictly older than the given sequence number, newest first."""
    journal.append(entry(5, patient="P2"), now=T0 + timedelta(days=5))
    assert [r.seq for r in journal.query(before=4)] == [3, 2, 1]
    assert [r.seq for r in journal.query(before=4, limit=2)] == [3, 2]
    assert [r.seq for r in journal.query(before=2)] == [1]
    assert journal.query(before=1) == []
    assert [r.seq for r in journal.query(before=7)] == [6, 5, 4, 3, 2, 1]
    assert [r.seq for r in journal.query(before=6, patient="P1", limit=2)] == [5, 4]
    assert journal.query(before=6, patient="P2") == []
    # Page after page, every record once.
    pages, cursor = [], None
    for _ in range(4):
        page = [r.seq for r in journal.query(before=cursor, limit=4)]
        pages.append(page)
        if not page:
            break
        cursor = page[-1]
    assert pages == [[6, 5, 4, 3], [2, 1], []]


def test_query_by_key_prefix(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path)
    for patient in (
        "295109912611193^^^&1.2.250.1.213.1.4.8&ISO^NH",
        "295109912611193^^^&1.2.250.1.213.1.4.10&ISO^NH",
        "2951099126111930^^^&1.2.250.1.213.1.4.8&ISO^NH",  # not the same matricule
        "295109912611192^^^&1.2.250.1.213.1.4.8&ISO^NH",
        "295109912611194^^^&1.2.250.1.213.1.4.8&ISO^NH",
        "295109912611193^^^'",  # sorts right after every text that starts with the prefix
    ):
        journal.append(entry(0, patient=patient))
    found = journal.query(patient_prefix="295109912611193^^^&")
    assert [r.seq for r in found] == [2, 1]


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


def test_consent_history_ignores_another_practitioners_accesses(journal: Journal) -> None:
    """The history that decides whether consent is needed is this practitioner's own: another
    practitioner's access to the same patient must not count as a previous access."""
    journal.append(entry(7, practitioner="899999999999"), now=T0 + timedelta(days=7))
    journal.append(entry(8, practitioner="899999999999", patient="P2"), now=T0 + timedelta(days=8))
    assert journal.records_of("899999999999", "P1") == journal.query(
        practitioner="899999999999", patient="P1"
    )
    assert [r.details["n"] for r in journal.records_of("899999999999", "P1")] == [7]
    assert [r.details["n"] for r in journal.records_of("810001234567", "P1")] == [0, 1, 2, 3, 4]
    assert journal.records_of("810001234567", "P2") == []


def test_patient_filter_combines_with_the_other_filters(journal: Journal) -> None:
    journal.append(
        JournalEntry(JournalKind.DEPOSIT, "810001234567", "P1", {"n": 5}),
        now=T0 + timedelta(days=5),
    )
    journal.append(entry(6, patient="P2"), now=T0 + timedelta(days=6))
    journal.append(entry(7, practitioner="899999999999"), now=T0 + timedelta(days=7))
    deposits = journal.query(patient="P1", kind=JournalKind.DEPOSIT)
    assert [r.details["n"] for r in deposits] == [5]
    accesses = journal.query(patient="P1", kind=JournalKind.ACCESS, practitioner="810001234567")
    assert [r.details["n"] for r in accesses] == [4, 3, 2, 1, 0]
    window = journal.query(patient="P1", since=T0 + timedelta(days=2), until=T0 + timedelta(days=7))
    assert [r.details["n"] for r in window] == [7, 5, 4, 3, 2]
    by_prefix = journal.query(patient_prefix="P", kind=JournalKind.ACCESS, since=T0 + timedelta(6))
    assert [r.details["n"] for r in by_prefix] == [7, 6]
    assert [r.seq for r in journal.query(patient="P1", limit=2)] == [8, 6]


def test_query_bounds_are_inclusive_to_the_microsecond(journal: Journal) -> None:
    at = T0 + timedelta(days=2)
    assert [r.seq for r in journal.query(since=at, until=at)] == [3]
    tick = timedelta(microseconds=1)
    assert journal.query(since=at + tick, until=T0 + timedelta(days=3) - tick) == []


@pytest.fixture
def chatham_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process runs 13 h 45 ahead of UTC (a POSIX TZ rule: no time zone database needed),
    so a journal that wrote or compared local times would be caught in CI, which runs on UTC."""
    monkeypatch.setenv("TZ", "CHAST-12:45CHADT-13:45,M9.5.0/2:45,M4.1.0/3:45")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_dates_are_recorded_in_utc_under_a_local_time_zone(
    chatham_time: None, tmp_path: Path
) -> None:
    assert datetime(2026, 1, 10, 9, 0).astimezone().utcoffset() == timedelta(hours=13, minutes=45)
    journal = Journal.open(tmp_path)
    # 09:00 UTC is 22:45 the same day in Chatham (daylight time in January).
    record = journal.append(entry(0), now=T0)
    assert record.recorded_at == T0
    assert record.recorded_at.utcoffset() == timedelta(0)
    before = datetime.now(UTC)
    fresh = journal.append(entry(1))
    assert fresh.recorded_at.utcoffset() == timedelta(0)
    assert before <= fresh.recorded_at <= datetime.now(UTC)
    stored = (
        sqlite3.connect(journal.database)
        .execute("SELECT recorded_at FROM records ORDER BY seq")
        .fetchall()
    )
    assert stored[0] == ("2026-01-10T09:00:00.000000+00:00",)
    assert stored[1][0].endswith("+00:00")
    assert [r.recorded_at.utcoffset() for r in journal.query()] == [timedelta(0)] * 2


def test_query_windows_in_another_time_zone_select_by_instant(
    chatham_time: None, journal: Journal
) -> None:
    """A window given in local time (here UTC+13:45) selects the records of that instant."""
    chatham = timezone(timedelta(hours=13, minutes=45))
    since = (T0 + timedelta(days=1)).astimezone(chatham)
    until = (T0 + timedelta(days=3)).astimezone(chatham)
    assert since.isoformat() == "2026-01-11T22:45:00+13:45"
    assert [r.seq for r in journal.query(since=since, until=until)] == [4, 3, 2]
    # 21:00 UTC is 10:45 the next day in Chatham, after the next record's 09:00 UTC: a bound
    # compared in local time would let that record in.
    evening = T0 + timedelta(days=3, hours=12)
    assert [r.seq for r in journal.query(until=evening)] == [4, 3, 2, 1]
    assert [r.seq for r in journal.query(since=evening)] == [5]
    local_naive_until = (T0 + timedelta(days=3)).astimezone().replace(tzinfo=None)
    assert [r.seq for r in journal.query(until=local_naive_until)] == [4, 3, 2, 1]


def test_record_and_head_macs_follow_the_documented_format(tmp_path: Path) -> None:
    """mac = HMAC-SHA256(key, previous mac || JSON of the record, keys sorted, no spaces),
    the first record chained to 64 zeros; the head's tag covers its sequence number, MAC
    and count, after a domain prefix. Written out here, so that a journal written by one
    version stays verifiable by the next."""
    key = b"\x01" * 32
    journal = Journal(tmp_path / "j.sqlite3", key)
    record = journal.append(entry(0), now=T0)
    content = (
        b'{"details":{"mode":"normal","n":0},"kind":"access","patient":"P1",'
        b'"practitioner":"810001234567","recorded_at":"2026-01-10T09:00:00.000000+00:00",'
        b'"seq":1}'
    )
    mac = hmac.new(key, b"0" * 64 + content, hashlib.sha256).hexdigest()
    assert record.mac == mac
    head = b'{"count":1,"mac":"' + mac.encode() + b'","seq":1}'
    tag = hmac.new(key, b"cardbridge journal head\x00" + head, hashlib.sha256).hexdigest()
    db = sqlite3.connect(journal.database)
    assert db.execute("SELECT seq, mac, count, tag FROM head").fetchall() == [(1, mac, 1, tag)]
    assert db.execute("SELECT prev_mac, mac FROM records").fetchall() == [("0" * 64, mac)]
    db.close()


def test_append_returns_the_record_as_stored(journal: Journal) -> None:
    record = journal.append(
        JournalEntry(JournalKind.DEPOSIT, "899999999999", "P9", {"b": [1, "é"], "a": None}),
        now=T0 + timedelta(days=9),
    )
    assert record == journal.query(limit=1)[0]
    assert (record.seq, record.kind, record.practitioner, record.patient) == (
        6,
        JournalKind.DEPOSIT,
        "899999999999",
        "P9",
    )
    assert record.details == {"a": None, "b": [1, "é"]}
    assert record.recorded_at == T0 + timedelta(days=9)


def test_a_journal_in_a_new_directory_tree_is_created(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path / "several" / "levels")
    assert journal.append(entry(0)).seq == 1
    assert journal.verify().ok


def test_the_default_query_limit_is_1000(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3", b"\x01" * 32)
    at = T0.isoformat(timespec="microseconds")
    db = sqlite3.connect(journal.database)  # 1001 rows at once (the listing checks no MAC)
    db.executemany(
        "INSERT INTO records VALUES (?, ?, 'access', '810001234567', 'P1', '{}', ?, ?)",
        [(n, at, "0" * 64, "0" * 64) for n in range(1, 1002)],
    )
    db.commit()
    db.close()
    assert len(journal.query()) == 1000
    assert len(journal.query(limit=-1)) == 1001
    assert len(journal.records_of("810001234567", "P1")) == 1001


def test_a_journal_that_cannot_be_opened_says_what_to_check(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    with pytest.raises(JournalError) as caught:
        Journal.open(not_a_directory)
    message = str(caught.value)
    assert message.startswith(f"Cannot open the DMP access journal in {not_a_directory}: ")
    assert message.endswith(
        ". Check that the directory exists and belongs to you, then run "
        "`cardbridge journal verify`."
    )
