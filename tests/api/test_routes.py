"""Every route of the HTTP contract, over real HTTP, on the in-process emulated readers."""

from __future__ import annotations

import httpx
import pytest
from cryptography import x509

from cardbridge import __version__
from cardbridge.emulator.pki import TestPki
from cardbridge.sandbox.app import DEFAULT_PAGES_PORT
from testkit.server import LiveServer
from tests.api.conftest import CPS, PIN, PUK, VITALE, Demo

ORIGIN = "https://dmp.example"


def problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"] == f"urn:cardbridge:problem:{code}"
    return body


def test_health_is_open(live: LiveServer) -> None:
    with live.client(token=False) as client:
        response = client.get("/v1/health")
    assert response.json() == {
        "status": "ok",
        "version": __version__,
        "backend": "emulator",
        "pcsc": "up",
        # dmp_endpoint = sandbox (the default): `cardbridge dmp-sandbox`'s pages port.
        "dmp_patient_pages": f"http://127.0.0.1:{DEFAULT_PAGES_PORT}",
    }


def test_readers(api: httpx.Client) -> None:
    assert api.get("/v1/readers").json() == [
        {
            "name": CPS,
            "card_present": True,
            "card_type": "cps",
            "atr": "3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00",
        },
        {
            "name": VITALE,
            "card_present": True,
            "card_type": "vitale",
            "atr": "3B 75 13 00 00 43 09 EA 90 00",
        },
    ]


def test_practitioner_situations_after_the_pin(api: httpx.Client) -> None:
    before = api.get("/v1/cps").json()
    assert before["reader"] == CPS
    assert before["national_id"] == "899700735741"
    assert before["id_type"] == "RPPS"
    assert before["rpps"] == "99700735741"
    assert before["profession"] == {"code": "10", "label": "Médecin"}
    assert before["card"]["serial"] == "0123456789"
    assert before["situations"] is None

    assert api.post("/v1/cps/pin/verify", json={"pin": PIN}).json() == {"verified": True}
    after = api.get("/v1/cps").json()
    assert after["situations"] == [
        {
            "index": 0,
            "structure_id": "499700735741008",
            "structure_id_type": "RPPS",
            "name": "CABINET DR LE QUINIO",
            "sector": "SA07",
            "sector_label": "Cabinet individuel",
        }
    ]
    assert {k: v for k, v in after.items() if k != "situations"} == {
        k: v for k, v in before.items() if k != "situations"
    }


def test_pin_status_wrong_pin_blocked_unblock(api: httpx.Client, no_backoff: None) -> None:
    assert api.get("/v1/cps/pin").json() == {"tries_left": 3, "max_tries": 3, "blocked": False}
    wrong = problem(api.post("/v1/cps/pin/verify", json={"pin": "0000"}), 401, "pin_invalid")
    assert wrong["tries_left"] == 2
    assert wrong["reader"] == CPS
    assert "2 tries left" in str(wrong["detail"])
    last = problem(api.post("/v1/cps/pin/verify", json={"pin": "0000"}), 401, "pin_invalid")
    assert last["tries_left"] == 1
    assert "One try left" in str(last["detail"])
    unconfirmed = api.post("/v1/cps/pin/verify", json={"pin": "0000"})
    assert problem(unconfirmed, 409, "confirmation_required")["tries_left"] == 1
    confirmed = {"pin": "0000", "confirm_last_try": True}
    problem(api.post("/v1/cps/pin/verify", json=confirmed), 423, "pin_blocked")
    assert api.get("/v1/cps/pin").json() == {"tries_left": 0, "max_tries": 3, "blocked": True}
    problem(api.post("/v1/cps/pin/verify", json={"pin": PIN}), 423, "pin_blocked")

    unconfirmed = api.post("/v1/cps/pin/unblock", json={"puk": "87654321", "new_pin": "4321"})
    assert "tries_left" not in problem(unconfirmed, 409, "confirmation_required")
    bad_puk = api.post(
        "/v1/cps/pin/unblock",
        json={"puk": "87654321", "new_pin": "4321", "confirm_last_try": True},
    )
    assert problem(bad_puk, 401, "puk_invalid")["tries_left"] > 0
    unblocked = api.post(
        "/v1/cps/pin/unblock", json={"puk": PUK, "new_pin": "4321", "confirm_last_try": True}
    )
    assert unblocked.json() == {"unblocked": True}
    assert api.get("/v1/cps/pin").json()["tries_left"] == 3
    assert api.post("/v1/cps/pin/verify", json={"pin": "4321"}).json() == {"verified": True}


