"""The Python client against the real server: models back, errors as the library's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cardbridge.auth.errors import AuthError, NonceInvalidError, OriginMismatchError
from cardbridge.client import CardBridgeClient
from cardbridge.config import Settings, api_token_path, ensure_api_token
from cardbridge.errors import (
    CardAbsentError,
    ConfigError,
    InvalidInputError,
    PinBlockedError,
    PinInvalidError,
    PinRequiredError,
    ReaderNotFoundError,
    WrongCardTypeError,
)
from tests.api.conftest import CPS, PIN, VITALE, Demo
from tests.support.server import LiveServer
from tests.support.sse import EventFollower, named

ORIGIN = "https://dmp.example"


@pytest.fixture
def bridge(live: LiveServer) -> Iterator[CardBridgeClient]:
    with CardBridgeClient(live.url, token=live.token) as client:
        yield client


def test_every_method(bridge: CardBridgeClient) -> None:
    health = bridge.health()
    assert (health.backend, health.pcsc, health.status) == ("emulator", "up", "ok")
    assert [reader.name for reader in bridge.readers()] == [CPS, VITALE]
    assert bridge.practitioner().situations is None
    assert bridge.pin_status().tries_left == 3
    bridge.verify_pin(PIN)
    situations = bridge.practitioner(CPS).situations
    assert situations is not None
    assert situations[0].structure_id == "499700735741008"
    assert bridge.certificates().chain.count("BEGIN CERTIFICATE") == 2
    bridge.change_pin(PIN, "2468")
    bridge.change_pin("2468", PIN)
    challenge = bridge.challenge(ORIGIN)
    token = bridge.token(challenge.nonce, ORIGIN)
    check = bridge.verify_token(token, challenge.nonce, ORIGIN)
    assert check.valid
    assert check.practitioner is not None
    assert check.practitioner.rpps == "99700735741"
    assert bridge.vitale(VITALE).insured.nir == "1550672000101"


def test_errors_are_the_library_errors(bridge: CardBridgeClient, demo: Demo) -> None:
    with pytest.raises(PinInvalidError) as wrong:
        bridge.verify_pin("0000")
    assert wrong.value.tries_left == 2
    assert wrong.value.reader == CPS
    with pytest.raises(PinInvalidError):
        bridge.verify_pin("0000")
    with pytest.raises(PinBlockedError):
        bridge.verify_pin("0000")
    bridge.unblock_pin("12345678", PIN)
    with pytest.raises(InvalidInputError) as invalid:
        bridge.verify_pin("12")
    assert invalid.value.field == "pin"
    with pytest.raises(ReaderNotFoundError):
        bridge.practitioner("nope")
    with pytest.raises(WrongCardTypeError):
        bridge.vitale(CPS)
    challenge = bridge.challenge(ORIGIN)
    with pytest.raises(PinRequiredError):
        bridge.token(challenge.nonce, ORIGIN)
    with pytest.raises(OriginMismatchError):
        bridge.token(challenge.nonce, "https://evil.example", pin=PIN)
    with pytest.raises(NonceInvalidError):
        bridge.token(challenge.nonce, ORIGIN, pin=PIN)
    demo.backend.remove(VITALE)
    with pytest.raises(CardAbsentError):
        bridge.vitale()


def test_events(live: LiveServer, demo: Demo) -> None:
    follower = EventFollower(live)
    try:
        follower.wait_for(named("state"))
        demo.backend.remove(CPS)
        follower.wait_for(named("card_removed", CPS))
    finally:
        follower.close()


def test_token_from_the_config_dir(
    live: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("CARDBRIDGE_API_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="No local API token"):
        CardBridgeClient(live.url)
    ensure_api_token(Settings())
    with CardBridgeClient(live.url) as client, pytest.raises(AuthError):
        client.readers()  # a token, but not this server's
    api_token_path().write_text(live.token)
    with CardBridgeClient(live.url) as client:
        assert len(client.readers()) == 2
