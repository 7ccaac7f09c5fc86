"""Dates and moments typed by users: ISO 8601 text only, dates covering whole days."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from cardbridge.dmp.period import (
    MOMENT_PATTERN,
    parse_moment,
    period_end,
    period_start,
    strict_date,
)

PARIS_WINTER = timezone(timedelta(hours=1))


@pytest.fixture
def paris(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The workstation's clock set to Paris time."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-26", date(2026, 11, 26)),
        ("2026-11-26T09:30:00Z", datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),
        ("2026-11-26T09:30:00+01:00", datetime(2026, 11, 26, 9, 30, tzinfo=PARIS_WINTER)),
        ("2026-11-26T09:30:00.25-03:00", datetime(2026, 11, 26, 12, 30, 0, 250000, tzinfo=UTC)),
        ("2026-11-26T09:30", datetime(2026, 11, 26, 9, 30, tzinfo=PARIS_WINTER)),
    ],
)
def test_iso_dates_and_moments(paris: None, text: str, expected: date) -> None:
    assert parse_moment(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "0.0",
        "1700000000",
        "20261126",
        "2026-11-26 09:30",
        "26/11/2026",
        "2026-11-26T09",
        "2026-11-26t09:30",
        "٢٠٢٦-١١-٢٦",  # digits of another script
        "2026-11-26\n",
        "",
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="expected an ISO 8601 date"):
        parse_moment(text)


@pytest.mark.parametrize(
    "text", ["2026-02-30", "2026-11-26T24:00", "2026-11-26T09:30+25:00", "9999-12-31"]
)
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a real date or time"):
        parse_moment(text)


def test_numbers_are_refused_before_text_is_read() -> None:
    with pytest.raises(ValueError, match="expected an ISO 8601 date"):
        parse_moment(0.0)


def test_a_date_covers_the_whole_local_day(paris: None) -> None:
    day = date(2026, 11, 26)
    assert period_start(day) == datetime(2026, 11, 25, 23, tzinfo=UTC)
    assert period_end(day) == datetime(2026, 11, 26, 22, 59, 59, 999999, tzinfo=UTC)
    summer = date(2026, 7, 14)
    assert period_start(summer) == datetime(2026, 7, 13, 22, tzinfo=UTC)
    moment = datetime(2026, 11, 26, 9, 30, tzinfo=PARIS_WINTER)
    assert period_start(moment) == period_end(moment) == datetime(2026, 11, 26, 8, 30, tzinfo=UTC)


def test_the_pattern_is_the_grammar() -> None:
    assert MOMENT_PATTERN.startswith("^")
    assert MOMENT_PATTERN.endswith("$")
    assert "\\d" not in MOMENT_PATTERN


@pytest.mark.parametrize("value", ["0", "0.0", 0, 1700000000, "20261126", "2026-11-26T00:00"])
def test_strict_date_refuses_numbers_and_times(value: object) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        strict_date(value)


def test_strict_date_accepts_iso_text_and_dates() -> None:
    assert strict_date("2026-11-26") == "2026-11-26"
    assert strict_date(date(2026, 11, 26)) == date(2026, 11, 26)


def test_the_refusals_are_said_in_french_too() -> None:
    """The API and the CLI say them in the reader's language: the ValueError carries both."""
    with pytest.raises(ValueError) as impossible:
        parse_moment("2026-02-30")
    said = impossible.value.args[0]
    assert said.fr.startswith("'2026-02-30' n'est pas une date ou une heure réelle (date ISO")
    assert str(impossible.value).startswith("'2026-02-30' is not a real date or time")
    with pytest.raises(ValueError) as written:
        strict_date("26/11/2026")
    assert written.value.args[0].fr == "date attendue au format AAAA-MM-JJ (2026-11-26)"
