"""Over pcscd, every log record of a whole session, at every level (APDU traces included),
is free of the PIN, the PUK, the NIRs and the names."""

from __future__ import annotations

import logging

import pytest

from cardbridge.client import CardBridgeClient
from cardbridge.errors import PinInvalidError
from testkit.sample_files import pdf
from tests.real.api.conftest import RealStack

PIN, WRONG_PIN, PUK = "1234", "9876", "12345678"
# Louise's INS (the sandbox's seed), typed rather than read from the card.
TYPED_INS = "215027512345610"
REASON = "Arret cardiaque en salle d'attente"
NEEDLES = (
    PIN,
    WRONG_PIN,
    PUK,
    "1550672000101",
    "2150275123456",
    TYPED_INS,
    "QUINIO",
    "PIERRE",
    "LOUISE",
    "DUPONTEL",
    "Arret cardiaque",
)
ORIGIN = "https://dmp.example"
PDF = pdf()  # a one-page PDF written by pypdf


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
        bridge.unblock_pin(PUK, PIN, cps, confirm=True)
        challenge = bridge.challenge(ORIGIN)
        assert bridge.verify_token(
            bridge.token(challenge.nonce, ORIGIN, pin=PIN, reader=cps), challenge.nonce, ORIGIN
        ).valid
        bridge.vitale(vitale)
        dmp_calls(stack, cps, vitale)
    assert any(record.levelno < logging.INFO for record in caplog.records)  # debug was on
    leaks = [
        (needle, record.name, record.getMessage())
        for record in caplog.records
        for needle in NEEDLES
        # httpx logs the URLs of the test's own requests (a journal query names a patient):
        # the client side's logging, not the bridge's. signxml is the offline DMP's (run in
        # this process here; only cardbridge/sandbox uses it), logging the VIHFs it checks.
        if needle in record.getMessage()
        and record.name.split(".")[0] not in ("httpx", "httpcore", "signxml")
    ]
    assert leaks == []
    assert not [record for record in caplog.records if record.name == "uvicorn.access"]


def dmp_calls(stack: RealStack, cps: str, vitale: str) -> None:
    """Patients by Vitale card, typed INS and traits; emergency access; journal; deposit."""
    with stack.live.client() as api:
        chosen = [
            {"vitale": {"beneficiary": 1, "reader": vitale}},
            {"ins": TYPED_INS},
            {"criteria": {"last_name": "Dupontel", "first_name": "Léa", "sex": "F"}},
        ]
        for patient in chosen:
            assert api.post("/v1/dmp/patient", json=patient).is_success
        emergency = {"situation": 0, "patient": {"ins": TYPED_INS}, "mode": "bris_de_glace"}
        access = api.post(
            "/v1/dmp/access", params={"reader": cps}, json={**emergency, "reason": REASON}
        )
        assert access.is_success, access.text
        assert api.get("/v1/dmp/journal", params={"patient": TYPED_INS}).is_success
        opened = {"situation": 0, "patient": {"vitale": {"beneficiary": 0, "reader": vitale}}}
        assert api.post("/v1/dmp/access", params={"reader": cps}, json=opened).is_success
        form = {
            "situation": "0",
            "beneficiary": "0",
            "title": "CR de consultation",
            "document_date": "2026-11-20",
            "type": "11488-4",
            "event_start": "2026-11-20",
        }
        deposit = api.post(
            "/v1/dmp/documents", params={"reader": cps}, data=form, files={"file": ("cr.pdf", PDF)}
        )
        assert deposit.is_success, deposit.text