def test_change_pin(api: httpx.Client, no_backoff: None) -> None:
    changed = api.post("/v1/cps/pin/change", json={"old_pin": PIN, "new_pin": "2468"})
    assert changed.json() == {"changed": True}
    problem(api.post("/v1/cps/pin/verify", json={"pin": PIN}), 401, "pin_invalid")
    assert api.post("/v1/cps/pin/verify", json={"pin": "2468"}).status_code == 200
    wrong_old = api.post("/v1/cps/pin/change", json={"old_pin": "1111", "new_pin": "2468"})
    problem(wrong_old, 401, "pin_invalid")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "pin"),
        ({"pin": "12"}, "pin"),
        ({"pin": "12ab"}, "pin"),
        ({"pin": "1" * 9}, "pin"),
        ({"pin": 1234}, "pin"),
        ({"pin": "1234", "other": 1}, "other"),
    ],
)
def test_pin_refused_before_the_card(
    api: httpx.Client, demo: Demo, body: dict[str, object], field: str
) -> None:
    sent = demo.cps.apdus
    refused = problem(api.post("/v1/cps/pin/verify", json=body), 422, "invalid_request")
    assert refused["field"] == field
    assert "1234" not in str(refused)
    assert demo.cps.apdus == sent  # the card never saw it
    assert api.get("/v1/cps/pin").json()["tries_left"] == 3


def test_certificates_with_the_test_chain(api: httpx.Client, test_pki: TestPki) -> None:
    bundle = api.get("/v1/cps/certificates").json()
    authentication = x509.load_pem_x509_certificate(bundle["authentication"].encode())
    signature = x509.load_pem_x509_certificate(bundle["signature"].encode())
    assert authentication != signature
    chain = x509.load_pem_x509_certificates(bundle["chain"].encode())
    assert chain == [test_pki.issuing_ca.certificate, test_pki.root.certificate]
    authentication.verify_directly_issued_by(chain[0])


def test_native_authentication_round_trip(api: httpx.Client) -> None:
    challenge = api.post("/v1/auth/challenge", json={"origin": ORIGIN}).json()
    assert set(challenge) == {"nonce", "expires_at"}
    token = api.post(
        "/v1/auth/token", json={"nonce": challenge["nonce"], "origin": ORIGIN, "pin": PIN}
    )
    assert token.status_code == 200, token.text
    body = token.json()
    assert body["format"] == "web-eid:1.0"
    assert body["algorithm"] == "RS256"
    assert body["appVersion"] == f"cardbridge/{__version__}"

    check = api.post(
        "/v1/auth/verify", json={"token": body, "nonce": challenge["nonce"], "origin": ORIGIN}
    ).json()
    assert check["valid"] is True
    assert check["code"] is None
    assert check["practitioner"]["national_id"] == "899700735741"
    assert check["practitioner"]["profession"] == {"code": "10", "label": "Médecin"}

    # The verification used the challenge up: the same token does not pass twice.
    again = api.post(
        "/v1/auth/verify", json={"token": body, "nonce": challenge["nonce"], "origin": ORIGIN}
    ).json()
    assert again["valid"] is False
    assert again["code"] == "nonce_invalid"


