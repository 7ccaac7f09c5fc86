"""A whole session through ``cardbridge -vv serve``, DMP workflows included: no PIN, PUK,
NIR, INS, name, emergency reason or token in any line it writes, debug logs included."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from cardbridge.client import CardBridgeClient
from cardbridge.emulator.pki import TestPki
from cardbridge.errors import PinBlockedError, PinInvalidError, PinRetryLaterError
from testkit.dmp_sandbox import running_sandbox
from testkit.sample_files import pdf
from testkit.serve_process import ServeProcess, free_port
from tests.support.dmp_fixtures import PIERRE

ORIGIN = "https://dmp.example"
PIN, WRONG_PIN, NEW_PIN, PUK = "1234", "9876", "5790", "12345678"
INSURED_NIR, CHILD_NIR = "1550672000101", "2150275123456"
# Typed by the clinician in the DMP workflows (not on the demo cards).
T = TypeVar("T")
# Louise's INS (the sandbox's seed), typed rather than read from the card.
TYPED_INS = "215027512345610"
CRITERIA = {
    "last_name": "BERTHELOT",
    "first_name": "Solène",
    "sex": "F",
    "birth_date": "03/09/1987",
}
WRONG_KEY = TYPED_INS[:-1] + "4"
REASON = "Coma hypoglycémique, patiente inconsciente aux urgences"
SECRETS = (PIN, WRONG_PIN, NEW_PIN, PUK)
HEALTH_DATA = (
    INSURED_NIR,
    INSURED_NIR + "59",  # 97 − (1550672000101 mod 97 = 38)
    CHILD_NIR,
    "QUINIO",
    "PIERRE",
    "LOUISE",
    "19550615",
    "20150235",
    TYPED_INS,
    TYPED_INS[:13],  # without its key
    WRONG_KEY,
    "BERTHELOT",
    "Solène",
    "SOLENE",
    "03/09/1987",
    "19870903",
    REASON,
    "inconsciente",
)
NEEDLES = SECRETS + HEALTH_DATA
PDF = pdf()  # a one-page PDF written by pypdf


@pytest.fixture
def home() -> Iterator[Path]:
    """A fresh home whose path itself contains no needle (it is printed)."""
    for _ in range(20):
        with tempfile.TemporaryDirectory(prefix="cardbridge-scrub-") as directory:
            if not any(needle in directory for needle in NEEDLES):
                yield Path(directory)
                return
    pytest.fail("no temporary directory free of the needles")


def patiently(call: Callable[[], T]) -> T:
    """``call()``, after the wait the bridge asks for after a wrong code."""
    for _ in range(4):
        try:
            return call()
        except PinRetryLaterError as wait:
            time.sleep(wait.retry_after)
    return call()


def full_session(server: ServeProcess, token: str) -> None:
    with CardBridgeClient(server.url, token=token) as bridge:
        bridge.health()
        bridge.readers()
        bridge.practitioner()
        bridge.pin_status()
        with pytest.raises(PinInvalidError):
            bridge.verify_pin(WRONG_PIN)
        patiently(lambda: bridge.verify_pin(PIN))
        assert bridge.practitioner().situations
        bridge.certificates()
        bridge.change_pin(PIN, NEW_PIN)
        bridge.verify_pin(NEW_PIN)
        for attempt in range(3):
            with pytest.raises(PinInvalidError if attempt < 2 else PinBlockedError):
                patiently(lambda: bridge.verify_pin(WRONG_PIN, confirm_last_try=True))
        patiently(lambda: bridge.unblock_pin(PUK, PIN, confirm=True))
        challenge = bridge.challenge(ORIGIN)
        made = bridge.token(challenge.nonce, ORIGIN, pin=PIN)
        assert bridge.verify_token(made, challenge.nonce, ORIGIN).valid
        vitale = bridge.vitale()
        assert vitale.insured.nir == INSURED_NIR
        events = bridge.events()
        assert next(events).name == "state"
        events.close()
    auth = {"Authorization": f"Bearer {token}"}
    # Careless clients: health data in a query string, a PIN in a malformed body.
    httpx.get(f"{server.url}/v1/vitale", params={"reader": INSURED_NIR}, headers=auth)
    httpx.get(f"{server.url}/v1/cps", params={"nir": INSURED_NIR, "name": "QUINIO"}, headers=auth)
    for body in (f'{{"pin": "{PIN}", "puk": "{PUK}"}}', f'{{"pin": {PIN}}}', f"pin={PIN}"):
        httpx.post(
            f"{server.url}/v1/cps/pin/verify",
            content=body,
            headers={**auth, "Content-Type": "application/json"},
        )
    httpx.post(
        f"{server.url}/v1/cps/pin/verify",
        json={"pin": PIN},
        headers={"Authorization": f"Bearer {PIN}"},
    )


def dmp_session(server: ServeProcess, token: str) -> None:
    """Patient chosen three ways, accesses normal and in emergency with a reason, a
    patient's history, a deposit; then the same with careless mistakes."""
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as dmp:
        assert dmp.post("/v1/cps/pin/verify", json={"pin": PIN}).status_code == 200
        typed = dmp.post("/v1/dmp/patient", json={"ins": TYPED_INS})
        assert typed.status_code == 200, typed.text
        by_names = dmp.post("/v1/dmp/patient", json={"criteria": CRITERIA})
        assert by_names.json()["last_name"] == "BERTHELOT"
        child = dmp.post("/v1/dmp/patient", json={"vitale": {"beneficiary": 1}}).json()
        assert child["first_name"] == "LOUISE"
        normal = {"situation": 0, "patient": {"vitale": {"beneficiary": 0}}, "consent": True}
        assert dmp.post("/v1/dmp/access", json=normal).status_code == 200
        emergency = {
            "situation": 0,
            "patient": {"ins": TYPED_INS},
            "mode": "bris_de_glace",
            "reason": REASON,
        }
        granted = dmp.post("/v1/dmp/access", json=emergency)
        assert granted.status_code == 200, granted.text
        history = dmp.get("/v1/dmp/journal", params={"patient": typed.json()["journal_key"]})
        assert history.json()[0]["details"]["mode"] == "bris_de_glace"
        status = dmp.get("/v1/dmp/status", params={"patient": TYPED_INS})
        assert status.status_code == 200, status.text
        listed = dmp.get("/v1/dmp/documents", params={"patient": TYPED_INS})
        assert listed.status_code == 200, listed.text
        search = {"criteria": CRITERIA, "situation": 0, "mode": "centre_15", "reason": REASON}
        assert dmp.post("/v1/dmp/patient", json=search).status_code == 200
        deposit = dmp.post(
            "/v1/dmp/documents",
            data={
                "situation": "0",
                "beneficiary": "0",
                "title": "CR de consultation",
                "document_date": "2026-01-05",
                "type": "11488-4",
                "event_start": "2026-01-05",
                "comment": REASON,
            },
            files={"file": ("CR BERTHELOT Solène.pdf", PDF)},
        )
        unique_id = deposit.json()["receipt"]["unique_id"]
        got = dmp.get(f"/v1/dmp/documents/{unique_id}", params={"patient": PIERRE})
        assert got.content == PDF
        assert deposit.status_code == 200, deposit.text
        assert dmp.get("/v1/dmp/journal/verify").json()["ok"] is True
        # Careless clients: names where an INS goes, the reason in a query, an access
        # by names only (no INS: refused), a wrong INS key, a deposit for nobody.
        mistakes = [
            dmp.post("/v1/dmp/patient", json={"ins": "BERTHELOT Solène 03/09/1987"}),
            dmp.get("/v1/dmp/journal", params={"patient": REASON, "kind": "BERTHELOT"}),
            dmp.post("/v1/dmp/access", json={**emergency, "patient": {"criteria": CRITERIA}}),
            dmp.post(
                "/v1/dmp/access", json={**emergency, "patient": {"ins": TYPED_INS[:-1] + "4"}}
            ),
            dmp.post("/v1/dmp/access", json={**emergency, "mode": REASON}),
            dmp.post(
                "/v1/dmp/documents",
                data={"situation": "0", "title": REASON},
                files={"file": ("CR BERTHELOT.pdf", PDF)},
            ),
        ]
        assert all(answer.status_code == 422 for answer in mistakes), [
            answer.text for answer in mistakes
        ]


