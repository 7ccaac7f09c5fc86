"""Problem details in French by default, in English when ``Accept-Language`` asks for it:
``title`` and ``detail`` change, ``code`` and the other fields do not."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from testkit.server import LiveServer


@pytest.fixture
def french(live: LiveServer) -> Iterator[httpx.Client]:
    """A native client that sends no ``Accept-Language`` at all (curl's default)."""
    with httpx.Client(base_url=live.url, headers=live.auth, timeout=10.0) as client:
        yield client


@pytest.mark.usefixtures("no_backoff")
def test_a_wrong_pin_in_french_by_default_and_in_english_on_request(
    live: LiveServer, french: httpx.Client
) -> None:
    answer = french.post("/v1/cps/pin/verify", json={"pin": "0000"})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert (body["code"], body["tries_left"]) == ("pin_invalid", 2)
    assert body["title"] == "Non authentifié"
    assert body["detail"] == "Code PIN incorrect. Essais restants : 2."

    with live.client(headers={"Accept-Language": "en-US,en;q=0.9"}) as english:
        body = english.post("/v1/cps/pin/verify", json={"pin": "0000"}).json()
    assert (body["code"], body["tries_left"]) == ("pin_invalid", 1)
    assert body["title"] == "Unauthorized"
    assert body["detail"] == "Wrong PIN. One try left: a further wrong PIN blocks the card."


def test_the_security_layer_answers_in_the_language_asked(live: LiveServer) -> None:
    """Refusals made before any route runs (no token) follow the header too."""
    with httpx.Client(base_url=live.url, timeout=10.0) as anonymous:
        french = anonymous.get("/v1/readers").json()
        english = anonymous.get("/v1/readers", headers={"Accept-Language": "en"}).json()
    assert french["code"] == english["code"] == "unauthorized"
    assert french["detail"].startswith(
        "Jeton d'API local absent ou faux : envoyez « Authorization: Bearer <jeton> »"
    )
    assert english["detail"].startswith(
        "Missing or wrong local API token: send 'Authorization: Bearer <token>'"
    )
    assert (french["title"], english["title"]) == ("Non authentifié", "Unauthorized")


def test_a_refused_field_is_named_in_both_languages(french: httpx.Client) -> None:
    answer = french.post("/v1/cps/pin/verify", json={})
    assert answer.status_code == 422
    body = answer.json()
    assert (body["code"], body["field"]) == ("invalid_request", "pin")
    assert body["title"] == "Demande invalide"
    assert body["detail"] == "pin : champ obligatoire"
    assert body["errors"] == [{"field": "pin", "message": "champ obligatoire"}]

    english = french.post("/v1/cps/pin/verify", json={}, headers={"Accept-Language": "en"})
    assert english.json()["detail"] == "pin: Field required"


def test_an_unknown_address(french: httpx.Client) -> None:
    body = french.get("/v1/no-such-route").json()
    assert (body["code"], body["title"]) == ("not_found", "Introuvable")
    assert body["detail"] == "Rien n'a été trouvé à cette adresse."
