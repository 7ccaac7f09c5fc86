"""PIN commands of the CPS: counters, status without spending a try, change and unblock."""

from __future__ import annotations

import pytest

from cardbridge.emulator.engine import IsoCard
from cardbridge.layouts.iasecc import PinSecurityObject, pin_status_query
from testkit.apdu import sw, tx

RIGHT = "0020000104 31323334"
WRONG = "0020000104 39393939"
STATUS = "00200001"
PIN_INFO = "00CB3FFF0A 4D087006BF810102A080 00"
UNBLOCK = "002C010108 3132333435363738"  # PUK only
SELECT_APP = "00A4040C0D E828BD080F8025000001FF0010"
SELECT_SITUATION = "00A4090C06 3F000001D120"


def pin_status(card: IsoCard) -> PinSecurityObject:
    assert sw(card, "00A4000C023F00") == 0x9000
    data, status = tx(card, PIN_INFO)
    assert status == 0x9000
    return PinSecurityObject.from_bytes(data)


def test_pin_info_query_is_the_documented_apdu() -> None:
    assert pin_status_query(0x01) == bytes.fromhex("4D087006BF810102A080")


def test_status_without_spending_a_try(cps: IsoCard) -> None:
    assert sw(cps, STATUS) == 0x63C3
    assert sw(cps, STATUS) == 0x63C3
    assert pin_status(cps) == PinSecurityObject(0x01, 3, 3)
    # A real CPS3's answer, byte for byte (ANS Cryptolib trace in OpenSC issue #2275).
    assert tx(cps, PIN_INFO)[0] == bytes.fromhex("7016BF810112A0109A01039B0103A1088C06F3000013FF00")


def test_wrong_then_right(cps: IsoCard) -> None:
    assert sw(cps, WRONG) == 0x63C2
    assert sw(cps, STATUS) == 0x63C2
    assert pin_status(cps).tries_left == 2
    assert sw(cps, RIGHT) == 0x9000
    assert sw(cps, STATUS) == 0x9000
    assert pin_status(cps) == PinSecurityObject(0x01, 3, 3)


def test_blocked_after_three_wrong(cps: IsoCard) -> None:
    assert [sw(cps, WRONG) for _ in range(3)] == [0x63C2, 0x63C1, 0x63C0]
    assert sw(cps, RIGHT) == 0x6983
    assert sw(cps, STATUS) == 0x6983
    assert pin_status(cps).blocked
    assert sw(cps, UNBLOCK) == 0x9000
    assert sw(cps, RIGHT) == 0x9000


def test_wrong_pin_forgets_an_earlier_verification(cps: IsoCard) -> None:
    assert sw(cps, RIGHT) == 0x9000
    assert sw(cps, WRONG) == 0x63C2
    assert sw(cps, SELECT_SITUATION) == 0x9000
    assert sw(cps, "00B0000000") == 0x6982


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        pytest.param("0020000103 313233", 0x6A80, id="too-short"),
        pytest.param("0020000109 313233343536373839", 0x6A80, id="too-long"),
        pytest.param("0020000104 3132333A", 0x6A80, id="not-digits"),
        pytest.param("0020000108 31323334FFFFFFFF", 0x9000, id="ff-padded"),
        pytest.param("0020000304 31323334", 0x6A88, id="unknown-reference"),
        pytest.param("0020010104 31323334", 0x6A86, id="bad-p1"),
        pytest.param("0020000104 3132333400", 0x6700, id="le-given"),
    ],
)
def test_verify_format(cps: IsoCard, command: str, expected: int) -> None:
    assert sw(cps, command) == expected
    assert sw(cps, STATUS) == (0x9000 if expected == 0x9000 else 0x63C3)


def test_local_reference_looks_in_the_current_df(cps: IsoCard) -> None:
    assert sw(cps, SELECT_APP) == 0x9000
    assert sw(cps, "0020008104 31323334") == 0x6A88
    assert sw(cps, RIGHT) == 0x9000  # the global PIN is found from any DF


def test_reset_security_status(cps: IsoCard) -> None:
    assert sw(cps, RIGHT) == 0x9000
    assert sw(cps, "0020FF01") == 0x9000
    assert sw(cps, STATUS) == 0x63C3


def test_change_reference_data(cps: IsoCard) -> None:
    assert sw(cps, "0024000108 39393939 35353535") == 0x63C2  # wrong old PIN
    assert sw(cps, "0024000106 31323334 3535") == 0x6A80  # new PIN too short: no try spent
    assert sw(cps, STATUS) == 0x63C2
    assert sw(cps, "002400010A 31323334 353637383930") == 0x9000
    assert sw(cps, STATUS) == 0x9000  # changing verifies
    assert sw(cps, RIGHT) == 0x63C2
    assert sw(cps, "0020000106 353637383930") == 0x9000
    padded = "0024000110 353637383930FFFF 31323334FFFFFFFF"
    assert sw(cps, padded) == 0x9000
    assert sw(cps, RIGHT) == 0x9000


