"""Reading the DMP's values on the wire: HL7 v3 TS times and days, XML Schema booleans,
and the INS among a patient's identifiers.

Expected values are worked out by hand from the formats: HL7 v3 TS is
``YYYYMMDD[hh[mm[ss[.f]]]][+|-ZZZZ]``, the offset being local time minus UTC; XML Schema's
``boolean`` is ``true``, ``false``, ``1`` or ``0``; the INS OIDs are the ANS's
(1.2.250.1.213.1.4.8 NIR, .9 NIA, .10 test, .11 demo; .2 is the legacy INS-C).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cardbridge.dmp.transactions.values import dmp_bool, dmp_day, dmp_time, pick_ins
from cardbridge.errors import DmpAnswerError
from tests.dmp.transactions.helpers import assert_unreadable

TD = "TD0.2"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # The TD0.2 sample's creationTime, to the second.
        ("20210601125305", datetime(2021, 6, 1, 12, 53, 5, tzinfo=UTC)),
        ("20210601", datetime(2021, 6, 1, tzinfo=UTC)),
        ("2021060112", datetime(2021, 6, 1, 12, tzinfo=UTC)),
        ("202106011253", datetime(2021, 6, 1, 12, 53, tzinfo=UTC)),
        ("20210601125305.123", datetime(2021, 6, 1, 12, 53, 5, tzinfo=UTC)),
        # Paris in summer is UTC+2: 12:53:05 there is 10:53:05 UTC.
        ("20210601125305+0200", datetime(2021, 6, 1, 10, 53, 5, tzinfo=UTC)),
        # An offset with minutes, west of Greenwich: 12:53:05 at -01:30 is 14:23:05 UTC.
        ("20210601125305-0130", datetime(2021, 6, 1, 14, 23, 5, tzinfo=UTC)),
        # Past midnight UTC the day changes too.
        ("20210601003000+0100", datetime(2021, 5, 31, 23, 30, tzinfo=UTC)),
        # Nouméa (UTC+11) and Papeete (UTC-10): offsets of two-digit hours.
        ("20210601125305+1100", datetime(2021, 6, 1, 1, 53, 5, tzinfo=UTC)),
        ("20210601125305-1000", datetime(2021, 6, 1, 22, 53, 5, tzinfo=UTC)),
        (" 20210601125305 ", datetime(2021, 6, 1, 12, 53, 5, tzinfo=UTC)),
    ],
)
def test_an_hl7_time_is_read_in_utc(value: str, expected: datetime) -> None:
    moment = dmp_time(value, TD)
    assert moment == expected
    assert moment is not None
    assert moment.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("value", [None, ""])
def test_an_absent_time_is_none(value: str | None) -> None:
    assert dmp_time(value, TD) is None


@pytest.mark.parametrize(
    "value",
    ["2021-06-01", "2021060", "20210230", "20210601250000", "20210601125305Z", "later"],
)
def test_a_value_that_is_not_an_hl7_time_is_unreadable(value: str) -> None:
    with pytest.raises(DmpAnswerError) as error:
        dmp_time(value, TD)
    assert_unreadable(error, TD, f"a time {value!r}")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("19070525", date(1907, 5, 25)),  # the TD0.2 sample's birthTime
        ("20210601125305", date(2021, 6, 1)),
        (" 19070525 ", date(1907, 5, 25)),
    ],
)
def test_a_day_is_read_from_its_first_eight_digits(value: str, expected: date) -> None:
    assert dmp_day(value, TD) == expected


@pytest.mark.parametrize("value", [None, ""])
def test_an_absent_day_is_none(value: str | None) -> None:
    assert dmp_day(value, TD) is None


@pytest.mark.parametrize("value", ["1907-05-25", "19070532", "1907052"])
def test_a_value_that_is_not_a_day_is_unreadable(value: str) -> None:
    with pytest.raises(DmpAnswerError) as error:
        dmp_day(value, TD)
    assert_unreadable(error, TD, f"a date {value!r}")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("1", True), ("false", False), ("0", False), (" true ", True)],
)
def test_xml_schema_booleans(value: str, expected: bool) -> None:
    assert dmp_bool(value, TD) is expected


def test_an_absent_boolean_takes_the_default() -> None:
    assert dmp_bool(None, TD) is None
    assert dmp_bool(None, TD, default=False) is False
    assert dmp_bool(None, TD, default=True) is True


@pytest.mark.parametrize("value", ["TRUE", "yes", "", "2"])
def test_another_boolean_is_unreadable(value: str) -> None:
    with pytest.raises(DmpAnswerError) as error:
        dmp_bool(value, TD)
    assert_unreadable(error, TD, f"a boolean {value!r}")


@pytest.mark.parametrize(
    "oid",
    ["1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11"],
)
def test_the_ins_is_found_under_each_ins_registry(oid: str) -> None:
    # The TD0.2 sample's identifiers: the legacy INS-C first, then the INS.
    identifiers = [("1197854176879056415520", "1.2.250.1.213.1.4.2"), ("207058575627097", oid)]
    assert pick_ins(iter(identifiers), TD) == ("207058575627097", oid)


def test_the_first_ins_is_taken() -> None:
    identifiers = [
        ("207058575627097", "1.2.250.1.213.1.4.10"),
        ("180067512345620", "1.2.250.1.213.1.4.8"),
    ]
    assert pick_ins(identifiers, TD) == ("207058575627097", "1.2.250.1.213.1.4.10")


@pytest.mark.parametrize("value", ["20705857562709", "2070585756270970"])
def test_an_ins_of_another_length_is_unreadable(value: str) -> None:
    with pytest.raises(DmpAnswerError) as error:
        pick_ins([(value, "1.2.250.1.213.1.4.10")], TD)
    assert_unreadable(error, TD, f"an INS {value!r}")


def test_identifiers_without_ins_are_unreadable_and_named() -> None:
    identifiers = [("1197854176879056415520", "1.2.250.1.213.1.4.2"), ("X", "1.2.3")]
    with pytest.raises(DmpAnswerError) as error:
        pick_ins(identifiers, TD)
    assert_unreadable(error, TD, "no INS among the identifiers '1.2.250.1.213.1.4.2, 1.2.3'")
