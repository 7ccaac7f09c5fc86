"""Tokens made by an emulated CPS pass the verifier library."""

from __future__ import annotations

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
from tests.cards.conftest import connected

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
