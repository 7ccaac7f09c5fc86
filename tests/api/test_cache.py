"""Identity answered from memory per card insertion; nothing of a departed card served."""

from __future__ import annotations

import httpx

from tests.api.conftest import CPS, PIN, VITALE, Demo


def test_repeated_reads_do_not_talk_to_the_card(api: httpx.Client, demo: Demo) -> None:
    first = api.get("/v1/cps").json()
    certificates = api.get("/v1/cps/certificates").json()
    vitale = api.get("/v1/vitale").json()
    cps_apdus, vitale_apdus = demo.cps.apdus, demo.vitale.apdus
    for _ in range(20):
        assert api.get("/v1/cps").json() == first
        assert api.get("/v1/cps/certificates").json() == certificates
        assert api.get("/v1/vitale").json() == vitale
    assert (demo.cps.apdus, demo.vitale.apdus) == (cps_apdus, vitale_apdus)


def test_pin_status_is_always_asked(api: httpx.Client, demo: Demo) -> None:
    api.get("/v1/cps/pin")
    before = demo.cps.apdus
    api.get("/v1/cps/pin")
    assert demo.cps.apdus > before


def test_another_card_after_a_removal(api: httpx.Client, demo: Demo) -> None:
    assert api.get("/v1/cps").json()["national_id"] == "899700735741"
    assert api.get("/v1/vitale").json()["insured"]["nir"] == "1550672000101"
    demo.backend.remove(CPS)
    demo.backend.remove(VITALE)
    assert api.get("/v1/cps").json()["code"] == "card_absent"
    assert api.get("/v1/vitale").json()["code"] == "card_absent"
    demo.backend.insert(CPS, demo.make("cps-adeli-nurse"))
    demo.backend.insert(VITALE, demo.make("vitale-family"))
    nurse = api.get("/v1/cps").json()
    assert nurse["id_type"] == "ADELI"
    assert api.get("/v1/vitale").json()["insured"]["nir"] != "1550672000101"


def test_the_unlocked_state_leaves_with_the_card(api: httpx.Client, demo: Demo) -> None:
    assert api.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
    assert api.get("/v1/cps").json()["situations"] is not None
    demo.backend.remove(CPS)
    demo.backend.insert(CPS, demo.cps)  # the same card again: powered on afresh
    assert api.get("/v1/cps").json()["situations"] is None
    refused = api.post("/v1/auth/challenge", json={"origin": "https://dmp.example"}).json()
    token = api.post(
        "/v1/auth/token", json={"nonce": refused["nonce"], "origin": "https://dmp.example"}
    )
    assert token.json()["code"] == "pin_required"


def test_a_wrong_pin_locks_the_situations_again(api: httpx.Client) -> None:
    assert api.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
    assert api.get("/v1/cps").json()["situations"] is not None
    assert api.post("/v1/cps/pin/verify", json={"pin": "9999"}).status_code == 401
    assert api.get("/v1/cps").json()["situations"] is None


def test_one_connection_per_card(api: httpx.Client, demo: Demo) -> None:
    opened: list[str] = []
    connect = demo.backend.connect

    def counting(reader: str):  # type: ignore[no-untyped-def]
        opened.append(reader)
        return connect(reader)

    demo.backend.connect = counting  # type: ignore[method-assign]
    for _ in range(3):
        api.get("/v1/cps/pin")
        api.get("/v1/vitale")
    assert sorted(opened) == [CPS, VITALE]
    demo.backend.remove(CPS)
    demo.backend.insert(CPS, demo.make("demo-cps"))
    api.get("/v1/cps/pin")
    assert opened.count(CPS) == 2
