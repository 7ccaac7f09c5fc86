"""A scripted card: asserts the exact APDUs sent and plays back the answers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ScriptedTransmitter:
    """``script`` is a list of (expected command hex, response hex incl. SW)."""

    script: list[tuple[str, str]]
    sent: list[bytes] = field(default_factory=list)

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        index = len(self.sent)
        self.sent.append(apdu)
        assert index < len(self.script), f"unexpected extra APDU {apdu.hex().upper()}"
        expected, answer = self.script[index]
        assert apdu == bytes.fromhex(expected), (
            f"APDU #{index}: sent {apdu.hex(' ').upper()}, expected {expected.upper()}"
        )
        raw = bytes.fromhex(answer)
        return raw[:-2], int.from_bytes(raw[-2:], "big")

    def assert_done(self) -> None:
        assert len(self.sent) == len(self.script), (
            f"{len(self.script) - len(self.sent)} scripted APDUs were not sent"
        )
