"""Access modes and the six-month consent rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cardbridge.dmp.access import (
    AccessMode,
    ConsentRequiredError,
    decide_access,
    months_before,
)
from cardbridge.dmp.journal import JournalKind, JournalRecord
from cardbridge.errors import InvalidInputError

NOW = datetime(2026, 8, 31, 12, tzinfo=UTC)


def access_at(moment: datetime) -> JournalRecord:
    return JournalRecord(1, moment, JournalKind.ACCESS, "810001234567", "P", {}, "00")


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 8, 31, tzinfo=UTC), 6, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2024, 8, 31, tzinfo=UTC), 6, datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2026, 3, 15, tzinfo=UTC), 6, datetime(2025, 9, 15, tzinfo=UTC)),
        (datetime(2026, 1, 1, tzinfo=UTC), 12, datetime(2025, 1, 1, tzinfo=UTC)),
    ],
)
def test_months_before(moment: datetime, months: int, expected: datetime) -> None:
    assert months_before(moment, months) == expected


def test_first_access_needs_consent() -> None:
    with pytest.raises(ConsentRequiredError, match="first access") as caught:
        decide_access(
            AccessMode.NORMAL, consent_attested=False, reason=None, last_access=None, now=NOW
        )
    assert caught.value.code == "consent_required"
    decision = decide_access(
        AccessMode.NORMAL, consent_attested=True, reason=None, last_access=None, now=NOW
    )
    assert decision.consent_needed
    assert decision.consent_attested


def test_recent_access_needs_no_new_consent() -> None:
    recent = access_at(datetime(2026, 2, 28, 12, tzinfo=UTC))
    decision = decide_access(
        AccessMode.NORMAL, consent_attested=False, reason=None, last_access=recent, now=NOW
    )
    assert not decision.consent_needed


def test_access_older_than_six_months_needs_consent() -> None:
    old = access_at(datetime(2026, 2, 28, 11, 59, tzinfo=UTC))
    with pytest.raises(ConsentRequiredError, match="more than six months"):
        decide_access(
            AccessMode.NORMAL, consent_attested=False, reason=None, last_access=old, now=NOW
        )


@pytest.mark.parametrize("mode", [AccessMode.EMERGENCY, AccessMode.REGULATION])
def test_emergency_modes_need_a_reason_but_no_consent(mode: AccessMode) -> None:
    with pytest.raises(InvalidInputError, match="needs a reason") as caught:
        decide_access(mode, consent_attested=False, reason="  urgent ", last_access=None, now=NOW)
    assert caught.value.field == "reason"
    decision = decide_access(
        mode,
        consent_attested=False,
        reason="Patient inconscient,   admis aux urgences",
        last_access=None,
        now=NOW,
    )
    assert decision.reason == "Patient inconscient, admis aux urgences"
    assert decision.mode is mode


def test_reason_length_is_capped() -> None:
    with pytest.raises(InvalidInputError, match="at most 500"):
        decide_access(
            AccessMode.EMERGENCY,
            consent_attested=False,
            reason="x" * 501,
            last_access=None,
            now=NOW,
        )