def test_no_secret_nor_health_data_in_the_logs(
    home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The offline DMP trusts the test PKI that the bridge's emulated cards come from.
    data_dir = home / "data" / "cardbridge"
    data_dir.mkdir(parents=True, mode=0o700)
    TestPki.load_or_create(data_dir)
    sandbox_dir = tmp_path_factory.mktemp("sandbox")
    with running_sandbox(sandbox_dir / "state", data_dir) as sandbox:
        roots = sandbox_dir / "roots.pem"
        roots.write_bytes(sandbox.trust)
        monkeypatch.setenv("CARDBRIDGE_DMP_ENDPOINT", f"https://127.0.0.1:{sandbox.port}")
        monkeypatch.setenv("CARDBRIDGE_DMP_SERVER_ROOTS", str(roots))
        lines, token = _served_session(home)
    assert any("POST /v1/cps/pin/verify 401" in line for line in lines)  # logging was on
    assert any("GET /v1/vitale 200" in line for line in lines)
    assert any("POST /v1/dmp/access 200" in line for line in lines)
    assert any("GET /v1/dmp/documents 200" in line for line in lines)
    assert any("POST /v1/dmp/documents 422" in line for line in lines)
    # The start banner states the emulated demo cards' PIN, public (README, "The first run"):
    # that line, once, and nowhere else.
    demo_pin = [line for line in lines if line.startswith("The demo cards are emulated: ")]
    assert len(demo_pin) == 1
    assert f"PIN is {PIN} " in demo_pin[0]
    lines = [line for line in lines if line not in demo_pin]
    leaks = [(needle, line) for line in lines for needle in (*NEEDLES, token) if needle in line]
    assert leaks == []


def _served_session(home: Path) -> tuple[list[str], str]:
    """The lines ``cardbridge -vv serve --emulator`` wrote through a full session."""
    port = free_port(avoid=NEEDLES)
    server = ServeProcess(home, port, "--emulator", options=("-vv",))
    try:
        server.wait_ready()
        token = (home / "config" / "cardbridge" / "api-token").read_text().strip()
        full_session(server, token)
        dmp_session(server, token)
    finally:
        assert server.stop() == 0
    return server.lines, token
