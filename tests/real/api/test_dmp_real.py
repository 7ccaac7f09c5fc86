"""The DMP routes and the PIN management routes over the real stack (pcscd + vpcd)."""

from __future__ import annotations

import httpx
from signxml import SignatureConfiguration, XMLVerifier

from testkit.sample_files import pdf
from tests.real.api.conftest import RealStack

PIN, PUK, NEW_PIN = "1234", "12345678", "4321"
PDF = pdf()  # a one-page PDF written by pypdf


def test_dmp_walk_with_the_cards_in_vpcd_readers(stack: RealStack, api: httpx.Client) -> None:
    with (
        stack.inserted(stack.cps_slot, stack.make("demo-cps")),
        stack.inserted(stack.vitale_slot, stack.make("demo-vitale")),
    ):
        vitale = {"beneficiary": 0, "reader": stack.vitale_slot.reader}
        patient = api.post("/v1/dmp/patient", json={"vitale": vitale})
        assert patient.status_code == 200, patient.text
        ins = patient.json()["ins"]["value"]
        assert ins.startswith("1550672000101")

        body = {"situation": 0, "patient": {"vitale": vitale}, "mode": "normal", "consent": True}
        locked = api.post("/v1/dmp/access", params=stack.cps, json=body)
        assert (locked.status_code, locked.json()["code"]) == (403, "pin_required")
        assert api.post("/v1/cps/pin/verify", params=stack.cps, json={"pin": PIN}).is_success
        granted = api.post("/v1/dmp/access", params=stack.cps, json=body)
        assert granted.status_code == 200, granted.text
        signature = api.get("/v1/cps/certificates", params=stack.cps).json()["signature"]
        XMLVerifier().verify(
            granted.json()["vihf"].encode(),
            x509_cert=signature,
            expect_config=SignatureConfiguration(require_x509=True),
        )

        deposit = api.post(
            "/v1/dmp/documents",
            params=stack.cps,
            data={
                "situation": "0",
                "beneficiary": "0",
                "title": "CR de consultation",
                "document_date": "2026-11-20",
                "type": "11488-4",
                "event_start": "2026-11-20",
            },
            files={"file": ("cr.pdf", PDF)},
        )
        assert deposit.status_code == 200, deposit.text
        assert deposit.json()["metadata"]["author"]["national_id"] == "899700735741"

        newest = api.get("/v1/dmp/journal", params={"limit": 2}).json()
        assert [record["kind"] for record in newest] == ["deposit", "access"]
        assert newest[1]["details"]["vihf_id"] == granted.json()["assertion_id"]
        assert api.get("/v1/dmp/journal/verify").json()["ok"] is True


def test_pin_change_and_unblock_through_pcscd(stack: RealStack, api: httpx.Client) -> None:
    with stack.inserted(stack.cps_slot, stack.make("demo-cps")):
        changed = api.post(
            "/v1/cps/pin/change", params=stack.cps, json={"old_pin": PIN, "new_pin": NEW_PIN}
        )
        assert changed.json() == {"changed": True}
        for tries_left in (2, 1):
            wrong = api.post("/v1/cps/pin/verify", params=stack.cps, json={"pin": PIN})
            assert (wrong.status_code, wrong.json()["tries_left"]) == (401, tries_left)
        unconfirmed = api.post("/v1/cps/pin/verify", params=stack.cps, json={"pin": PIN})
        assert unconfirmed.json()["code"] == "confirmation_required"
        last_try = api.post(
            "/v1/cps/pin/verify", params=stack.cps, json={"pin": PIN, "confirm_last_try": True}
        )
        assert (last_try.status_code, last_try.json()["code"]) == (423, "pin_blocked")
        assert "PUK" in last_try.json()["detail"]
        assert api.get("/v1/cps/pin", params=stack.cps).json()["blocked"] is True
        refused = api.post("/v1/cps/pin/verify", params=stack.cps, json={"pin": NEW_PIN})
        assert (refused.status_code, refused.json()["code"]) == (423, "pin_blocked")

        wrong_puk = api.post(
            "/v1/cps/pin/unblock",
            params=stack.cps,
            json={"puk": "87654321", "new_pin": PIN, "confirm_last_try": True},
        )
        assert (wrong_puk.status_code, wrong_puk.json()["code"]) == (401, "puk_invalid")
        unblocked = api.post(
            "/v1/cps/pin/unblock",
            params=stack.cps,
            json={"puk": PUK, "new_pin": PIN, "confirm_last_try": True},
        )
        assert unblocked.json() == {"unblocked": True}
        status = api.get("/v1/cps/pin", params=stack.cps).json()
        assert (status["tries_left"], status["blocked"]) == (3, False)
        assert api.post("/v1/cps/pin/verify", params=stack.cps, json={"pin": PIN}).is_success
