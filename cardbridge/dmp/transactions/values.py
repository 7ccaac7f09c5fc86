"""Reading the DMP's values on the wire: times ``YYYYMMDDhhmmss`` in UTC (HL7 TS, to the
day at least, an offset allowed), days ``YYYYMMDD``, booleans ``true``/``false``, and the
INS among a patient's identifiers (docs/dmp-client.md, "Patients and authorizations").

Each reader raises :class:`~cardbridge.errors.DmpAnswerError` on a value it cannot read:
a malformed answer is never half-read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from cardbridge.domain.nir import INS_OIDS
from cardbridge.errors import DmpAnswerError

_TIME = re.compile(
    r"(?P<day>[0-9]{8})(?P<hour>[0-9]{2})?(?P<minute>[0-9]{2})?(?P<second>[0-9]{2})?"
    r"(?:\.[0-9]+)?(?P<offset>[+-][0-9]{4})?"
)
_DAY = re.compile(r"[0-9]{8}")
# The INS registries (NIR, NIA, test, demo); the DMP also sends the legacy INS-C (…4.2).
INS_ROOTS = frozenset(INS_OIDS.values())


def unreadable(transaction: str, what: str) -> DmpAnswerError:
    """The error for an answer we cannot read, saying what was wrong in it."""
    return DmpAnswerError(
        f"The DMP's {transaction} answer could not be read ({what}). "
        "Try again; report it if it persists."
    )


def _wrong(transaction: str, what: str, value: str) -> DmpAnswerError:
    return unreadable(transaction, f"{what} {value!r}")


def dmp_time(value: str | None, transaction: str) -> datetime | None:
    """An aware UTC datetime from an HL7 TS; ``None`` for an absent or empty value."""
    if not value:
        return None
    match = _TIME.fullmatch(value.strip())
    if match is None:
        raise _wrong(transaction, "a time", value)
    try:
        moment = datetime.strptime(
            match["day"]
            + (match["hour"] or "00")
            + (match["minute"] or "00")
            + (match["second"] or "00"),
            "%Y%m%d%H%M%S",
        )
    except ValueError:
        raise _wrong(transaction, "a time", value) from None
    shift = timedelta()
    if match["offset"]:
        sign = -1 if match["offset"][0] == "-" else 1
        shift = sign * timedelta(hours=int(match["offset"][1:3]), minutes=int(match["offset"][3:]))
    return (moment - shift).replace(tzinfo=UTC)


def dmp_day(value: str | None, transaction: str) -> date | None:
    """A date from ``YYYYMMDD`` (a longer TS is cut to its day); ``None`` when absent."""
    if not value:
        return None
    day = value.strip()[:8]
    # strptime alone would read a short ``1907052`` as the 2nd of May.
    if not _DAY.fullmatch(day):
        raise _wrong(transaction, "a date", value)
    try:
        return datetime.strptime(day, "%Y%m%d").date()
    except ValueError:
        raise _wrong(transaction, "a date", value) from None


def dmp_bool(value: str | None, transaction: str, *, default: bool | None = None) -> bool | None:
    """``true``/``false`` (XML Schema's ``1``/``0`` too); ``default`` when absent."""
    if value is None:
        return default
    text = value.strip()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise _wrong(transaction, "a boolean", value)


def pick_ins(identifiers: Iterable[tuple[str, str]], transaction: str) -> tuple[str, str]:
    """The INS (15 characters, key included) and its OID among ``(value, oid)`` pairs."""
    pairs = list(identifiers)
    for value, oid in pairs:
        if oid in INS_ROOTS:
            if len(value) != 15:
                raise _wrong(transaction, "an INS", value)
            return value, oid
    raise _wrong(transaction, "no INS among the identifiers", ", ".join(oid for _, oid in pairs))
