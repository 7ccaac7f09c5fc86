"""The files of the DMP access journal: the SQLite database, its key, a lock.

Only :mod:`cardbridge.dmp.journal` uses this module. The key is created once, with mode
0600; creating the journal (key, tables, first head) happens under an exclusive lock
so that two processes starting together never take each other's fresh journal for a
deleted one.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Any

DATABASE_NAME = "dmp-journal.sqlite3"
KEY_NAME = "dmp-journal.key"
LOCK_NAME = "dmp-journal.lock"
# What the first record follows, and the head of a journal without records.
GENESIS_MAC = "0" * 64

HeadSigner = Callable[[int, str, int], str]
"""The authentication tag of a head: (last seq, last MAC, record count) -> hex."""

TABLES = """
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
    mac TEXT NOT NULL,
    count INTEGER,
    tag TEXT
);
CREATE TRIGGER IF NOT EXISTS records_no_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'the DMP access journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS records_no_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'the DMP access journal is append-only'); END;
"""
# Journals of the first versions have a head without these columns (never authenticated).
_HEAD_COLUMNS_ADDED = ("count INTEGER", "tag TEXT")


def canonical(value: Any) -> bytes:
    """The bytes a MAC covers: JSON with sorted keys and no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def read_key(path: Path) -> bytes:
    return bytes.fromhex(path.read_text().strip())


def create_key(path: Path) -> bytes:
    """A new random key in ``path``, private to the user (0600), durable."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
        handle.flush()
        os.fsync(handle.fileno())
    return read_key(path)


@contextmanager
def connect(database: Path, *, create: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to ``database``; it must exist unless ``create`` (a deleted journal
    is never silently replaced by an empty one)."""
    if create:
        # Created private here: SQLite would make it 0644 (less the umask), and gives
        # its -wal and -shm files the database's mode.
        with suppress(FileExistsError):
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    uri = f"{database.resolve().as_uri()}?mode={'rwc' if create else 'rw'}"
    with closing(sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        yield db


def prepare(db: sqlite3.Connection, *, new: bool, sign: HeadSigner) -> None:
    """Create the tables (kept if present) and, for a ``new`` journal, its first head in
    the same transaction: a journal's head is only ever missing if someone deleted it.

    A head is never signed here otherwise: anyone able to edit the database could then
    cut records off the end, mark the head "unsigned" and have it signed at the next
    start. A head without its tag (a journal of the first versions, before the head was
    authenticated, or an edited one) stays unauthenticated and :meth:`Journal.verify`
    reports it. Its columns are added so that the journal can still be read.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in _statements(TABLES):
            db.execute(statement)
        present = {row[1] for row in db.execute("PRAGMA table_info(head)")}
        for column in _HEAD_COLUMNS_ADDED:
            if column.split()[0] not in present:
                db.execute(f"ALTER TABLE head ADD COLUMN {column}")
        if new:
            db.execute(
                "INSERT INTO head VALUES (1, 0, ?, 0, ?)", (GENESIS_MAC, sign(0, GENESIS_MAC, 0))
            )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _statements(script: str) -> Iterator[str]:
    """The statements of ``script`` (a trigger's body keeps its inner ``;``)."""
    pending = ""
    for line in script.strip().splitlines():
        pending += line + "\n"
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
