"""The DMP access journal: append-only, hash-chained records in SQLite (WAL).

Every DMP access and document deposit prepared through cardbridge is recorded: who
(national id), which practice situation, which patient (INS, or identity traits), the
access mode, the consent attestation or emergency reason, the time and the VIHF id.

Integrity: each record stores the MAC of the previous one and its own
``mac = HMAC-SHA256(key, prev_mac || canonical JSON of the record)``. A ``head`` row
holds the last sequence number, its MAC and the number of records, authenticated by
its own HMAC: a new journal starts with a head for zero records, so a deleted head, a
head moved back to an earlier record, or records missing at the end are reported by
:meth:`Journal.verify`, like edited, deleted or reordered records. A journal whose
database is gone while its key is there is reported, never silently started again
(:meth:`Journal.open`), and nothing is added to a journal whose end was tampered with.
The key lives beside the database (mode 0600): this detects edits of the database
alone, not of both files, nor a whole earlier copy of the database put back. SQL
triggers refuse UPDATE and DELETE. Durability: WAL with ``synchronous=FULL``, so a
record is on disk when :meth:`Journal.append` returns, even if the process is killed
right after.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cardbridge.dmp.journal_store import (
    DATABASE_NAME,
    GENESIS_MAC,
    KEY_NAME,
    LOCK_NAME,
    canonical,
    connect,
    create_key,
    prepare,
    read_key,
)
from cardbridge.errors import JournalError
from cardbridge.filelock import exclusive_lock


class JournalKind(StrEnum):
    ACCESS = "access"
    DEPOSIT = "deposit"


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """What a workflow records; ``patient`` is an INS value or a traits key."""

    kind: JournalKind
    practitioner: str
    patient: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class JournalRecord:
    """A stored record."""

    seq: int
    recorded_at: datetime
    kind: JournalKind
    practitioner: str
    patient: str
    details: Mapping[str, Any]
    mac: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Outcome of :meth:`Journal.verify`: ``problems`` is empty when intact."""

    records: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


_FIELDS = ("seq", "recorded_at", "kind", "practitioner", "patient", "details")
_TAMPERED_ADVICE = (
    "Run `cardbridge journal verify`, keep the journal files as evidence and ask your "
    "administrator."
)
# Distinguishes a head's tag from a record's MAC (whose input starts with 64 hex digits).
_HEAD_DOMAIN = b"cardbridge journal head\x00"


def _content(row: tuple[Any, ...]) -> bytes:
    """What the MAC covers: the record's fields (``_FIELDS`` order), details parsed."""
    record = dict(zip(_FIELDS, row, strict=True))
    record["details"] = json.loads(record["details"])
    return canonical(record)


def _missing_database(database: Path) -> str:
    return (
        f"the journal database {database} is missing although its key is there: it was "
        "deleted or moved. Put it back from a backup; if this is a new installation whose "
        f"first start was interrupted, delete {database.with_name(KEY_NAME)} to start a "
        "new journal"
    )


