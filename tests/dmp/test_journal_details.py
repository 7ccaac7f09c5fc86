"""The journal's details, one model per kind: read back from what the journal stores, old
records included, and named by the page in both languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cardbridge.api.dmp_models import JournalEntryModel
from cardbridge.dmp.journal import Journal, JournalEntry, JournalKind
from cardbridge.dmp.journal_details import (
    DETAIL_ORDER,
    AccessDetails,
    DepositDetails,
    details_of,
)
from cardbridge.errors import JournalError

NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
I18N = Path(__file__).resolve().parents[2] / "cardbridge" / "api" / "static" / "i18n.js"
ACCESS = AccessDetails(
    mode="normal",
    consent_attested=True,
    consent_needed=True,
    reason=None,
    patient_source="vitale",
    structure_id="499700735741008",
    sector="SA07",
    vihf_id="_0f1e2d",
    caller="page",
)
DEPOSIT = DepositDetails(
    structure_id="499700735741008",
    type="11488-4",
    visibility="normal",
    document_id="1.2.250.1.999.1.1.1",
    size=1234,
    sha256="ab" * 32,
)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal.open(tmp_path / "journal")


def _append(journal: Journal, kind: JournalKind, details: dict[str, object]) -> None:
    journal.append(JournalEntry(kind, "810001234567", "P1", details), now=NOW)


def test_details_read_back_typed(journal: Journal) -> None:
    _append(journal, JournalKind.ACCESS, ACCESS.stored())
    _append(journal, JournalKind.DEPOSIT, DEPOSIT.stored())
    deposit, access = journal.query()
    assert details_of(access) == ACCESS
    assert details_of(deposit) == DEPOSIT
    assert journal.verify().ok


def test_only_the_details_given_are_stored() -> None:
    assert ACCESS.stored() == {
        "mode": "normal",
        "consent_attested": True,
        "consent_needed": True,
        "reason": None,
        "patient_source": "vitale",
        "structure_id": "499700735741008",
        "sector": "SA07",
        "vihf_id": "_0f1e2d",
        "caller": "page",
    }


def test_a_record_of_an_older_version_is_read_as_recorded(journal: Journal) -> None:
    """Written before `secret`, `caller` and `os_user` existed, with a detail since dropped."""
    old = {k: v for k, v in ACCESS.stored().items() if k != "caller"} | {"legacy": 1}
    _append(journal, JournalKind.ACCESS, old)
    (record,) = journal.query()
    details = details_of(record)
    assert isinstance(details, AccessDetails)
    assert (details.secret, details.caller, details.os_user) == (None, None, None)
    entry = JournalEntryModel.of(record).model_dump(mode="json", exclude_unset=True)
    assert entry["details"] == old


@pytest.mark.parametrize(
    ("kind", "details", "named"),
    [
        (JournalKind.ACCESS, {"mode": "normal"}, "consent_attested"),
        (JournalKind.DEPOSIT, ACCESS.stored(), "document_id"),
        (JournalKind.DEPOSIT, DEPOSIT.stored() | {"size": "big"}, "size"),
    ],
)
def test_unreadable_details_are_a_journal_error(
    journal: Journal, kind: JournalKind, details: dict[str, object], named: str
) -> None:
    _append(journal, kind, details)
    (record,) = journal.query()
    with pytest.raises(JournalError) as raised:
        details_of(record)
    assert f"Record {record.seq} " in raised.value.message
    assert named in raised.value.message
    assert "cardbridge journal verify" in raised.value.message


def test_detail_order_keeps_each_kind_in_its_own_order() -> None:
    for model in (AccessDetails, DepositDetails):
        fields = list(model.model_fields)
        assert [name for name in DETAIL_ORDER if name in fields] == fields
    assert set(DETAIL_ORDER) == set(AccessDetails.model_fields) | set(DepositDetails.model_fields)


def test_every_detail_has_a_label_in_both_languages() -> None:
    """The page's labels, written by hand in i18n.js: one per detail, in French and English."""
    labels = re.findall(r'^\s*"detail\.(\w+)":', I18N.read_text(encoding="utf-8"), re.MULTILINE)
    assert sorted(labels) == sorted(DETAIL_ORDER * 2)