def test_token_made_for_another_origin_than_verified(api: httpx.Client) -> None:
    evil = "https://evil.example"
    nonce = api.post("/v1/auth/challenge", json={"origin": evil}).json()["nonce"]
    token = api.post("/v1/auth/token", json={"nonce": nonce, "origin": ORIGIN, "pin": PIN})
    elsewhere = api.post(
        "/v1/auth/verify", json={"token": token.json(), "nonce": nonce, "origin": evil}
    ).json()
    assert elsewhere == {
        "valid": False,
        "practitioner": None,
        "code": "signature_invalid",
        "detail": "The token's signature does not match.",
    }
    # A challenge issued for one site does not verify a token for another.
    nonce = api.post("/v1/auth/challenge", json={"origin": evil}).json()["nonce"]
    token = api.post("/v1/auth/token", json={"nonce": nonce, "origin": ORIGIN, "pin": PIN})
    mismatch = api.post(
        "/v1/auth/verify", json={"token": token.json(), "nonce": nonce, "origin": ORIGIN}
    ).json()
    assert mismatch["code"] == "origin_mismatch"


def test_token_needs_the_pin_every_time(api: httpx.Client, demo: Demo) -> None:
    nonce = api.post("/v1/auth/challenge", json={"origin": ORIGIN}).json()["nonce"]
    sent = demo.cps.apdus
    refused = api.post("/v1/auth/token", json={"nonce": nonce, "origin": ORIGIN})
    problem(refused, 403, "pin_required")
    assert demo.cps.apdus == sent
    first = api.post("/v1/auth/token", json={"nonce": nonce, "origin": ORIGIN, "pin": PIN})
    assert first.status_code == 200
    # The card was locked again after signing: no session, no situations.
    assert api.get("/v1/cps").json()["situations"] is None
    again = api.post("/v1/auth/token", json={"nonce": nonce, "origin": ORIGIN})
    problem(again, 403, "pin_required")
    # Even with a PIN session open, a login needs the PIN.
    assert api.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
    problem(
        api.post("/v1/auth/token", json={"nonce": nonce, "origin": ORIGIN}), 403, "pin_required"
    )
    assert api.post(
        "/v1/auth/token", json={"nonce": nonce, "origin": ORIGIN, "pin": PIN}
    ).is_success
    # A login with the PIN leaves the open session as it was.
    assert api.get("/v1/session").json()["pin_session"] is True


@pytest.mark.parametrize(
    "nonce",
    [
        "",
        "abc",
        "q5SY8vYzWmxmJXc8zbDjd1cYqXdUFEjH",  # 24 bytes: too few
        "q5SY8vYzWmxmJXc8zbDjd1cYqXdUFEjHHjHkLnC9YH==",  # 31 bytes
        "q5SY8vYzWmxmJXc8zbDjd1cYqXdUFEjHHjHkLnC9YHE",  # no padding
        "q5SY8vYzWmxmJXc8zbDjd1cYqXdUFEjHHjHkLnC9YH-_",  # base64url alphabet
        "A" * 132,  # longer than the Web eID application's 128 characters
        "é" * 44,
    ],
)
def test_token_refuses_a_nonce_that_is_not_one(api: httpx.Client, demo: Demo, nonce: str) -> None:
    sent = demo.cps.apdus
    body = {"nonce": nonce, "origin": ORIGIN, "pin": PIN}
    problem(api.post("/v1/auth/token", json=body), 422, "nonce_invalid")
    assert demo.cps.apdus == sent


def test_token_signs_the_relying_partys_nonce(api: httpx.Client) -> None:
    """A nonce the bridge never issued (a remote site's server made it) is signed."""
    nonce = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="  # bytes 0..31, base64
    token = api.post("/v1/auth/token", json={"nonce": nonce, "origin": ORIGIN, "pin": PIN})
    assert token.status_code == 200, token.text


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "invalid_request"),
        ({"origin": "https://dmp.example/path"}, "origin_invalid"),
        ({"origin": "ftp://dmp.example"}, "origin_invalid"),
    ],
)
def test_native_challenge_needs_a_valid_origin(
    api: httpx.Client, body: dict[str, str], code: str
) -> None:
    problem(api.post("/v1/auth/challenge", json=body), 422, code)