class Journal:
    """The journal of one data directory. Safe to use from several threads and processes."""

    def __init__(self, database: Path, key: bytes, *, create: bool = True) -> None:
        """Open ``database``, creating it (with its first head) if ``create`` and missing.

        Opened with ``create=False`` and missing, the journal reports it: :meth:`verify`
        says so, the other methods raise :class:`JournalError`.
        """
        self.database = database
        self._key = key
        new = not database.exists()
        if new and not create:
            return
        with connect(database, create=True) as db:
            prepare(db, new=new, sign=self._head_tag)

    @classmethod
    def open(cls, data_dir: Path) -> Journal:
        """The journal of ``data_dir``, created on first use (never over a deleted one)."""
        database, key_path = data_dir / DATABASE_NAME, data_dir / KEY_NAME
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            with exclusive_lock(data_dir / LOCK_NAME):
                if key_path.exists():
                    return cls(database, read_key(key_path), create=False)
                # A database without its key: the new key will say every record was modified.
                return cls(database, create_key(key_path))
        except (OSError, ValueError, sqlite3.Error) as error:
            raise JournalError(
                f"Cannot open the DMP access journal in {data_dir}: {error}. Check that the "
                "directory exists and belongs to you, then run `cardbridge journal verify`."
            ) from None

    def _mac(self, prev_mac: str, content: bytes) -> str:
        return hmac.new(self._key, prev_mac.encode() + content, hashlib.sha256).hexdigest()

    def _head_tag(self, seq: int, mac: str, count: int) -> str:
        head = canonical({"seq": seq, "mac": mac, "count": count})
        return hmac.new(self._key, _HEAD_DOMAIN + head, hashlib.sha256).hexdigest()

    def _unavailable(self, error: sqlite3.Error, *, writing: bool) -> JournalError:
        if not self.database.exists():
            reason = _missing_database(self.database)
        else:
            reason = f"{error}; check the data directory"
        consequence = ", so no DMP access can be traced" if writing else ""
        return JournalError(
            f"Cannot {'write' if writing else 'read'} the DMP access journal{consequence}: "
            f"{reason}. Ask your administrator."
        )

    def _checked_head(self, db: sqlite3.Connection) -> tuple[int, str, int]:
        """The head, if authentic and at the last record; else :class:`JournalError`."""
        head = db.execute("SELECT seq, mac, count, tag FROM head WHERE id = 1").fetchone()
        last = db.execute("SELECT seq, mac FROM records ORDER BY seq DESC LIMIT 1").fetchone()
        if (
            head is None
            or not hmac.compare_digest(str(head[3]), self._head_tag(*head[:3]))
            or (head[0], head[1]) != (tuple(last) if last else (0, GENESIS_MAC))
        ):
            raise JournalError(
                "The DMP access journal was tampered with (its last records or its head), so "
                f"cardbridge adds nothing to it and no DMP access can be traced. {_TAMPERED_ADVICE}"
            )
        return head[0], head[1], head[2]

    def check_writable(self) -> None:
        """Raise :class:`JournalError` now if a record could not be added (a journal
        tampered with, missing, or unreadable): a DMP access is not made without its trace."""
        try:
            with connect(self.database) as db:
                self._checked_head(db)
        except sqlite3.Error as error:
            raise self._unavailable(error, writing=True) from None

    def append(self, entry: JournalEntry, *, now: datetime | None = None) -> JournalRecord:
        """Add a record; it is durable when this returns."""
        recorded_at = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
        details = canonical(dict(entry.details)).decode()
        try:
            with connect(self.database) as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    last_seq, prev_mac, count = self._checked_head(db)
                    seq = last_seq + 1
                    row = (
                        seq,
                        recorded_at,
                        entry.kind.value,
                        entry.practitioner,
                        entry.patient,
                        details,
                    )
                    mac = self._mac(prev_mac, _content(row))
                    db.execute(
                        "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (*row, prev_mac, mac)
                    )
                    db.execute(
                        "UPDATE head SET seq = ?, mac = ?, count = ?, tag = ? WHERE id = 1",
                        (seq, mac, count + 1, self._head_tag(seq, mac, count + 1)),
                    )
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as error:
            raise self._unavailable(error, writing=True) from None
        return JournalRecord(
            seq,
            datetime.fromisoformat(recorded_at),
            entry.kind,
            entry.practitioner,
            entry.patient,
            json.loads(details),
            mac,
        )

    def query(
        self,
        *,
        patient: str | None = None,
        practitioner: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: JournalKind | None = None,
        limit: int = 1000,
        patient_prefix: str | None = None,
        before: int | None = None,
    ) -> list[JournalRecord]:
        """Records matching every given filter, newest first; ``patient`` is the patient
        as recorded, ``patient_prefix`` how it starts (an INS matricule and ``^^^&``).

        ``before`` is the cursor of the pages: only records older than the record of that
        sequence number, so that the next page starts after the last record of this one.
        """
        clauses: list[str] = []
        params: list[object] = []
        if before is not None:
            clauses.append("seq < ?")
            params.append(before)
        for column, value in (("patient", patient), ("practitioner", practitioner), ("kind", kind)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(str(value))
        if patient_prefix:
            # A range rather than LIKE, so that the patient index is used: every text
            # starting with the prefix sorts between it and the prefix with its last
            # character raised by one.
            clauses.append("patient >= ? AND patient < ?")
            params += [patient_prefix, patient_prefix[:-1] + chr(ord(patient_prefix[-1]) + 1)]
        if since is not None:
            clauses.append("recorded_at >= ?")
            params.append(since.astimezone(UTC).isoformat(timespec="microseconds"))
        if until is not None:
            clauses.append("recorded_at <= ?")
            params.append(until.astimezone(UTC).isoformat(timespec="microseconds"))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        # Only fixed column names are interpolated; values are bound parameters.
        sql = (
            "SELECT seq, recorded_at, kind, practitioner, patient, details, mac FROM records "  # noqa: S608
            f"{where} ORDER BY seq DESC LIMIT ?"
        )
        try:
            with connect(self.database) as db:
                rows = db.execute(sql, [*params, limit]).fetchall()
        except sqlite3.Error as error:
            raise self._unavailable(error, writing=False) from None
        try:
            return [
                JournalRecord(
                    seq,
                    datetime.fromisoformat(at),
                    JournalKind(kind_),
                    who,
                    whom,
                    json.loads(details),
                    mac,
                )
                for seq, at, kind_, who, whom, details, mac in rows
            ]
        except (ValueError, TypeError):  # a record edited into something unreadable
            raise JournalError(
                "A record of the DMP access journal cannot be read: the journal was tampered "
                f"with. {_TAMPERED_ADVICE}"
            ) from None

    def records_of(self, practitioner: str, patient: str) -> list[JournalRecord]:
        """Every record of ``practitioner`` about ``patient``, oldest first."""
        return self.query(practitioner=practitioner, patient=patient, limit=-1)[::-1]

    def verify(self) -> VerifyReport:
        """Check the whole chain and its head: edited, deleted (anywhere, the last ones
        included) and reordered records are reported, and so is a wiped journal."""
        if not self.database.exists():
            return VerifyReport(0, (_missing_database(self.database),))
        try:
            with connect(self.database) as db:
                # One read transaction: both reads see the same snapshot, so a record
                # appended meanwhile is not mistaken for a head ahead of its records.
                db.execute("BEGIN")
                rows = db.execute(
                    "SELECT seq, recorded_at, kind, practitioner, patient, details, prev_mac, mac "
                    "FROM records ORDER BY seq"
                ).fetchall()
                head = db.execute("SELECT seq, mac, count, tag FROM head WHERE id = 1").fetchone()
                db.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            unreadable = (
                f"the journal database cannot be read ({error}): it was damaged or replaced"
            )
            return VerifyReport(0, (unreadable,))
        problems = self._chain_problems(rows)
        last = (rows[-1][0], rows[-1][7]) if rows else (0, GENESIS_MAC)
        problems += self._head_problems(head, last, len(rows))
        return VerifyReport(len(rows), tuple(problems))

    def _chain_problems(self, rows: list[tuple[Any, ...]]) -> list[str]:
        problems: list[str] = []
        expected_prev, expected_seq = GENESIS_MAC, 1
        for seq, at, kind, who, whom, details, prev_mac, mac in rows:
            if seq != expected_seq:
                problems.append(f"records {expected_seq} to {seq - 1} are missing (deleted)")
            if prev_mac != expected_prev:
                problems.append(
                    f"record {seq} does not follow the record before it "
                    "(a record was deleted or the order changed)"
                )
            try:
                content = _content((seq, at, kind, who, whom, details))
            except (ValueError, TypeError):  # not JSON, or values of another type
                problems.append(f"record {seq} is unreadable (modified)")
            else:
                if not hmac.compare_digest(self._mac(str(prev_mac), content), str(mac)):
                    problems.append(f"record {seq} was modified")
            expected_prev, expected_seq = mac, seq + 1
        return problems

    def _head_problems(
        self, head: tuple[Any, ...] | None, last: tuple[int, str], count: int
    ) -> list[str]:
        """What the head says was written, against what is there."""
        if head is None:
            if count == 0:
                return ["the journal is empty and its head is gone: the journal was wiped"]
            return ["the journal head was deleted: the last records may be missing too"]
        seq, mac, written, tag = head
        if tag is None:
            return [
                "the journal head is not authenticated (a journal of an older cardbridge, or "
                "an edited head): its last records may have been deleted unnoticed; keep it "
                "as evidence and start a new journal"
            ]
        if not hmac.compare_digest(str(tag), self._head_tag(seq, mac, written)):
            return ["the journal head was modified: the last records may have been deleted"]
        if seq > last[0]:
            if count == 0:
                return [f"the journal is empty but {written} records were written: it was wiped"]
            return [f"records {last[0] + 1} to {seq} are missing at the end (deleted)"]
        problems = []
        if (seq, mac) != last:
            problems.append(
                f"the journal head names record {seq} as the last one, not record {last[0]} "
                "(records were added or replaced behind the journal's back)"
            )
        if written != count:
            problems.append(f"the journal holds {count} records but {written} were written")
        return problems
