"""Small parts of the API layer: loopback check, problem documents back into errors,
the interleaving checker of the concurrency test, the CA chain, the event queues and names."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from cardbridge.api.models import StreamEvent
from cardbridge.api.server import require_loopback
from cardbridge.client import _server_sent_events, error_from_problem
from cardbridge.emulator.pki import CardHolderIdentity, TestPki
from cardbridge.errors import (
    CardRemovedError,
    InvalidInputError,
    NonceInvalidError,
    OriginForbiddenError,
    PinBlockedError,
    PinInvalidError,
    PukInvalidError,
    UnexpectedAnswerError,
)
from cardbridge.pcsc.reader_interface import EventHub, EventKind, ReaderEvent
from cardbridge.service.authorities import CertificateAuthorities
from cardbridge.service.events import QUEUE_SIZE, End, EventBroadcaster
from tests.support.recording import Entry, interleavings


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_accepted(host: str) -> None:
    require_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.org", ""])
def test_network_addresses_refused(host: str) -> None:
    with pytest.raises(InvalidInputError, match="not a loopback address"):
        require_loopback(host)


def test_problems_become_the_library_errors() -> None:
    wrong = error_from_problem(
        401,
        {
            "code": "pin_invalid",
            "detail": "Wrong PIN. 2 tries left.",
            "tries_left": 2,
            "reader": "r",
        },
    )
    assert isinstance(wrong, PinInvalidError)
    assert (wrong.tries_left, wrong.reader, wrong.message) == (2, "r", "Wrong PIN. 2 tries left.")
    assert wrong.details() == {"reader": "r", "tries_left": 2}
    assert isinstance(
        error_from_problem(401, {"code": "puk_invalid", "tries_left": 9}), PukInvalidError
    )
    assert isinstance(error_from_problem(423, {"code": "pin_blocked"}), PinBlockedError)
    removed = error_from_problem(409, {"code": "card_removed", "detail": "gone"})
    assert type(removed) is CardRemovedError
    assert isinstance(error_from_problem(401, {"code": "nonce_invalid"}), NonceInvalidError)
    assert isinstance(error_from_problem(403, {"code": "origin_forbidden"}), OriginForbiddenError)
    invalid = error_from_problem(
        422, {"code": "invalid_request", "detail": "pin: x", "field": "pin"}
    )
    assert type(invalid) is InvalidInputError
    assert invalid.field == "pin"
    assert isinstance(error_from_problem(418, {"code": "teapot"}), UnexpectedAnswerError)


def test_server_sent_events_parsing() -> None:
    lines = iter(
        [
            "event: state",
            "data: {}",
            "retry: 2000",
            "",
            ": ping",
            "",
            "data: a",
            "data: b",
            "",
            "event: x",
            "",
        ]
    )
    assert list(_server_sent_events(lines)) == [("state", "{}"), ("message", "a\nb")]


def test_interleavings_found() -> None:
    clean = [
        Entry("begin", 1),
        Entry("apdu", 1),
        Entry("end", 1),
        Entry("begin", 2),
        Entry("apdu", 2),
        Entry("end", 2),
    ]
    assert interleavings(clean) == []
    mixed = [
        Entry("begin", 1),
        Entry("apdu", 1),
        Entry("begin", 2),
        Entry("apdu", 2),
        Entry("end", 2),
        Entry("apdu", 1),
        Entry("end", 1),
    ]
    assert len(interleavings(mixed)) >= 2
    assert interleavings([Entry("apdu", None)]) != []


def test_chain_of_a_card_certificate(
    test_pki: TestPki, card_keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey], tmp_path: Path
) -> None:
    holder = CardHolderIdentity(
        national_id="899700735741", last_name="DUPONT", first_name="JEAN", profession="Médecin"
    )
    issued = test_pki.issue_card_certificates(
        holder,
        card_keys[0].public_key(),
        card_keys[1].public_key(),  # type: ignore[attr-defined]
    )
    known = CertificateAuthorities((test_pki.root.certificate,), (test_pki.issuing_ca.certificate,))
    assert known.chain(issued.authentication) == [
        test_pki.issuing_ca.certificate,
        test_pki.root.certificate,
    ]
    assert CertificateAuthorities().chain(issued.authentication) == []
    other = TestPki.load_or_create(tmp_path / "other-pki")
    impostor = CertificateAuthorities((other.root.certificate,), (other.issuing_ca.certificate,))
    assert impostor.chain(issued.authentication) == []  # same names, other keys


def test_a_stalled_subscriber_is_dropped() -> None:
    hub = EventHub()
    broadcaster = EventBroadcaster(hub)

    async def scenario() -> tuple[object, object]:
        broadcaster.start(asyncio.get_running_loop())
        with broadcaster.subscribe() as stalled, broadcaster.subscribe() as reading:
            for _ in range(QUEUE_SIZE + 5):
                hub.publish(ReaderEvent(EventKind.READER_ADDED, "r"))
                await asyncio.sleep(0)
                assert await reading.next(1.0) is not None
            await asyncio.sleep(0.05)
            items = [await stalled.next(0.01) for _ in range(QUEUE_SIZE + 1)]
            broadcaster.close()
            return items[-1], await reading.next(1.0)

    last_of_stalled, end_of_reading = asyncio.run(scenario())
    assert last_of_stalled is End.OVERFLOW
    assert end_of_reading is End.CLOSED


def test_stream_events_are_the_reader_events_between_state_and_heartbeat() -> None:
    """A reader event the monitors publish is one the stream (and the page) knows."""
    names = [event.value for event in StreamEvent]
    assert (names[0], names[-1]) == ("state", "heartbeat")
    assert names[1:-1] == [kind.value for kind in EventKind]