def test_verify_garbage(api: httpx.Client) -> None:
    token = {
        "format": "web-eid:1.0",
        "unverifiedCertificate": "AAAA",
        "algorithm": "RS256",
        "signature": "AAAA",
        "appVersion": "x",
    }
    nonce = api.post("/v1/auth/challenge", json={"origin": ORIGIN}).json()["nonce"]
    check = api.post("/v1/auth/verify", json={"token": token, "nonce": nonce, "origin": ORIGIN})
    assert check.json()["valid"] is False
    assert check.json()["code"] == "token_malformed"
    nonce = api.post("/v1/auth/challenge", json={"origin": ORIGIN}).json()["nonce"]
    wrong = api.post(
        "/v1/auth/verify",
        json={"token": {**token, "format": "x"}, "nonce": nonce, "origin": ORIGIN},
    )
    assert wrong.json()["code"] == "token_format_unsupported"


def test_vitale(api: httpx.Client) -> None:
    card = api.get("/v1/vitale").json()
    assert card["reader"] == VITALE
    assert card["insured"]["nir"] == "1550672000101"
    assert card["insured"]["nir_key"] == "59"
    louise = card["beneficiaries"][1]
    assert louise["birth_date"] is None
    assert louise["birth_date_raw"] == "20150235"
    # 97 − (2150275123456 mod 97 = 87) = 10 (the NIR key's rule, docs/testing.md)
    assert louise["nir"] == "215027512345610"
    assert louise["ins"]["value"] == louise["nir"]


def test_reader_parameter(api: httpx.Client) -> None:
    assert api.get("/v1/cps", params={"reader": CPS}).status_code == 200
    problem(api.get("/v1/cps", params={"reader": "nope"}), 404, "reader_not_found")
    problem(api.get("/v1/cps", params={"reader": VITALE}), 409, "wrong_card_type")
    problem(api.get("/v1/vitale", params={"reader": CPS}), 409, "wrong_card_type")
    misspelt = problem(api.get("/v1/cps", params={"raeder": CPS}), 422, "invalid_request")
    assert misspelt["field"] == "raeder"
    twice = problem(
        api.get("/v1/cps", params=[("reader", CPS), ("reader", VITALE)]), 422, "invalid_request"
    )
    assert twice["field"] == "reader"
    assert "more than once" in str(twice["detail"])


def test_cards_absent(api: httpx.Client, demo: Demo) -> None:
    demo.backend.remove(CPS)
    demo.backend.remove(VITALE)
    body = problem(api.get("/v1/cps"), 404, "card_absent")
    assert "Insert the CPS card" in str(body["detail"])
    problem(api.get("/v1/vitale"), 404, "card_absent")
    problem(api.get("/v1/cps/pin", params={"reader": CPS}), 404, "card_absent")
    assert [r["card_present"] for r in api.get("/v1/readers").json()] == [False, False]


def test_no_reader(api: httpx.Client, demo: Demo) -> None:
    demo.backend.remove_reader(CPS)
    demo.backend.remove_reader(VITALE)
    assert api.get("/v1/readers").json() == []
    problem(api.get("/v1/cps"), 404, "reader_not_found")


def test_documentation_is_open(live: LiveServer) -> None:
    with live.client(token=False) as client:
        document = client.get("/openapi.json").json()
        assert client.get("/docs").status_code == 200
        assert client.get("/").headers["content-type"].startswith("text/html")
    paths = {
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    }
    assert paths >= {
        "GET /v1/health",
        "GET /v1/readers",
        "GET /v1/events",
        "GET /v1/cps",
        "GET /v1/cps/pin",
        "POST /v1/cps/pin/verify",
        "POST /v1/cps/pin/change",
        "POST /v1/cps/pin/unblock",
        "GET /v1/cps/certificates",
        "POST /v1/auth/challenge",
        "POST /v1/auth/token",
        "POST /v1/auth/verify",
        "GET /v1/vitale",
    }
    assert "security" not in document["paths"]["/v1/health"]["get"]
    assert document["paths"]["/v1/cps"]["get"]["security"] == [{"localApiToken": []}]
    verify = document["paths"]["/v1/cps/pin/verify"]["post"]["responses"]
    assert set(verify) >= {"200", "401", "403", "404", "409", "413", "422", "423", "502", "503"}
    examples = verify["401"]["content"]["application/problem+json"]["examples"]
    assert examples["pin_invalid"]["value"]["tries_left"] == 2
