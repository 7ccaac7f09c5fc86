"""A small scripted :class:`~cardbridge.emulator.card.VirtualCard` for the real tier.

It answers a handful of commands, hands long data out through ``61xx`` GET RESPONSE
chunks like a T=0 card, keeps a "PIN verified" flag as volatile state, and records the
power events it sees so that tests can check what pcscd did to it.
"""

from __future__ import annotations

import threading

CPS3_ATR = bytes.fromhex("3BAC00402A001225006480000310009000")
VITALE2_ATR = bytes.fromhex("3B751300004309EA9000")
TEST_PIN = b"1234"

SW_OK = b"\x90\x00"
SW_WRONG_LENGTH = b"\x67\x00"
SW_SECURITY = b"\x69\x82"
SW_CONDITIONS = b"\x69\x85"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"


class ScriptedCard:
    """The card of the real-tier tests.

    - ``00 CA 00 00 00`` (GET DATA): :attr:`long_data`, first ``first_chunk`` bytes then
      ``61xx``; ``00 C0 00 00 Le`` (GET RESPONSE) hands out the rest;
    - ``00 B0 00 00 Le`` (READ BINARY): ``Le`` bytes ``00 01 02 …`` (``00``: 256);
    - ``00 20 00 01 04 <PIN>`` (VERIFY): ``9000`` for ``1234``, else ``63C2``; without
      data, ``9000`` if verified since the last reset or power off, else ``63C3``;
    - ``00 84 00 00 08`` (GET CHALLENGE) answers ``69 82`` unless verified.
    """

    def __init__(self, atr: bytes = CPS3_ATR, *, long_data_size: int = 600) -> None:
        self._atr = atr
        self.long_data = bytes(i * 7 % 251 for i in range(long_data_size))
        self.first_chunk = 200
        self.verified = False
        self._pending = b""
        self._lock = threading.Lock()
        self.events: list[str] = []
        self.apdu_count = 0

    @property
    def atr(self) -> bytes:
        return self._atr

    def power_on(self) -> None:
        self._record("power_on")

    def power_off(self) -> None:
        self._record("power_off")

    def reset(self) -> None:
        self._record("reset")

    def power_events(self) -> list[str]:
        """A copy of the power events seen so far."""
        with self._lock:
            return list(self.events)

    def process(self, apdu: bytes) -> bytes:
        self.apdu_count += 1
        if len(apdu) < 4:
            return SW_WRONG_LENGTH
        ins, p1, p2, body = apdu[1], apdu[2], apdu[3], apdu[4:]
        if ins != 0xC0:
            self._pending = b""
        if ins == 0xCA and (p1, p2) == (0, 0):
            return self._chunk(self.long_data, self.first_chunk)
        if ins == 0xC0:
            return self._get_response(body)
        if ins == 0xB0:
            count = body[0] if len(body) == 1 else 0
            return bytes(i & 0xFF for i in range(count or 256)) + SW_OK
        if ins == 0x20:
            return self._verify(body)
        if ins == 0x84:
            return (b"\x5a" * 8 + SW_OK) if self.verified else SW_SECURITY
        return SW_INS_NOT_SUPPORTED

    def _chunk(self, data: bytes, size: int) -> bytes:
        head, self._pending = data[:size], data[size:]
        if not self._pending:
            return head + SW_OK
        return head + bytes([0x61, min(len(self._pending), 256) & 0xFF])

    def _get_response(self, body: bytes) -> bytes:
        if not self._pending:
            return SW_CONDITIONS
        wanted = (body[0] or 256) if len(body) == 1 else 256
        return self._chunk(self._pending, wanted)

    def _verify(self, body: bytes) -> bytes:
        if not body:
            return SW_OK if self.verified else b"\x63\xc3"
        if body[1:] == TEST_PIN and body[0] == len(TEST_PIN):
            self.verified = True
            return SW_OK
        return b"\x63\xc2"

    def _record(self, event: str) -> None:
        with self._lock:
            self.events.append(event)
            self.verified = False
            self._pending = b""
