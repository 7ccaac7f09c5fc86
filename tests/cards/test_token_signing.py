"""Tokens made by an emulated CPS pass the verifier library."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pytest

from cardbridge.auth.nonces import Challenges, MemoryNonceStore
from cardbridge.auth.signing import sign_challenge
from cardbridge.auth.trust import TrustStore
from cardbridge.auth.verifier import TokenVerifier
from cardbridge.cards.cps import CpsSession
from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.pki import TestPki
from cardbridge.errors import PinRequiredError
from cardbridge.layouts import cps
from cardbridge.layouts.iasecc import READ_BINARY_MAX
from cardbridge.pcsc.apdu import Ins
from testkit.tokens import independently_valid
from tests.cards.conftest import connected, recorded

MakeCard = Callable[[object], IsoCard]


def test_card_token_verifies(make_card: MakeCard, test_pki: TestPki) -> None:
    challenges = Challenges(MemoryNonceStore())
    verifier = TokenVerifier(
        TrustStore.from_pem(test_pki.trust_anchors_pem(), test_pki.intermediates_pem()),
        challenges=challenges,
    )
    nonce = challenges.issue("https://dmp.example").nonce
    with connected(make_card("demo-cps")) as connection:
        session = CpsSession(connection)
        with pytest.raises(PinRequiredError):
            sign_challenge(session, "https://DMP.example:443", nonce)
        token = sign_challenge(session, "https://DMP.example:443", nonce, pin="1234")
    practitioner = verifier.verify(token.to_json(), nonce, "https://dmp.example")
    assert practitioner.national_id == "899700735741"
    assert token.app_version.startswith("cardbridge/")
    # The second opinion, from the format description alone: the card signed the
    # normalised origin and this nonce, and nothing else verifies.
    token_json = json.dumps(token.to_json())
    assert independently_valid(token_json, "https://dmp.example", nonce)
    assert not independently_valid(token_json, "https://DMP.example:443", nonce)
    assert not independently_valid(token_json, "https://dmp.example", nonce + "A")


def test_a_token_reads_the_authentication_certificate_only(make_card: MakeCard) -> None:
    card = make_card("demo-cps")
    with connected(card) as connection:
        session = CpsSession(connection)
        session.verify_pin("1234")
        certificate = session.certificates().authentication
        sign_challenge(session, "https://dmp.example", "Zmlyc3Q=")  # the PrKDF, once
        with recorded(card) as sent:
            token = sign_challenge(session, "https://dmp.example", "bm9uY2U=")
    assert token.certificate_der == certificate
    reads = [apdu for apdu in sent if apdu[1] == Ins.READ_BINARY]
    selected = [apdu[5:] for apdu in sent if apdu[1] == Ins.SELECT]
    signature_file = cps.EF_CERT_SIGNATURE.fid.to_bytes(2, "big")
    assert all(not data.endswith(signature_file) for data in selected)
    assert all(not apdu[2] & 0x80 for apdu in reads)  # files as the lists name them, no SFI
    # SELECT of the application and the certificate, then SELECT, MSE SET and INTERNAL
    # AUTHENTICATE: nothing else.
    assert len(reads) == math.ceil(len(certificate) / READ_BINARY_MAX)
    assert len(sent) == 2 + len(reads) + 3
