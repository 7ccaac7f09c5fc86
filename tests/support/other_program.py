"""Another PC/SC application, in its own process, using the same card as cardbridge.

``python -m tests.support.other_program hold READER``: connects (shared), begins a
transaction, prints ``held``, keeps it until a line (or EOF) arrives on stdin, then
ends it and prints ``released``.

``python -m tests.support.other_program reads READER COUNT``: COUNT times, in a
transaction, SELECTs EF.SN.ICC of the CPS and READs it, then SELECTs the PKCS#15
application ten times outside any transaction (as a careless program would); at the
end it prints one JSON line ``{"reads": COUNT, "consistent": N, "statuses": {...}}``.
A read that does not return the chip serial means another client's SELECT slipped in
between; the bare SELECTs would break cardbridge's own reads if it did not use
transactions either.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from smartcard import scard

ROOT = Path(__file__).resolve().parents[2]
PROTOCOLS = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
SELECT_SN_ICC = bytes.fromhex("00A4090C04 3F00D003".replace(" ", ""))
READ_12 = bytes.fromhex("00B000000C")
CARELESS_SELECTS = 10
# The CPS's PKCS#15 application (docs/domain.md §1), another DF than the MF.
SELECT_PKCS15 = bytes.fromhex("00A4040C0D E828BD080F8025000001FF0010".replace(" ", ""))


def _connect(reader: str) -> tuple[int, int, int]:
    code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if code:
        sys.exit(f"establish: {code:#x}")
    code, card, protocol = scard.SCardConnect(context, reader, scard.SCARD_SHARE_SHARED, PROTOCOLS)
    if code:
        sys.exit(f"connect: {code:#x}")
    return context, card, protocol


def _transmit(card: int, protocol: int, apdu: bytes) -> bytes:
    code, response = scard.SCardTransmit(card, protocol, list(apdu))
    if code:
        sys.exit(f"transmit: {code:#x}")
    return bytes(response)


def hold(reader: str) -> None:
    context, card, _ = _connect(reader)
    code = scard.SCardBeginTransaction(card)
    if code:
        sys.exit(f"begin: {code:#x}")
    print("held", flush=True)
    sys.stdin.readline()
    scard.SCardEndTransaction(card, scard.SCARD_LEAVE_CARD)
    print("released", flush=True)
    scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
    scard.SCardReleaseContext(context)


def reads(reader: str, count: int) -> None:
    context, card, protocol = _connect(reader)
    consistent = 0
    statuses: Counter[str] = Counter()
    for _ in range(count):
        if scard.SCardBeginTransaction(card):
            statuses["begin failed"] += 1
            continue
        try:
            selected = _transmit(card, protocol, SELECT_SN_ICC)
            answer = _transmit(card, protocol, READ_12)
        finally:
            scard.SCardEndTransaction(card, scard.SCARD_LEAVE_CARD)
        statuses[f"{selected[-2:].hex()}/{answer[-2:].hex()}"] += 1
        # EF.SN.ICC: tag 5A, then the CPS issuer 80 25 00 00 01 (docs/domain.md §1).
        consistent += answer[:2] == b"\x5a\x0a" and answer[2:7] == bytes.fromhex("8025000001")
        for _ in range(CARELESS_SELECTS):  # no transaction: lands between anyone's APDUs
            _transmit(card, protocol, SELECT_PKCS15)
    print(json.dumps({"reads": count, "consistent": consistent, "statuses": statuses}))
    scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
    scard.SCardReleaseContext(context)


class HeldCard:
    """The ``hold`` program, running: :meth:`release` ends its transaction."""

    def __init__(self, reader: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.other_program", "hold", reader],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        assert line == "held", f"the other program could not hold the card: {line!r}"

    def release(self) -> None:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        if self.process.poll() is None:
            self.process.stdin.write("\n")
            self.process.stdin.flush()
            assert self.process.stdout.readline().strip() == "released"
        self.process.wait(10)


@contextmanager
def card_held_by_another_program(reader: str) -> Iterator[HeldCard]:
    """Another process holds a PC/SC transaction on the card in ``reader``."""
    held = HeldCard(reader)
    try:
        yield held
    finally:
        if held.process.poll() is None:
            held.release()


def start_reads(reader: str, count: int) -> subprocess.Popen[str]:
    """The ``reads`` program, started; its JSON line comes on stdout when it ends."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.other_program", "reads", reader, str(count)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


if __name__ == "__main__":
    if sys.argv[1] == "hold":
        hold(sys.argv[2])
    elif sys.argv[1] == "reads":
        reads(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("usage: python -m tests.support.other_program hold|reads READER [COUNT]")
