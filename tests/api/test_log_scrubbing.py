"""A whole session through ``cardbridge -vv serve``: no PIN, PUK, NIR, name or token in
any line it writes, debug logs included."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cardbridge.client import CardBridgeClient
from cardbridge.domain.nir import nir_key
from cardbridge.errors import PinInvalidError
from tests.support.serve_process import ServeProcess, free_port

ORIGIN = "https://dmp.example"
PIN, WRONG_PIN, NEW_PIN, PUK = "1234", "9876", "5790", "12345678"
INSURED_NIR, CHILD_NIR = "1550672000101", "2150275123456"
SECRETS = (PIN, WRONG_PIN, NEW_PIN, PUK)
HEALTH_DATA = (
    INSURED_NIR,
    INSURED_NIR + nir_key(INSURED_NIR),
    CHILD_NIR,
    "QUINIO",
    "PIERRE",
    "LOUISE",
    "19550615",
    "20150235",
)
NEEDLES = SECRETS + HEALTH_DATA


@pytest.fixture
def home() -> Iterator[Path]:
    """A fresh home whose path itself contains no needle (it is printed)."""
    for _ in range(20):
        with tempfile.TemporaryDirectory(prefix="cardbridge-scrub-") as directory:
            if not any(needle in directory for needle in NEEDLES):
                yield Path(directory)
                return
    pytest.fail("no temporary directory free of the needles")


def full_session(server: ServeProcess, token: str) -> None:
    with CardBridgeClient(server.url, token=token) as bridge:
        bridge.health()
        bridge.readers()
        bridge.practitioner()
        bridge.pin_status()
        with pytest.raises(PinInvalidError):
            bridge.verify_pin(WRONG_PIN)
        bridge.verify_pin(PIN)
        assert bridge.practitioner().situations
        bridge.certificates()
        bridge.change_pin(PIN, NEW_PIN)
        bridge.verify_pin(NEW_PIN)
        for _ in range(3):
            with pytest.raises(PinInvalidError if _ < 2 else Exception):
                bridge.verify_pin(WRONG_PIN)
        bridge.unblock_pin(PUK, PIN)
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


def test_no_secret_nor_health_data_in_the_logs(home: Path) -> None:
    port = free_port(avoid=NEEDLES)
    server = ServeProcess(home, port, "--emulator", options=("-vv",))
    try:
        server.wait_ready()
        token = (home / "config" / "cardbridge" / "api-token").read_text().strip()
        full_session(server, token)
    finally:
        assert server.stop() == 0
    lines = server.lines
    assert any("POST /v1/cps/pin/verify 401" in line for line in lines)  # logging was on
    assert any("GET /v1/vitale 200" in line for line in lines)
    leaks = [(needle, line) for line in lines for needle in (*NEEDLES, token) if needle in line]
    assert leaks == []
