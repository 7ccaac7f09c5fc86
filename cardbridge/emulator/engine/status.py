"""How command handlers answer: a :class:`Reply`, or a :class:`CardStatus` raised for an error."""

from __future__ import annotations

from dataclasses import dataclass

from cardbridge.pcsc.apdu import SW


@dataclass(frozen=True, slots=True)
class Reply:
    """Response data and status word of one command, before T=0 delivery rules apply."""

    data: bytes = b""
    sw: int = SW.SUCCESS


class CardStatus(Exception):  # noqa: N818 - a status word, not an error of cardbridge
    """Raised by a handler to answer a status word without data."""

    def __init__(self, sw: int) -> None:
        super().__init__(f"SW {sw:04X}")
        self.sw = sw


def tries_left_sw(tries: int) -> int:
    """``63 Cx``: verification failed, ``x`` tries left."""
    return SW.VERIFY_FAILED | min(tries, 0x0F)
