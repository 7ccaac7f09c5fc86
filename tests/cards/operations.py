"""Every operation of the card sessions, as a table for the fault sweeps.

An :class:`Operation` is what a caller does on a fresh connection: ``prepare`` (e.g.
verify the PIN) runs without faults, then ``run`` is the operation under test, whose
every APDU gets faulted in turn. ``secret`` is the command that changes the PIN state
when it reaches the card (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER), and
``reached`` that state.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from cardbridge.auth.signing import sign_challenge
from cardbridge.cards.cps import CpsSession
from cardbridge.cards.models import Practitioner
from cardbridge.cards.vitale import VitaleSession
from cardbridge.dmp.access import AccessMode
from cardbridge.dmp.patients import patient_from_ins
from cardbridge.dmp.workflow import AccessRequest, DmpWorkflow
from cardbridge.emulator.engine import IsoCard
from cardbridge.errors import CardBridgeError, PinInvalidError, PukInvalidError
from cardbridge.layouts import cps
from cardbridge.pcsc.apdu import Ins
from cardbridge.pcsc.connection import Connection
from tests.cards.conftest import connected, recorded

PIN = "1234"
WRONG_PIN = "9999"
NEW_PIN = "4321"
PUK = "12345678"
WRONG_PUK = "00000000"
ORIGIN = "https://dmp.example"
NONCE = base64.b64encode(bytes(range(32))).decode()
PATIENT = patient_from_ins("295109912611193", test=True)
NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)


@dataclass(frozen=True)
class PinState:
    """The CPS PIN as the emulated card holds it."""

    tries_left: int
    value: str
    puk_tries_left: int

    @classmethod
    def of(cls, card: IsoCard) -> PinState:
        pin = card.mf.pins[cps.PIN_REFERENCE]
        return cls(pin.tries_left, pin.value.decode(), pin.puk_tries_left)

    def put(self, card: IsoCard) -> None:
        pin = card.mf.pins[cps.PIN_REFERENCE]
        pin.tries_left, pin.value, pin.puk_tries_left = (
            self.tries_left,
            self.value.encode(),
            self.puk_tries_left,
        )


# Each CPS operation starts with one try already spent, so that a VERIFY reaching the
# card shows either way: a right PIN restores the tries, a wrong one spends another.
ONE_TRY_SPENT = PinState(2, PIN, 10)
BLOCKED = PinState(0, PIN, 10)


@dataclass
class Call:
    """What an operation works with."""

    session: Any  # CpsSession or VitaleSession
    workflow: DmpWorkflow
    practitioner: Practitioner | None = None  # read by a ``prepare`` step


def _nothing(call: Call) -> None:
    return None


def _verify(call: Call) -> None:
    call.session.verify_pin(PIN)


def _read_with_situations(call: Call) -> None:
    call.session.verify_pin(PIN)
    call.practitioner = call.session.read_practitioner(with_situations=True)


def _open_access(call: Call) -> object:
    assert call.practitioner is not None
    request = AccessRequest(0, PATIENT, AccessMode.EMERGENCY, reason="Urgence vitale")
    return call.workflow.open_access(call.session, call.practitioner, request, now=NOW)


@dataclass(frozen=True)
class Operation:
    name: str
    run: Callable[[Call], object]
    prepare: Callable[[Call], None] = _nothing
    profile: str = "demo-cps"
    start: PinState | None = ONE_TRY_SPENT  # None: not a CPS
    secret: Ins | None = None
    reached: PinState | None = None  # the PIN state once ``secret`` ran on the card
    outcome: type[CardBridgeError] | None = None  # what a clean run raises

    def __str__(self) -> str:
        return self.name

    def session(self, connection: Connection) -> CpsSession | VitaleSession:
        return CpsSession(connection) if self.start is not None else VitaleSession(connection)


OPERATIONS = [
    Operation("pin_status", lambda c: c.session.pin_status()),
    Operation(
        "verify_right_pin",
        lambda c: c.session.verify_pin(PIN),
        secret=Ins.VERIFY,
        reached=PinState(3, PIN, 10),
    ),
    Operation(
        "verify_wrong_pin",
        lambda c: c.session.verify_pin(WRONG_PIN),
        secret=Ins.VERIFY,
        reached=PinState(1, PIN, 10),
        outcome=PinInvalidError,
    ),
    Operation("read_practitioner", lambda c: c.session.read_practitioner()),
    Operation(
        "read_with_situations",
        lambda c: c.session.read_practitioner(with_situations=True),
        prepare=_verify,
    ),
    Operation("read_situations", lambda c: c.session.read_situations(), prepare=_verify),
    Operation("certificates", lambda c: c.session.certificates()),
    Operation(
        "change_pin_wrong_old",
        lambda c: c.session.change_pin(WRONG_PIN, NEW_PIN),
        secret=Ins.CHANGE_REFERENCE_DATA,
        reached=PinState(1, PIN, 10),
        outcome=PinInvalidError,
    ),
    Operation(
        "change_pin_right_old",
        lambda c: c.session.change_pin(PIN, NEW_PIN),
        secret=Ins.CHANGE_REFERENCE_DATA,
        reached=PinState(3, NEW_PIN, 10),
    ),
    Operation(
        "unblock_wrong_puk",
        lambda c: c.session.unblock_pin(WRONG_PUK, NEW_PIN),
        start=BLOCKED,
        secret=Ins.RESET_RETRY_COUNTER,
        reached=PinState(0, PIN, 9),
        outcome=PukInvalidError,
    ),
    Operation(
        "unblock_right_puk",
        lambda c: c.session.unblock_pin(PUK, NEW_PIN),
        start=BLOCKED,
        secret=Ins.RESET_RETRY_COUNTER,
        reached=PinState(3, NEW_PIN, 10),
    ),
    Operation(
        "token_with_pin",
        lambda c: sign_challenge(c.session, ORIGIN, NONCE, pin=PIN),
        secret=Ins.VERIFY,
        reached=PinState(3, PIN, 10),
    ),
    Operation("authenticate", lambda c: c.session.authenticate(b"challenge"), prepare=_verify),
    Operation("sign", lambda c: c.session.sign(b"assertion" * 40), prepare=_verify),
    Operation("vihf_access", _open_access, prepare=_read_with_situations),
    Operation("vitale_read", lambda c: c.session.read(), profile="demo-vitale", start=None),
]


def command_name(apdu: bytes) -> str:
    """The instruction of a raw command APDU, for failure messages."""
    try:
        return Ins(apdu[1]).name
    except ValueError:
        return f"INS {apdu[1]:02X}"


@dataclass(frozen=True)
class Exchange:
    """What a clean run of an operation sends: ``prepared`` APDUs, then ``sent``; and
    what it returned (``None`` when it raised its expected ``outcome``)."""

    prepared: int
    sent: list[bytes]
    result: object

    def reached(self, secret: Ins | None, number: int, *, ran: bool) -> bool:
        """Whether ``secret`` ran on the card when APDU ``number`` of the operation is
        faulted (``ran``: that APDU itself ran)."""
        positions = [i for i, apdu in enumerate(self.sent, start=1) if apdu[1] == secret]
        return any(p < number or (p == number and ran) for p in positions)


def clean_exchange(operation: Operation, card: IsoCard, workflow: DmpWorkflow) -> Exchange:
    """Run ``operation`` without faults on ``card`` and record its APDUs."""
    if operation.start is not None:
        operation.start.put(card)
    with connected(card) as connection, recorded(card) as sent:
        call = Call(operation.session(connection), workflow)
        operation.prepare(call)
        prepared = len(sent)
        if operation.outcome is None:
            result = operation.run(call)
        else:
            with pytest.raises(operation.outcome):
                operation.run(call)
            result = None
    return Exchange(prepared, sent[prepared:], result)
