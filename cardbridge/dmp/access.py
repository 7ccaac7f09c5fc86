"""DMP access modes and the consent rule.

- ``normal``: the patient's consent must be attested at the first access by this
  practitioner and when the last access is more than six months old; otherwise the
  request is refused with ``consent_required``.
- ``bris_de_glace`` (emergency) and ``centre_15`` (medical regulation): explicit, with
  a reason, and always traced in the journal.

"The last access" is read in the journal (:mod:`cardbridge.dmp.journal`), and only
consented access counts: a normal access with the patient's consent, or one within
six months of such an access. An emergency or centre 15 access is made without
consent, so it never restarts the six months; a document deposit is not an access.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cardbridge.dmp.journal import JournalKind, JournalRecord
from cardbridge.dmp.journal_details import AccessDetails, details_of
from cardbridge.errors import ConsentRequiredError, InvalidInputError
from cardbridge.messages import Text
from cardbridge.messages import inputs as say

PURPOSE_OF_USE_OID = "1.2.250.1.213.1.1.4.248"
CONSENT_VALIDITY_MONTHS = 6
MIN_REASON_LENGTH = 10
MAX_REASON_LENGTH = 500


class AccessMode(StrEnum):
    """The purpose of use of a DMP access (VIHF ``purposeofuse`` codes)."""

    NORMAL = "normal"
    EMERGENCY = "bris_de_glace"
    REGULATION = "centre_15"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    AccessMode.NORMAL: "Accès normal",
    AccessMode.EMERGENCY: "Accès en urgence (bris de glace)",
    AccessMode.REGULATION: "Accès par le médecin régulateur du centre 15",
}


@dataclass(frozen=True, slots=True)
class AccessDecision:
    """An allowed access and what the journal must record about it."""

    mode: AccessMode
    consent_attested: bool
    consent_needed: bool
    reason: str | None


def months_before(moment: datetime, months: int) -> datetime:
    """The same day ``months`` calendar months earlier (clamped to the month's end)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = moment.day
    while True:
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            day -= 1


def _within_validity(earlier: datetime, moment: datetime) -> bool:
    """Whether consent given at ``earlier`` still covers an access at ``moment``."""
    return earlier >= months_before(moment, CONSENT_VALIDITY_MONTHS)


def consent_basis(history: Iterable[JournalRecord]) -> JournalRecord | None:
    """The last access that counts for the consent rule, among a practitioner's records
    for one patient: a normal access that was consented, or that was itself within six
    months of an earlier one that counts."""
    basis: JournalRecord | None = None
    for record in sorted(history, key=lambda r: r.seq):
        if record.kind is not JournalKind.ACCESS:
            continue
        details = details_of(record)
        if not isinstance(details, AccessDetails) or details.mode != AccessMode.NORMAL:
            continue
        if details.consent_attested or (
            basis is not None and _within_validity(basis.recorded_at, record.recorded_at)
        ):
            basis = record
    return basis


def _consent_needed_because(history: list[JournalRecord], now: datetime) -> Text | None:
    basis = consent_basis(history)
    if basis is not None:
        if _within_validity(basis.recorded_at, now):
            return None
        return say.CONSENT_LAST_ACCESS_OLD
    if any(record.kind is JournalKind.ACCESS for record in history):
        return say.CONSENT_ONLY_EMERGENCIES
    return say.CONSENT_FIRST_ACCESS


def normal_reason(mode: AccessMode, reason: str | None) -> str | None:
    """The reason as the VIHF and the journal keep it: blanks collapsed, and none at all in
    normal mode (``Mode_Acces_Raison`` goes with an emergency or centre 15 access only)."""
    if mode is AccessMode.NORMAL:
        return None
    return " ".join((reason or "").split())


def decide_access(
    mode: AccessMode,
    *,
    consent_attested: bool,
    reason: str | None,
    history: Iterable[JournalRecord],
    now: datetime,
) -> AccessDecision:
    """Allow the access or raise :class:`ConsentRequiredError` / :class:`InvalidInputError`.

    ``history`` is what the journal holds of this practitioner and this patient.
    """
    if mode is AccessMode.NORMAL:
        needed_because = _consent_needed_because(list(history), now)
        if needed_because and not consent_attested:
            raise ConsentRequiredError(needed_because)
        return AccessDecision(mode, consent_attested, needed_because is not None, reason)
    text = normal_reason(mode, reason) or ""
    if len(text) < MIN_REASON_LENGTH:
        raise InvalidInputError(
            say.REASON_TOO_SHORT.format(mode=mode.label, minimum=MIN_REASON_LENGTH),
            field="reason",
        )
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidInputError(
            say.REASON_TOO_LONG.format(maximum=MAX_REASON_LENGTH), field="reason"
        )
    return AccessDecision(mode, consent_attested, consent_needed=False, reason=text)
