"""Access modes and the six-month consent rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cardbridge.dmp.access import (
    AccessMode,
    consent_basis,
    decide_access,
    months_before,
)
from cardbridge.dmp.journal import JournalKind, JournalRecord
from cardbridge.dmp.journal_details import AccessDetails
from cardbridge.errors import ConsentRequiredError, InvalidInputError

NOW = datetime(2026, 8, 31, 12, tzinfo=UTC)


def access_at(
    moment: datetime,
    mode: AccessMode = AccessMode.NORMAL,
    *,
    consent: bool = True,
    seq: int = 1,
    kind: JournalKind = JournalKind.ACCESS,
) -> JournalRecord:
    details = AccessDetails(
        mode=mode.value,
        consent_attested=consent,
        consent_needed=consent,
        patient_source="vitale",
        structure_id="499700735741008",
        sector="SA07",
        vihf_id="_vihf",
    ).stored()
    return JournalRecord(seq, moment, kind, "810001234567", "P", details, "00")


def month(n: int) -> datetime:
    return datetime(2026, n, 1, 12, tzinfo=UTC)


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
        decide_access(AccessMode.NORMAL, consent_attested=False, reason=None, history=[], now=NOW)
    assert caught.value.code == "consent_required"
    decision = decide_access(
        AccessMode.NORMAL, consent_attested=True, reason=None, history=[], now=NOW
    )
    assert decision.consent_needed
    assert decision.consent_attested


def test_recent_access_needs_no_new_consent() -> None:
    recent = access_at(datetime(2026, 2, 28, 12, tzinfo=UTC))
    decision = decide_access(
        AccessMode.NORMAL, consent_attested=False, reason=None, history=[recent], now=NOW
    )
    assert not decision.consent_needed


def test_access_older_than_six_months_needs_consent() -> None:
    old = access_at(datetime(2026, 2, 28, 11, 59, tzinfo=UTC))
    with pytest.raises(ConsentRequiredError, match="more than six months"):
        decide_access(
            AccessMode.NORMAL, consent_attested=False, reason=None, history=[old], now=NOW
        )


@pytest.mark.parametrize("mode", [AccessMode.EMERGENCY, AccessMode.REGULATION])
def test_emergency_modes_need_a_reason_but_no_consent(mode: AccessMode) -> None:
    with pytest.raises(InvalidInputError, match="needs a reason") as caught:
        decide_access(mode, consent_attested=False, reason="  urgent ", history=[], now=NOW)
    assert caught.value.field == "reason"
    decision = decide_access(
        mode,
        consent_attested=False,
        reason="Patient inconscient,   admis aux urgences",
        history=[],
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
            history=[],
            now=NOW,
        )


@pytest.mark.parametrize("mode", [AccessMode.EMERGENCY, AccessMode.REGULATION])
def test_emergency_access_does_not_restart_the_six_months(mode: AccessMode) -> None:
    consented = access_at(datetime(2026, 1, 15, tzinfo=UTC), seq=1)
    emergency = access_at(datetime(2026, 7, 1, tzinfo=UTC), mode, consent=False, seq=2)
    assert consent_basis([consented, emergency]) is consented
    with pytest.raises(ConsentRequiredError, match="more than six months"):
        decide_access(
            AccessMode.NORMAL,
            consent_attested=False,
            reason=None,
            history=[consented, emergency],
            now=datetime(2026, 8, 1, tzinfo=UTC),
        )


def test_emergency_access_alone_gives_no_consent() -> None:
    emergency = access_at(month(8), AccessMode.EMERGENCY, consent=False)
    assert consent_basis([emergency]) is None
    with pytest.raises(ConsentRequiredError, match="emergency or centre 15") as caught:
        decide_access(
            AccessMode.NORMAL, consent_attested=False, reason=None, history=[emergency], now=NOW
        )
    assert "without the patient's consent" in caught.value.reason


def test_deposits_are_not_accesses() -> None:
    deposit = access_at(month(8), kind=JournalKind.DEPOSIT)
    assert consent_basis([deposit]) is None
    with pytest.raises(ConsentRequiredError, match="first access"):
        decide_access(
            AccessMode.NORMAL, consent_attested=False, reason=None, history=[deposit], now=NOW
        )


def test_each_lawful_normal_access_restarts_the_six_months() -> None:
    consented = access_at(month(1), seq=1)
    followed = access_at(month(5), consent=False, seq=2)  # within six months of January
    assert consent_basis([followed, consented]) is followed  # by sequence, not list order
    decision = decide_access(
        AccessMode.NORMAL,
        consent_attested=False,
        reason=None,
        history=[consented, followed],
        now=month(10),
    )
    assert not decision.consent_needed


def test_a_normal_access_outside_the_six_months_does_not_count() -> None:
    # Written before this rule (an emergency access then let it through without consent).
    consented = access_at(month(1), seq=1)
    stray = access_at(datetime(2026, 9, 1, tzinfo=UTC), consent=False, seq=2)
    assert consent_basis([consented, stray]) is consented
