"""DMP access modes and the consent rule.

- ``normal``: the patient's consent must be attested at the first access by this
  practitioner and when the last recorded access is more than six months old;
  otherwise the request is refused with ``consent_required``.
- ``bris_de_glace`` (emergency) and ``centre_15`` (medical regulation): explicit, with
  a reason, and always traced in the journal.

The journal (:mod:`cardbridge.dmp.journal`) is where "the last recorded access" is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cardbridge.dmp.journal import JournalRecord
from cardbridge.errors import CardBridgeError, InvalidInputError

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


class ConsentRequiredError(CardBridgeError):
    code = "consent_required"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            f"The patient's consent is needed ({reason}). Ask the patient, then confirm that "
            "consent was given, or use emergency access if the patient cannot answer."
        )

    def details(self) -> dict[str, object]:
        return {"consent_reason": self.reason}


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


def decide_access(
    mode: AccessMode,
    *,
    consent_attested: bool,
    reason: str | None,
    last_access: JournalRecord | None,
    now: datetime,
) -> AccessDecision:
    """Allow the access or raise :class:`ConsentRequiredError` / :class:`InvalidInputError`."""
    if mode is AccessMode.NORMAL:
        if last_access is None:
            needed_because = "first access by you to this patient's DMP"
        elif last_access.recorded_at < months_before(now, CONSENT_VALIDITY_MONTHS):
            needed_because = "your last access to this DMP is more than six months old"
        else:
            needed_because = None
        if needed_because and not consent_attested:
            raise ConsentRequiredError(needed_because)
        return AccessDecision(mode, consent_attested, needed_because is not None, reason)
    text = " ".join((reason or "").split())
    if len(text) < MIN_REASON_LENGTH:
        raise InvalidInputError(
            f"{mode.label} needs a reason of at least {MIN_REASON_LENGTH} characters; "
            "it is kept in the access history the patient can read",
            field="reason",
        )
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidInputError(
            f"the reason must be at most {MAX_REASON_LENGTH} characters", field="reason"
        )
    return AccessDecision(mode, consent_attested, consent_needed=False, reason=text)
