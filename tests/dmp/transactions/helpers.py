"""What the transaction tests share: the senders, the ANS samples' fixed parts, VIHFs as
the transport takes them, and the check of an unreadable answer."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from lxml import etree

from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.transactions.hl7v3 import Hl7Sender
from cardbridge.dmp.transport import SoapAnswer, SoapCall
from cardbridge.errors import DmpAnswerError
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions.samples import parse

HL7 = "urn:hl7-org:v3"
SENDER = Hl7Sender("2.999.250.1", "cardbridge tests")
TEST_INS_OID = "1.2.250.1.213.1.4.10"  # the seed's INS are test INS
# The ANS samples' (samples.py): the software that sent them, TD0.2's patient, and what
# each message makes anew (its id, its creation time, its query's id).
SAMPLE_SENDER = Hl7Sender("1.3.6.1.4.1.48364", "LPS GIE-SV")
SAMPLE_INS = InsReference(value="207058575627097", oid=TEST_INS_OID)
GENERATED = frozenset({("id", "extension"), ("creationTime", "value"), ("queryId", "extension")})
CENTRE_15 = {"purpose": "centre_15", "reason": "Appel au centre 15"}


def vihf(identity: Identity, **changes: object) -> bytes:
    """``identity``'s signed VIHF with ``changes`` (patient=…, purpose=…), serialized."""
    return etree.tostring(identity.signed(identity.vihf.but(**changes)))


def assert_unreadable(
    error: pytest.ExceptionInfo[DmpAnswerError], transaction: str, what: str
) -> None:
    """An unreadable answer's message: the transaction, what was wrong, what to do."""
    assert error.value.message == (
        f"The DMP's {transaction} answer could not be read ({what}). "
        "Try again; report it if it persists."
    )


def assert_answer_unreadable(
    read: Callable[[etree._Element], object], answer: bytes, transaction: str, what: str
) -> None:
    """``read`` refuses ``answer`` (parsed as the transport does) as an unreadable
    ``transaction`` answer, saying ``what`` was wrong."""
    with pytest.raises(DmpAnswerError) as error:
        read(parse(answer))
    assert_unreadable(error, transaction, what)


class Answering:
    """A transport answering each call with the next of ``answers`` (bytes, parsed as
    the transport does), keeping the calls and the VIHFs they carried."""

    def __init__(self, *answers: bytes) -> None:
        self.answers = list(answers)
        self.calls: list[SoapCall] = []
        self.vihfs: list[bytes] = []

    def call(self, call: SoapCall, vihf: bytes) -> SoapAnswer:
        self.calls.append(call)
        self.vihfs.append(vihf)
        return SoapAnswer(call.action + "Response", parse(self.answers.pop(0)))


@contextmanager
def paris_time() -> Iterator[None]:
    """The process on Paris time (a POSIX TZ rule, UTC+1, UTC+2 in summer), as a French
    workstation is: a message that wrote local times would be caught in CI, on UTC."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "CET-1CEST,M3.5.0,M10.5.0/3"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()
