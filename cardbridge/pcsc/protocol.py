"""APDU exchange rules on top of a :class:`~cardbridge.pcsc.connection.Transmitter`.

:class:`ApduProtocol` owns what every card application would otherwise repeat:
short or extended encoding, command chaining for long data, the ``61xx`` GET RESPONSE
loop (accumulating the data), the ``6Cxx`` resend with the length the card asks for,
and turning a status word other than 9000 into :class:`ApduError`.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from cardbridge.errors import CardCommunicationError
from cardbridge.pcsc.apdu import (
    CLA_CHAINING,
    SHORT_MAX_DATA,
    SHORT_MAX_LE,
    SW,
    ApduError,
    CommandApdu,
    Ins,
    ResponseApdu,
    describe_sw,
    redact_raw,
)
from cardbridge.pcsc.connection import Transmitter

# APDU traffic is logged below DEBUG (and PIN data is redacted): enable it on purpose only.
TRACE = 5
logging.addLevelName(TRACE, "TRACE")
log = logging.getLogger("cardbridge.apdu")

# A card that keeps answering 61xx for more than this is broken, not slow (16 MiB at 256 B).
MAX_GET_RESPONSE = 65536
MAX_WRONG_LE_RESENDS = 2


class ApduProtocol:
    """Sends :class:`CommandApdu` objects the way ISO 7816-4 cards expect them.

    ``extended`` allows extended-length APDUs (otherwise long data is chained and
    long responses are fetched with GET RESPONSE); ``max_chunk`` is the most command
    data sent in one short APDU when chaining.
    """

    def __init__(
        self,
        transmitter: Transmitter,
        *,
        extended: bool = False,
        max_chunk: int = SHORT_MAX_DATA,
    ) -> None:
        if not 1 <= max_chunk <= SHORT_MAX_DATA:
            raise ValueError("max_chunk must be between 1 and 255")
        self._transmitter = transmitter
        self.extended = extended
        self.max_chunk = max_chunk
        self.apdu_count = 0

    def send(self, command: CommandApdu) -> bytes:
        """Send and return the response data; raise :class:`ApduError` unless SW=9000."""
        response = self.transceive(command)
        if not response.ok:
            raise ApduError(response.sw, response.data, command=command.name)
        return response.data

    def transceive(self, command: CommandApdu) -> ResponseApdu:
        """Send with chaining, GET RESPONSE and Le correction; return the final answer."""
        if command.needs_extended and not self.extended:
            return self._send_chained(command)
        return self._send_one(command)

    def _send_chained(self, command: CommandApdu) -> ResponseApdu:
        if (command.le or 0) > SHORT_MAX_LE and len(command.data) <= SHORT_MAX_DATA:
            # Only Le is too long: ask for the maximum and let 61xx bring the rest.
            return self._send_one(replace(command, le=SHORT_MAX_LE))
        data = command.data
        chunks = [data[i : i + self.max_chunk] for i in range(0, len(data), self.max_chunk)]
        for chunk in chunks[:-1]:
            part = CommandApdu(
                command.cla | CLA_CHAINING, command.ins, command.p1, command.p2, chunk
            )
            response = self._send_one(part)
            if not response.ok:
                return response
        le = min(command.le, SHORT_MAX_LE) if command.le is not None else None
        return self._send_one(replace(command, data=chunks[-1], le=le))

    def _send_one(self, command: CommandApdu) -> ResponseApdu:
        extended = None if self.extended else False
        response = self._exchange(command.to_bytes(extended=extended))
        resends = 0
        while response.sw1 == 0x6C and resends < MAX_WRONG_LE_RESENDS:
            command = replace(command, le=response.sw2 or SHORT_MAX_LE)
            response = self._exchange(command.to_bytes(extended=extended))
            resends += 1
        return self._collect_remaining(response, channel=command.cla & 0x03)

    def _collect_remaining(self, response: ResponseApdu, *, channel: int) -> ResponseApdu:
        data = bytearray(response.data)
        rounds = 0
        while response.sw1 == 0x61:
            rounds += 1
            if rounds > MAX_GET_RESPONSE:
                raise CardCommunicationError(
                    "The card keeps announcing more data; it may be faulty."
                )
            get_response = CommandApdu(
                channel, Ins.GET_RESPONSE, 0, 0, le=response.sw2 or SHORT_MAX_LE
            )
            response = self._exchange(get_response.to_bytes())
            data += response.data
        return ResponseApdu(bytes(data), response.sw)

    def _exchange(self, raw: bytes) -> ResponseApdu:
        if log.isEnabledFor(TRACE):
            log.log(TRACE, "> %s", redact_raw(raw))
        data, sw = self._transmitter.transmit(raw)
        self.apdu_count += 1
        if log.isEnabledFor(TRACE):
            log.log(TRACE, "< %d bytes SW=%04X (%s)", len(data), sw, describe_sw(sw))
        return ResponseApdu(data, sw)


__all__ = ["SW", "ApduProtocol"]
