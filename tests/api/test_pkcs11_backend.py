"""The API's CPS routes answer the same with ``card_backend = pkcs11`` as with cardbridge's
own APDUs: one server over the emulated demo CPS, one over a SoftHSM2 token holding the
same keys, certificates and data under the Cryptolib's labels (tests/support/softhsm.py).
Over real HTTP; the JSON bodies are compared whole."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from cardbridge.cards.pkcs11_backend import Pkcs11Backend, slot_states
from cardbridge.emulator.inprocess import EmulatedBackend
from cardbridge.emulator.pki import TestPki
from cardbridge.pcsc.atr import CardFamily
from testkit.dmp_sandbox import RunningSandbox
from testkit.server import LiveServer
from testkit.tokens import independently_valid, new_nonce
from tests.api.conftest import serving_dmp
from tests.support.dmp_fixtures import PIERRE
from tests.support.softhsm import USER_PIN, SoftHsmCps
from tests.support.xmldsig import verify_xmlsec1

ORIGIN = "https://dmp.example"
# Pierre's DMP, on which the demo CPS is authorized (the sandbox's seed).
INS = PIERRE
ACCESS = {"situation": 0, "patient": {"ins": INS}, "mode": "normal", "consent": True}


@dataclass
class Pair:
    """The same CPS served by both backends."""

    pcsc: httpx.Client
    pkcs11: httpx.Client
    pkcs11_live: LiveServer
    reader: str

    def both(self, method: str, path: str, **kwargs: object) -> tuple[httpx.Response, ...]:
        return tuple(
            client.request(method, path, **kwargs)  # type: ignore[arg-type]
            for client in (self.pcsc, self.pkcs11)
        )


def _token_slot(module: str) -> str:
    return next(s.name for s in slot_states(module) if s.card_type is CardFamily.CPS)


@pytest.fixture
def pair(
    softhsm: SoftHsmCps, test_pki: TestPki, tmp_path: Path, dmp: RunningSandbox
) -> Iterator[Pair]:
    reader = _token_slot(softhsm.module)
    emulated = EmulatedBackend([reader])  # the same reader name: the same JSON
    emulated.insert(reader, softhsm.card)
    anchor, intermediate = tmp_path / "root.pem", tmp_path / "issuing.pem"
    anchor.write_bytes(test_pki.root.certificate.public_bytes(Encoding.PEM))
    intermediate.write_bytes(test_pki.issuing_ca.certificate.public_bytes(Encoding.PEM))
    pkcs11_settings = {
        "data_dir": tmp_path / "data",
        "trust_anchors": [anchor],
        "intermediates": [intermediate],
    }
    try:
        with (
            serving_dmp(emulated, dmp, tmp_path) as pcsc_live,
            serving_dmp(
                Pkcs11Backend(softhsm.module), dmp, tmp_path, **pkcs11_settings
            ) as pkcs11_live,
            pcsc_live.client() as pcsc,
            pkcs11_live.client() as pkcs11,
        ):
            for live in (pcsc_live, pkcs11_live):
                live.bridge.cards.backoff.first_delay = 0  # tries in a row
            yield Pair(pcsc, pkcs11, pkcs11_live, reader)
    finally:
        emulated.remove(reader)


def _same(responses: tuple[httpx.Response, ...], status: int = 200) -> object:
    first, second = responses
    assert (first.status_code, second.status_code) == (status, status), second.text
    assert first.json() == second.json()
    return second.json()


def test_identity_routes_answer_the_same(pair: Pair, softhsm: SoftHsmCps) -> None:
    practitioner = _same(pair.both("GET", "/v1/cps"))
    assert isinstance(practitioner, dict)
    assert practitioner["national_id"] == softhsm.profile.holder.national_id
    assert practitioner["situations"] is None
    assert _same(pair.both("GET", "/v1/cps/pin")) == {
        "tries_left": 3,
        "max_tries": 3,
        "blocked": False,
    }
    certificates = _same(pair.both("GET", "/v1/cps/certificates"))
    assert isinstance(certificates, dict)
    assert (
        certificates["authentication"] == softhsm.authentication.public_bytes(Encoding.PEM).decode()
    )
    readers = pair.pkcs11.get("/v1/readers").json()
    # SoftHSM2's free slot holds a blank token: a card, not a CPS.
    assert {(r["name"], r["card_type"]) for r in readers if r["card_present"]} == {
        (pair.reader, "cps"),
        ("SoftHSM slot ID 0x1", "unknown"),
    }


def test_a_wrong_pin_spends_one_try_with_c_login(pair: Pair, softhsm: SoftHsmCps) -> None:
    wrong = _same(pair.both("POST", "/v1/cps/pin/verify", json={"pin": "9999"}), 401)
    assert isinstance(wrong, dict)
    assert (wrong["code"], wrong["tries_left"]) == ("pin_invalid", 2)
    assert _same(pair.both("GET", "/v1/cps/pin"))["tries_left"] == 2  # type: ignore[index]
    assert _same(pair.both("POST", "/v1/cps/pin/verify", json={"pin": USER_PIN})) == {
        "verified": True
    }
    assert _same(pair.both("GET", "/v1/cps/pin"))["tries_left"] == 3  # type: ignore[index]
    unlocked = _same(pair.both("GET", "/v1/cps"))
    assert isinstance(unlocked, dict)
    assert [s["structure_id"] for s in unlocked["situations"]] == [
        s.structure_id for s in softhsm.profile.situations
    ]


def test_a_token_signed_through_pkcs11(pair: Pair) -> None:
    nonce = new_nonce()
    body = {"nonce": nonce, "origin": ORIGIN, "pin": USER_PIN}
    # RSA PKCS#1 v1.5 is deterministic: the same key signs the same bytes alike.
    token = _same(pair.both("POST", "/v1/auth/token", json=body))
    assert independently_valid(pair.pkcs11.post("/v1/auth/token", json=body).text, ORIGIN, nonce)
    challenge = pair.pkcs11.post("/v1/auth/challenge", json={"origin": ORIGIN}).json()
    signed = pair.pkcs11.post(
        "/v1/auth/token", json={"nonce": challenge["nonce"], "origin": ORIGIN, "pin": USER_PIN}
    ).json()
    check = pair.pkcs11.post(
        "/v1/auth/verify", json={"token": signed, "nonce": challenge["nonce"], "origin": ORIGIN}
    ).json()
    assert (check["valid"], check["code"]) == (True, None)
    assert check["practitioner"]["national_id"] == "899700735741"
    assert token != signed  # another nonce, another signature
    # The login needed the PIN and logged out after signing (no PIN session was open).
    again = pair.pkcs11.post("/v1/auth/token", json={"nonce": nonce, "origin": ORIGIN})
    assert again.json()["code"] == "pin_required"


def test_dmp_access_signed_through_pkcs11(pair: Pair) -> None:
    refused = _same(pair.both("POST", "/v1/dmp/access", json=ACCESS), 403)
    assert refused["code"] == "pin_required"  # type: ignore[index]
    _same(pair.both("POST", "/v1/cps/pin/verify", json={"pin": USER_PIN}))
    pcsc, pkcs11 = pair.both("POST", "/v1/dmp/access", json=ACCESS)
    assert (pcsc.status_code, pkcs11.status_code) == (200, 200), pkcs11.text
    # Times and identifiers; each bridge has its own journal.
    volatile = {"vihf", "assertion_id", "not_on_or_after", "journal_seq"}
    assert {k: v for k, v in pcsc.json().items() if k not in volatile} == {
        k: v for k, v in pkcs11.json().items() if k not in volatile
    }
    certificate = pair.pkcs11.get("/v1/cps/certificates").json()["signature"]
    assert verify_xmlsec1(pkcs11.json()["vihf"].encode(), certificate)


def test_vitale_routes_say_to_use_pcsc(pair: Pair) -> None:
    answer = pair.pkcs11.get("/v1/vitale")
    assert answer.status_code == 409
    assert answer.json()["code"] == "wrong_card_type"
    assert "card_backend = pcsc" in answer.json()["detail"]


def test_changing_the_pin_with_c_setpin(pair: Pair) -> None:
    try:
        changed = pair.both(
            "POST", "/v1/cps/pin/change", json={"old_pin": USER_PIN, "new_pin": "2468"}
        )
        assert _same(changed) == {"changed": True}
        wrong = _same(pair.both("POST", "/v1/cps/pin/verify", json={"pin": USER_PIN}), 401)
        assert wrong["code"] == "pin_invalid"  # type: ignore[index]
        _same(pair.both("POST", "/v1/cps/pin/verify", json={"pin": "2468"}))
        wrong_old = {"old_pin": "1111", "new_pin": "1357"}
        refused = _same(pair.both("POST", "/v1/cps/pin/change", json=wrong_old), 401)
        assert (refused["code"], refused["tries_left"]) == ("pin_invalid", 2)  # type: ignore[index]
    finally:  # the token and the card are shared by the session's tests
        back = {"old_pin": "2468", "new_pin": USER_PIN}
        for client in (pair.pcsc, pair.pkcs11):
            client.post("/v1/cps/pin/change", json=back)
    _same(pair.both("POST", "/v1/cps/pin/verify", json={"pin": USER_PIN}))


def test_unblocking_is_left_to_the_middleware(pair: Pair) -> None:
    body = {"puk": "12345678", "new_pin": USER_PIN, "confirm_last_try": True}
    answer = pair.pkcs11.post("/v1/cps/pin/unblock", json=body)
    assert answer.json()["code"] == "card_error"
    assert "card_backend = pcsc" in answer.json()["detail"]
