"""A journal of more records than one page holds (the API's pages hold 1,000 at most),
made once per test session and copied into each test's data dir."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cardbridge.dmp.journal import DATABASE_NAME, KEY_NAME, Journal, JournalEntry, JournalKind
from cardbridge.dmp.journal_details import AccessDetails

# One page of the API (limit at most 1,000) and some more.
MANY = 1_201
PRACTITIONER = "899700735741"
PATIENTS = (
    "155067200010159^^^&1.2.250.1.213.1.4.10&ISO^NH",
    "295109912611193^^^&1.2.250.1.213.1.4.10&ISO^NH",
)
# What a normal access by the demo CPS writes, so that every record reads as the API's.
ACCESS_DETAILS = AccessDetails(
    situation=0,
    mode="normal",
    consent_needed=False,
    consent_attested=True,
    patient_source="vitale",
    structure_id="10B0095163",
    sector="SA07",
    vihf_id="_vihf-0",
)


def _template(factory: pytest.TempPathFactory) -> Path:
    folder = factory.getbasetemp() / f"journal-of-{MANY}"
    if (folder / "complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    journal = Journal.open(folder)
    for n in range(MANY):  # ~10 ms a record: each is durable (synchronous=FULL)
        details = {**ACCESS_DETAILS.stored(), "n": n}
        entry = JournalEntry(JournalKind.ACCESS, PRACTITIONER, PATIENTS[n % 2], details)
        journal.append(entry)
    (folder / "complete").touch()
    return folder


def journal_of_many(factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """Put a journal of :data:`MANY` records (patients alternating, ``n`` = seq - 1 in the
    details) in ``data_dir``; return its database."""
    template = _template(factory)
    data_dir.mkdir(parents=True, exist_ok=True)
    for path in template.iterdir():
        if path.name.startswith(DATABASE_NAME) or path.name == KEY_NAME:
            shutil.copy2(path, data_dir / path.name)
    return data_dir / DATABASE_NAME


def sequence_numbers(database: Path) -> list[int]:
    """Every record's sequence number, newest first, read with SQLite itself."""
    db = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    try:
        return [seq for (seq,) in db.execute("SELECT seq FROM records ORDER BY seq DESC")]
    finally:
        db.close()
