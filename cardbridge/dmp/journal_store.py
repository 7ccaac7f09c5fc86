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
from contextlib import closing, contextmanager
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
# Journals written before the head was authenticated have a head without these columns.
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
    uri = f"{database.resolve().as_uri()}?mode={'rwc' if create else 'rw'}"
    with closing(sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        yield db


def prepare(db: sqlite3.Connection, *, new: bool, sign: HeadSigner) -> None:
    """Create the tables (kept if present) and, for a ``new`` journal, its first head in
    the same transaction: a journal's head is only ever missing if someone deleted it.
    A journal of a version before the head was authenticated gets its head signed as it
    stands (what was done to it before cannot be told any more; what follows can)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in _statements(TABLES):
            db.execute(statement)
        present = {row[1] for row in db.execute("PRAGMA table_info(head)")}
        added = [c for c in _HEAD_COLUMNS_ADDED if c.split()[0] not in present]
        for column in added:
            db.execute(f"ALTER TABLE head ADD COLUMN {column}")
        empty = db.execute("SELECT NOT EXISTS (SELECT 1 FROM records)").fetchone()[0]
        headless = db.execute("SELECT NOT EXISTS (SELECT 1 FROM head)").fetchone()[0]
        if new or (added and empty and headless):
            db.execute(
                "INSERT INTO head VALUES (1, 0, ?, 0, ?)", (GENESIS_MAC, sign(0, GENESIS_MAC, 0))
            )
        for seq, mac in db.execute("SELECT seq, mac FROM head WHERE tag IS NULL").fetchall():
            db.execute(
                "UPDATE head SET count = ?, tag = ? WHERE id = 1", (seq, sign(seq, mac, seq))
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
