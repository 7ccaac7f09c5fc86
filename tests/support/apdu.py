"""Send hex APDUs to a software card and look at the answer."""

from __future__ import annotations

from cardbridge.emulator.card import VirtualCard


def tx(card: VirtualCard, command: str) -> tuple[bytes, int]:
    """Send ``command`` (hex, spaces allowed); return ``(data, sw)``."""
    response = card.process(bytes.fromhex(command))
    assert len(response) >= 2, f"malformed response {response.hex()}"
    return response[:-2], int.from_bytes(response[-2:], "big")


def sw(card: VirtualCard, command: str) -> int:
    """Only the status word of ``command``."""
    return tx(card, command)[1]
