"""The sandbox's state in SQLite (WAL) under its data dir.

DMPs keyed by INS, the directory of professionals and structures, authorizations per
professional, documents and submission sets, traces (one per request) and the outbox of
notifications. Every change runs in one transaction (:meth:`Store.transaction`): a request
killed half-way leaves nothing half-stored, and a restart loses nothing committed.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

DATABASE_NAME = "dmp-sandbox.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS structure (
    structure_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sector TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS professional (
    national_id TEXT PRIMARY KEY,
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    profession TEXT NOT NULL,
    specialty TEXT,
    card_type INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS situation (
    national_id TEXT NOT NULL REFERENCES professional,
    structure_id TEXT NOT NULL REFERENCES structure,
    sector TEXT NOT NULL,
    PRIMARY KEY (national_id, structure_id, sector)
);
CREATE TABLE IF NOT EXISTS dmp (
    ins TEXT PRIMARY KEY,
    oid TEXT NOT NULL,
    family TEXT NOT NULL,
    given TEXT NOT NULL,
    birth_family TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'closed')),
    closed_at TEXT,
    minor INTEGER NOT NULL DEFAULT 0,
    email TEXT,
    opposition_emergency INTEGER NOT NULL DEFAULT 0,
    opposition_centre_15 INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS authorization_ (
    ins TEXT NOT NULL REFERENCES dmp,
    actor_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('VALIDE', 'INTERDIT')),
    treating INTEGER NOT NULL DEFAULT 0,
    started TEXT NOT NULL,
    last_action TEXT NOT NULL,
    PRIMARY KEY (ins, actor_id)
);
CREATE TABLE IF NOT EXISTS submission (
    entry_uuid TEXT PRIMARY KEY,
    unique_id TEXT NOT NULL UNIQUE,
    ins TEXT NOT NULL REFERENCES dmp,
    submission_time TEXT NOT NULL,
    author_id TEXT NOT NULL,
    structure_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS document (
    entry_uuid TEXT PRIMARY KEY,
    unique_id TEXT NOT NULL,
    lid TEXT NOT NULL,
    version INTEGER NOT NULL,
    ins TEXT NOT NULL REFERENCES dmp,
    status TEXT NOT NULL,
    confidentiality TEXT NOT NULL,
    class_code TEXT NOT NULL,
    type_code TEXT NOT NULL,
    format_code TEXT NOT NULL,
    practice_setting TEXT NOT NULL,
    facility_type TEXT NOT NULL,
    title TEXT NOT NULL,
    creation_time TEXT NOT NULL,
    author_id TEXT NOT NULL,
    structure_id TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    submission_uuid TEXT REFERENCES submission,
    metadata TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS document_ins ON document (ins);
CREATE INDEX IF NOT EXISTS document_unique_id ON document (unique_id);
CREATE TABLE IF NOT EXISTS trace (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_id TEXT,
    structure_id TEXT,
    authentication_mode TEXT,
    purpose TEXT,
    reason TEXT,
    ins TEXT,
    transaction_ TEXT,
    result TEXT NOT NULL,
    audience TEXT
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    ins TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0
);
"""

Row = sqlite3.Row

# The document columns without the stored CDA: what listings need.
DOCUMENT_METADATA = (
    "entry_uuid, unique_id, lid, version, ins, status, confidentiality, class_code, type_code, "
    "format_code, practice_setting, facility_type, title, creation_time, author_id, structure_id, "
    "mime_type, hash, size, submission_uuid, metadata"
)


class Store:
    """One SQLite database, shared by the server's threads.

    SQLite serialises writers; the lock keeps this process's threads from interleaving
    statements of different transactions on the one connection.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Created private here: SQLite would make it 0644 (less the umask), and gives its
        # -wal and -shm files the database's mode.
        with suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        self.path = path
        self._connection = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=30
        )
        self._connection.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        with self._lock:
            # Large pages: a stored document (several MB) spans few overflow pages. Only a
            # new database takes it, before WAL is on.
            self._connection.execute("PRAGMA page_size=65536")
            self._connection.execute("PRAGMA journal_mode=WAL")
            # A 16 MiB page cache (default 2 MiB): a deposit's pages stay in memory until
            # its commit instead of spilling to the WAL mid-transaction, which halved the
            # time of writing a 7 MB CDA (docs/dmp-sandbox.md, "Performance").
            self._connection.execute("PRAGMA cache_size=-16384")
            # In WAL mode, NORMAL keeps every commit across a crash of the process (a power
            # loss may undo the last ones, never corrupt the database).
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self._connection.execute("PRAGMA foreign_keys=ON")
            self._connection.executescript(_SCHEMA)
        path.chmod(0o600)

    @classmethod
    def in_directory(cls, data_dir: Path) -> Store:
        """The store of a data dir."""
        return cls(data_dir / DATABASE_NAME)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All statements inside commit together, or none does."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def one(self, sql: str, *params: Any) -> Row | None:
        """The first row of a query, or None."""
        with self._lock:
            row: Row | None = self._connection.execute(sql, params).fetchone()
            return row

    def all(self, sql: str, *params: Any) -> list[Row]:
        """Every row of a query."""
        with self._lock:
            return list(self._connection.execute(sql, params).fetchall())

    def close(self) -> None:
        """Close the database (the WAL is checkpointed)."""
        with self._lock:
            self._connection.close()
