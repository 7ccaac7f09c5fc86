"""The DMP access journal: append-only, hash-chained records in SQLite (WAL).

Every DMP access and document deposit prepared through cardbridge is recorded: who
(national id), which practice situation, which patient (INS, or identity traits), the
access mode, the consent attestation or emergency reason, the time and the VIHF id.

Integrity: each record stores the MAC of the previous one and its own
``mac = HMAC-SHA256(key, prev_mac || canonical JSON of the record)``; a ``head`` row
holds the last sequence number and MAC. The key lives beside the database (mode
0600), so an edit of the database alone, a deleted record (in the middle or at the
end) or a reordering is detected by :meth:`Journal.verify`. SQL triggers refuse
UPDATE and DELETE. Durability: WAL with ``synchronous=FULL``, so a record is on disk
when :meth:`Journal.append` returns, even if the process is killed right after.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cardbridge.errors import CardBridgeError

GENESIS_MAC = "0" * 64
DATABASE_NAME = "dmp-journal.sqlite3"
KEY_NAME = "dmp-journal.key"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    practitioner TEXT NOT NULL,
    patient TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_mac TEXT NOT NULL,
    mac TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_patient ON records (patient, recorded_at);
CREATE INDEX IF NOT EXISTS records_practitioner ON records (practitioner, recorded_at);
CREATE TABLE IF NOT EXISTS head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    mac TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS records_no_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'the DMP access journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS records_no_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'the DMP access journal is append-only'); END;
"""


class JournalError(CardBridgeError):
    code = "journal_error"
    default_message = "The DMP access journal cannot be written. Check the data directory."


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


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


_FIELDS = ("seq", "recorded_at", "kind", "practitioner", "patient", "details")


def _content(row: tuple[Any, ...]) -> bytes:
    """What the MAC covers: the record's fields (``_FIELDS`` order), details parsed."""
    record = dict(zip(_FIELDS, row, strict=True))
    record["details"] = json.loads(record["details"])
    return _canonical(record)


def _load_or_create_key(path: Path) -> bytes:
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    try:
        # link() fails if another process created the key first: keep theirs.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return bytes.fromhex(path.read_text().strip())


class Journal:
    """The journal of one data directory. Safe to use from several threads and processes."""

    def __init__(self, database: Path, key: bytes) -> None:
        self.database = database
        self._key = key
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @classmethod
    def open(cls, data_dir: Path) -> Journal:
        """The journal of ``data_dir``, created on first use."""
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            return cls(data_dir / DATABASE_NAME, _load_or_create_key(data_dir / KEY_NAME))
        except (OSError, sqlite3.Error) as error:
            raise JournalError(
                f"Cannot open the DMP access journal in {data_dir}: {error}"
            ) from None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.database, timeout=30, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            yield db

    def _mac(self, prev_mac: str, content: bytes) -> str:
        return hmac.new(self._key, prev_mac.encode() + content, hashlib.sha256).hexdigest()

    def append(self, entry: JournalEntry, *, now: datetime | None = None) -> JournalRecord:
        """Add a record; it is durable when this returns."""
        recorded_at = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
        details = _canonical(dict(entry.details)).decode()
        try:
            with self._connect() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    head = db.execute("SELECT seq, mac FROM head WHERE id = 1").fetchone()
                    seq, prev_mac = (head[0] + 1, head[1]) if head else (1, GENESIS_MAC)
                    row = (
                        seq,
                        recorded_at,
                        entry.kind.value,
                        entry.practitioner,
                        entry.patient,
                        details,
                    )
                    content = _content(row)
                    mac = self._mac(prev_mac, content)
                    db.execute(
                        "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (*row, prev_mac, mac)
                    )
                    db.execute("INSERT OR REPLACE INTO head VALUES (1, ?, ?)", (seq, mac))
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
        except sqlite3.Error as error:
            raise JournalError(f"Cannot write the DMP access journal: {error}") from None
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
    ) -> list[JournalRecord]:
        """Records matching every given filter, newest first."""
        clauses: list[str] = []
        params: list[object] = []
        for column, value in (("patient", patient), ("practitioner", practitioner), ("kind", kind)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(str(value))
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
        with self._connect() as db:
            rows = db.execute(sql, [*params, limit]).fetchall()
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

    def last_access(self, practitioner: str, patient: str) -> JournalRecord | None:
        """The latest access of ``practitioner`` to ``patient``'s DMP, if any."""
        found = self.query(
            practitioner=practitioner, patient=patient, kind=JournalKind.ACCESS, limit=1
        )
        return found[0] if found else None

    def verify(self) -> VerifyReport:
        """Check the whole chain: edited, deleted and reordered records are reported."""
        problems: list[str] = []
        expected_prev = GENESIS_MAC
        expected_seq = 1
        count = 0
        with self._connect() as db:
            rows = db.execute(
                "SELECT seq, recorded_at, kind, practitioner, patient, details, prev_mac, mac "
                "FROM records ORDER BY seq"
            )
            for seq, at, kind, who, whom, details, prev_mac, mac in rows:
                count += 1
                if seq != expected_seq:
                    problems.append(f"records {expected_seq} to {seq - 1} are missing (deleted)")
                if prev_mac != expected_prev:
                    problems.append(
                        f"record {seq} does not follow the record before it "
                        "(a record was deleted or the order changed)"
                    )
                try:
                    content = _content((seq, at, kind, who, whom, details))
                except ValueError:
                    problems.append(f"record {seq} is unreadable (modified)")
                else:
                    if not hmac.compare_digest(self._mac(prev_mac, content), mac):
                        problems.append(f"record {seq} was modified")
                expected_prev, expected_seq = mac, seq + 1
            head = db.execute("SELECT seq, mac FROM head WHERE id = 1").fetchone()
        if head is None and count:
            problems.append("the journal head is missing (modified)")
        elif head is not None and (head[0] != expected_seq - 1 or head[1] != expected_prev):
            problems.append(
                f"the journal ends at record {expected_seq - 1} but record {head[0]} was "
                "written last: the last records were deleted or the head was modified"
            )
        return VerifyReport(count, tuple(problems))
