"""``cardbridge journal verify|list`` as a user runs it, on a journal tampered with or not."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from cardbridge.dmp.journal import Journal, JournalEntry, JournalKind


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
    for n in range(3):
        journal.append(
            JournalEntry(JournalKind.ACCESS, "899700735741", f"P{n}", {"mode": "normal"})
        )
    ok = run(tmp_path, "verify")
    assert ok.returncode == 0, ok.stderr
    assert "intact: 3 records" in ok.stdout
    listed = json.loads(run(tmp_path, "list", "--patient", "P1", "--json").stdout)
    assert [r["patient"] for r in listed] == ["P1"]

    db = sqlite3.connect(journal.database, isolation_level=None)
    db.execute("DROP TRIGGER records_no_delete")
    db.execute("DELETE FROM records WHERE seq = 2")
    db.close()
    tampered = run(tmp_path, "verify", "--json")
    assert tampered.returncode == 6
    report = json.loads(tampered.stdout)
    assert not report["ok"]
    assert report["problems"]


def test_list_period_is_iso_text_only(tmp_path: Path) -> None:
    Journal.open(tmp_path)
    for argument in ("--since", "--until"):
        refused = run(tmp_path, "list", argument, "0")
        assert refused.returncode == 2
        assert "ISO 8601" in refused.stderr
    day = run(tmp_path, "list", "--until", "2026-11-26", "--json")
    assert day.returncode == 0, day.stderr
