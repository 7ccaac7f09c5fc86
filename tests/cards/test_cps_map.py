"""The CPS session finds things through the card's PKCS#15 lists, as OpenSC does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cardbridge.cards.cps import CpsSession
from cardbridge.emulator.engine import IsoCard
from cardbridge.errors import CardDataError
from cardbridge.layouts import cps, cps_pkcs15, pkcs15
from cardbridge.layouts.pkcs15 import CommonObject
from cardbridge.pcsc.tlv import parse_one
from tests.cards.conftest import connected, recorded

MakeCard = Callable[[object], IsoCard]


def ef(card: IsoCard, *path: int) -> Any:
    node: Any = card.mf
    for fid in path:
        node = node.child(fid)
    return node


def test_moved_files_are_found_where_the_lists_say(make_card: MakeCard) -> None:
    """Files renamed on the card, and the lists updated: the session follows the lists."""
    card = make_card("demo-cps")
    with connected(card) as connection:
        expected = CpsSession(connection).read_practitioner()
    application = ef(card, cps.DF_KEYS)
    ef(card, cps.DF_KEYS, cps.EF_CERT_AUTHENTICATION.fid).fid = 0xA0A1
    ef(card, cps.DF_KEYS, cps.EF_NAME_PS.fid).fid = 0xB0B1
    ef(card, cps.DF_KEYS, cps_pkcs15.EF_CDF).data = cps_pkcs15.cdf(
        0xA0A1, cps.EF_CERT_SIGNATURE.fid
    )
    ef(card, cps.DF_KEYS, cps_pkcs15.EF_DODF).data = cps_pkcs15.dodf(
        [
            (cps_pkcs15.ID_CARD_LABEL, cps.EF_ID_CARD.fid),
            (cps_pkcs15.NAME_LABEL, 0xB0B1),
            (cps_pkcs15.INFO_LABEL, cps.EF_INFO_PS.fid),
        ],
        [cps.situation_path(0)[-1]],
    )
    assert application.child(0xA0A1) is not None
    with connected(card) as connection, recorded(card) as sent:
        assert CpsSession(connection).read_practitioner() == expected
    selected = {apdu[5:7] for apdu in sent if apdu[1] == 0xA4 and apdu[4] == 2}
    assert {bytes.fromhex("A0A1"), bytes.fromhex("B0B1")} <= selected


def test_keys_come_from_the_prkdf(make_card: MakeCard) -> None:
    card = make_card("demo-cps")
    with connected(card) as connection, recorded(card) as sent:
        session = CpsSession(connection)
        session.verify_pin("1234")
        session.authenticate(b"challenge")
    mse = next(apdu for apdu in sent if apdu[1] == 0x22)
    assert mse[2:4] == bytes.fromhex("41A4")
    assert bytes.fromhex("840182") in mse  # CPS_PRIV_AUT's reference, from the PrKDF


@pytest.mark.parametrize(
    ("fid", "content", "message"),
    [
        pytest.param(
            0x2F00,
            pkcs15.Application(cps.PKCS15_AID_CONTACTLESS, "CPX IAS CL", b"").to_bytes(),
            "no CPS application",
            id="ef-dir-without-the-contact-application",
        ),
        pytest.param(
            cps_pkcs15.EF_CDF,
            pkcs15.CertificateObject(CommonObject("other"), b"\x01", b"\xa0\x02").to_der(),
            "Certificat d'Authentification CPS",
            id="cdf-without-the-certificate",
        ),
    ],
)
def test_lists_that_miss_what_a_cps_has_are_card_data_errors(
    make_card: MakeCard, fid: int, content: bytes, message: str
) -> None:
    card = make_card("demo-cps")
    target = ef(card, fid) if fid == 0x2F00 else ef(card, cps.DF_KEYS, fid)
    target.data = content
    with connected(card) as connection, pytest.raises(CardDataError, match=message):
        CpsSession(connection).read_practitioner()


def test_a_prkdf_without_the_authentication_key_is_a_card_data_error(make_card: MakeCard) -> None:
    card = make_card("demo-cps")
    prkdf = ef(card, cps.DF_KEYS, cps_pkcs15.EF_PRKDF)
    first = parse_one(prkdf.data)[0]  # the list's first entry: CPS_PRIV_SIG
    assert b"CPS_PRIV_SIG" in first.value
    prkdf.data = first.to_bytes()
    with connected(card) as connection:
        session = CpsSession(connection)
        session.verify_pin("1234")
        with pytest.raises(CardDataError, match="CPS_PRIV_AUT"):
            session.authenticate(b"challenge")
