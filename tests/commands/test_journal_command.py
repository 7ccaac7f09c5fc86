"""``cardbridge journal verify|list`` as a user runs it, on a journal tampered with or not."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from cardbridge.config import Settings
from cardbridge.dmp.journal import DATABASE_NAME, Journal, JournalEntry, JournalKind
from cardbridge.dmp.journal_details import AccessDetails
from testkit.server import app_from_settings

PATIENTS = (
    "155067200010159^^^&1.2.250.1.213.1.4.10&ISO^NH",
    "295109912611193^^^&1.2.250.1.213.1.4.10&ISO^NH",
    "traits:MARTIN|LÉA|F|1980",
)
ACCESS = AccessDetails(
    mode="normal",
    consent_attested=True,
    consent_needed=True,
    patient_source="ins",
    structure_id="499700735741008",
    sector="SA07",
    vihf_id="_vihf",
).stored()


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARDBRIDGE_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "cardbridge", "journal", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_verify_and_list(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path)
    for patient in PATIENTS:
        journal.append(JournalEntry(JournalKind.ACCESS, "899700735741", patient, ACCESS))
    ok = run(tmp_path, "verify")
    assert ok.returncode == 0, ok.stderr
    assert "intact: 3 records" in ok.stdout
    for given in ("2 95 10 99 126 111 93", PATIENTS[1]):
        listed = json.loads(run(tmp_path, "list", "--patient", given, "--json").stdout)
        assert [r["patient"] for r in listed] == [PATIENTS[1]]
    by_traits = json.loads(run(tmp_path, "list", "--patient", PATIENTS[2], "--json").stdout)
    assert [r["patient"] for r in by_traits] == [PATIENTS[2]]
    wrong_key = run(tmp_path, "list", "--patient", "295109912611194")
    assert wrong_key.returncode == 2
    assert "patient: the key does not match the number" in wrong_key.stderr

    db = sqlite3.connect(journal.database, isolation_level=None)
    db.execute("DROP TRIGGER records_no_delete")
    db.execute("DELETE FROM records WHERE seq = 2")
    db.close()
    tampered = run(tmp_path, "verify", "--json")
    assert tampered.returncode == 6
    report = json.loads(tampered.stdout)
    assert not report["ok"]
    assert report["problems"]


def tamper(journal: Journal, *statements: str) -> None:
    db = sqlite3.connect(journal.database, isolation_level=None)
    db.execute("DROP TRIGGER records_no_delete")
    for statement in statements:
        db.execute(statement)
    db.close()


def three_records(data_dir: Path) -> Journal:
    journal = Journal.open(data_dir)
    for n in range(3):
        journal.append(JournalEntry(JournalKind.ACCESS, "899700735741", f"P{n}", {"n": n}))
    return journal


def test_verify_reports_a_truncated_end_with_its_head_rewritten(tmp_path: Path) -> None:
    journal = three_records(tmp_path)
    second = journal.query(patient="P1")[0]
    tamper(journal, "DELETE FROM records WHERE seq = 3")
    db = sqlite3.connect(journal.database, isolation_level=None)
    db.execute("UPDATE head SET seq = 2, mac = ?, count = 2", (second.mac,))
    db.close()
    tampered = run(tmp_path, "verify")
    assert tampered.returncode == 6
    assert "the journal head was modified" in tampered.stdout


def test_verify_reports_a_wiped_journal(tmp_path: Path) -> None:
    tamper(three_records(tmp_path), "DELETE FROM records", "DELETE FROM head")
    wiped = run(tmp_path, "verify", "--json")
    assert wiped.returncode == 6
    assert json.loads(wiped.stdout) == {
        "ok": False,
        "records": 0,
        "problems": ["the journal is empty and its head is gone: the journal was wiped"],
    }


def test_verify_reports_a_deleted_database(tmp_path: Path) -> None:
    three_records(tmp_path)
    for path in tmp_path.glob(f"{DATABASE_NAME}*"):
        path.unlink()
    deleted = run(tmp_path, "verify")
    assert deleted.returncode == 6
    assert "is missing although its key is there" in deleted.stdout
    assert not (tmp_path / DATABASE_NAME).exists()
    listing = run(tmp_path, "list")
    assert listing.returncode == 1
    assert "is missing" in listing.stderr


def test_list_period_is_iso_text_only(tmp_path: Path) -> None:
    Journal.open(tmp_path)
    for argument in ("--since", "--until"):
        refused = run(tmp_path, "list", argument, "0")
        assert refused.returncode == 2
        assert "ISO 8601" in refused.stderr
    day = run(tmp_path, "list", "--until", "2026-11-26", "--json")
    assert day.returncode == 0, day.stderr


def test_the_json_of_the_command_is_the_apis(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path)
    for patient in PATIENTS:
        journal.append(JournalEntry(JournalKind.ACCESS, "899700735741", patient, ACCESS))
    token = "t" * 32
    application = app_from_settings(Settings(data_dir=tmp_path, emulator=True), api_token=token)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(application, base_url="http://127.0.0.1:8470") as client:
        listed = client.get("/v1/dmp/journal", headers=headers).json()
        checked = client.get("/v1/dmp/journal/verify", headers=headers).json()
    assert json.loads(run(tmp_path, "list", "--json").stdout) == listed
    assert json.loads(run(tmp_path, "verify", "--json").stdout) == checked
    assert all(entry["recorded_at"].endswith("Z") for entry in listed)
