"""Over pcscd, every log record of a whole session, at every level (APDU traces included),
is free of the PIN, the PUK, the NIRs and the names."""

from __future__ import annotations

import logging

import pytest

from cardbridge.client import CardBridgeClient
from cardbridge.errors import PinInvalidError
from tests.real.api.conftest import RealStack

PIN, WRONG_PIN, PUK = "1234", "9876", "12345678"
NEEDLES = (PIN, WRONG_PIN, PUK, "1550672000101", "2150275123456", "QUINIO", "PIERRE", "LOUISE")
ORIGIN = "https://dmp.example"


def test_no_secret_nor_health_data_in_any_record(
    stack: RealStack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(1)  # everything, below DEBUG too
    with (
        stack.inserted(stack.cps_slot, stack.make("demo-cps")),
        stack.inserted(stack.vitale_slot, stack.make("demo-vitale")),
        CardBridgeClient(stack.live.url, token=stack.live.token) as bridge,
    ):
        cps, vitale = stack.cps_slot.reader, stack.vitale_slot.reader
        bridge.practitioner(cps)
        with pytest.raises(PinInvalidError):
            bridge.verify_pin(WRONG_PIN, cps)
        bridge.verify_pin(PIN, cps)
        bridge.practitioner(cps)
        bridge.change_pin(PIN, PIN, cps)
        bridge.unblock_pin(PUK, PIN, cps)
        challenge = bridge.challenge(ORIGIN)
        assert bridge.verify_token(
            bridge.token(challenge.nonce, ORIGIN, pin=PIN, reader=cps), challenge.nonce, ORIGIN
        ).valid
        bridge.vitale(vitale)
    assert any(record.levelno < logging.INFO for record in caplog.records)  # debug was on
    leaks = [
        (needle, record.name, record.getMessage())
        for record in caplog.records
        for needle in NEEDLES
        if needle in record.getMessage()
    ]
    assert leaks == []
    assert not [record for record in caplog.records if record.name == "uvicorn.access"]
