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


# Valid commands of the demo cards. Mixed into random ones, they let random sequences
# reach deep states (PIN verified, environment set, hash given) where the random ones
# then land.
VALID_COMMANDS = [
    "00A4040C0DE828BD080F8025000001FF0010",
    "00A4040C0BD250000002564954414C45",
    "00A4000C023F00",
    "00A4090C063F000001D120",
    "002000010431323334",
    "00200001",
    "0022 41A4 06 800102 840182",
    "0022 41B6 06 800142 840181",
    "002A90A022 9020" + "AB" * 32,
    "002A90A006 9000 80023132",
    "002A9E9A00",
    "0088000033 3031300D060960864801650304020105000420" + "CD" * 32,
    "00B0820000",
    "00B0000000",
    "00C0000000",
    "00CB3FFF0A4D087006BF810102A08000",
]
SUCCESS_FAMILIES = {0x90, 0x61, 0x62, 0x63}
ERROR_FAMILIES = {0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6D, 0x6E}


def check_answer(card: VirtualCard, apdu: bytes) -> None:
    """Whatever ``apdu`` is, the card answers a well-formed response: a status word
    of an ISO 7816-4 family, never an internal error, no data with an error."""
    response = card.process(apdu)
    assert len(response) >= 2
    sw = int.from_bytes(response[-2:], "big")
    assert sw != 0x6F00, f"internal error on {apdu.hex()}"
    assert sw >> 8 in SUCCESS_FAMILIES | ERROR_FAMILIES, f"{sw:04X} on {apdu.hex()}"
    if sw >> 8 in ERROR_FAMILIES:
        assert response == response[-2:], "errors carry no data"