def test_change_new_pin_only_after_verification(cps: IsoCard) -> None:
    assert sw(cps, "0024010104 34343434") == 0x6982
    assert sw(cps, RIGHT) == 0x9000
    assert sw(cps, "0024010104 34343434") == 0x9000
    assert sw(cps, "0020000104 34343434") == 0x9000
    assert sw(cps, "0024020104 34343434") == 0x6A86


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        pytest.param("002C01010C 3132333435363738 31313131", 0x6A80, id="puk-only-with-pin"),
        pytest.param("002C000108 3132333435363738", 0x6A80, id="new-pin-missing"),
        pytest.param("002C000104 31323334", 0x6A80, id="puk-too-short"),
        pytest.param("002C00010B 3132333435363738 313131", 0x6A80, id="new-pin-too-short"),
        pytest.param("002C0201", 0x6A86, id="bad-p1"),
        pytest.param("002C000208 3132333435363738", 0x6A88, id="unknown-pin"),
    ],
)
def test_reset_retry_counter_format(cps: IsoCard, command: str, expected: int) -> None:
    assert sw(cps, command) == expected


def test_reset_retry_counter_with_new_pin(cps: IsoCard) -> None:
    for _ in range(3):
        sw(cps, WRONG)
    assert sw(cps, "002C00010C 3939393939393939 31313131") == 0x63C9  # wrong PUK
    assert sw(cps, "002C00010C 3132333435363738 31313131") == 0x9000
    assert sw(cps, STATUS) == 0x63C3  # unblocked, not verified
    assert sw(cps, "0020000104 31313131") == 0x9000


def test_puk_blocks_after_its_tries(cps: IsoCard) -> None:
    statuses = [sw(cps, "002C010108 3939393939393939") for _ in range(10)]
    assert statuses == [0x63C0 | n for n in range(9, -1, -1)]
    assert sw(cps, UNBLOCK) == 0x6983


def test_counters_persist_verification_does_not(cps: IsoCard) -> None:
    assert sw(cps, WRONG) == 0x63C2
    cps.power_off()
    cps.power_on()
    assert sw(cps, STATUS) == 0x63C2
    assert sw(cps, RIGHT) == 0x9000
    cps.reset()
    assert sw(cps, STATUS) == 0x63C3
    assert sw(cps, RIGHT) == 0x9000
    cps.power_off()
    assert sw(cps, STATUS) == 0x63C3


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        pytest.param("00CB3FFF0A 4D087006BF810302A080 00", 0x6A88, id="unknown-pin"),
        pytest.param("00CB3FFF0A 4D087006BF81010282 80 00", 0x6A80, id="pin-value"),
        pytest.param("00CB3FFF0B 4D097007BF8102037F4180 00", 0x6A86, id="puk-has-no-public-data"),
        pytest.param("00CB3FFF0A 4D087006BF900202A080 00", 0x6A88, id="key-object"),
        pytest.param("00CB3FFE0A 4D087006BF810102A080 00", 0x6A86, id="bad-p1p2"),
        pytest.param("00CB3FFF03 5A0100 00", 0x6A80, id="not-a-header-list"),
        pytest.param("00CA9F7F00", 0x6A88, id="even-get-data"),
    ],
)
def test_get_data_errors(cps: IsoCard, command: str, expected: int) -> None:
    assert sw(cps, command) == expected


def test_pin_public_data_gives_lengths_never_the_value(cps: IsoCard) -> None:
    # OpenSC asks 7F41 for the PIN's lengths before VERIFY (card-iasecc.c).
    data, status = tx(cps, "00CB3FFF0B 4D097007BF8101037F4180 00")
    assert status == 0x9000
    assert data == bytes.fromhex("700DBF8101097F410680010881 0104")


def test_puk_answers_its_own_status(cps: IsoCard) -> None:
    # CHV 2 on a real CPS3: 10 tries, 100 uses, verify and get always (iasecc-tool, PR #2217).
    assert sw(cps, "00200002") == 0x63CA
    data, status = tx(cps, "00CB3FFF0A 4D087006BF810202A080 00")
    assert status == 0x9000
    assert data == bytes.fromhex("701ABF810216A0149A010A9B010A9D020064A1088C06F3FF00FFFF00")
    assert sw(cps, "0020000208 3131313131313131") == 0x63C9  # a wrong PUK costs a PUK try
    assert sw(cps, "00200002") == 0x63C9
    assert sw(cps, STATUS) == 0x63C3


def test_pin_info_only_from_the_mf(cps: IsoCard) -> None:
    assert sw(cps, SELECT_APP) == 0x9000
    assert sw(cps, PIN_INFO) == 0x6A88
