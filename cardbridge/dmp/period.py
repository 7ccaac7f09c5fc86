"""Dates and moments typed by users, read strictly.

A date is ``YYYY-MM-DD`` and nothing else: not a number read as a Unix timestamp
(pydantic alone reads ``0`` as 1 January 1970), not a basic-format ``20261126``.

A journal filter is an ISO 8601 date (``2026-11-26``) or date-time
(``2026-11-26T09:30``, ``2026-11-26T09:30:00+01:00``, ``…Z``), with a ``T`` between
them. A date-time without offset is the workstation's local time, as the clinician
reads the clock. A date covers the whole day: ``since`` starts at its first instant,
``until`` ends at its last.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from cardbridge.messages import validation as say

# The exact grammar accepted; the OpenAPI document gives it as the parameters' pattern.
# [0-9], not \d: Python's \d matches the digits of every script, ECMA-262's does not.
MOMENT_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$"
)
MOMENT_EXAMPLES = ("2026-11-26", "2026-11-26T09:30", "2026-11-26T09:30:00+01:00")
_MOMENT = re.compile(MOMENT_PATTERN)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def strict_date(value: object) -> object:
    """A pydantic ``before`` validator for ``date`` fields: ISO text or a date only."""
    if isinstance(value, str) and _DATE.fullmatch(value):
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError(say.DATE_WRITTEN)  # a Text: the API says it in the caller's language


def parse_moment(text: object) -> date | datetime:
    """A date, or a timezone-aware date-time, from ISO 8601 text; ``ValueError`` else (its
    argument a :class:`~cardbridge.messages.Text`, its ``str()`` the English)."""
    if not isinstance(text, str) or not _MOMENT.fullmatch(text):
        raise ValueError(say.MOMENT_EXPECTED)
    try:
        moment = date.fromisoformat(text) if _DATE.fullmatch(text) else datetime.fromisoformat(text)
        if isinstance(moment, datetime) and moment.tzinfo is None:
            moment = moment.astimezone()  # the workstation's local time
        # Within the calendar in UTC too (9999-12-31 ends beyond it east of Greenwich).
        period_start(moment)
        period_end(moment)
    except (ValueError, OverflowError):
        refused = say.NOT_A_MOMENT.format(text=repr(text), expected=say.MOMENT_EXPECTED)
        raise ValueError(refused) from None
    return moment


def period_start(moment: date | datetime) -> datetime:
    """The first instant ``moment`` covers, in UTC."""
    if isinstance(moment, datetime):
        return moment.astimezone(UTC)
    return datetime.combine(moment, time.min).astimezone(UTC)


def period_end(moment: date | datetime) -> datetime:
    """The last instant ``moment`` covers, in UTC (a date: up to the end of that day)."""
    if isinstance(moment, datetime):
        return moment.astimezone(UTC)
    next_day = datetime.combine(moment + timedelta(days=1), time.min).astimezone()
    return (next_day - timedelta(microseconds=1)).astimezone(UTC)
