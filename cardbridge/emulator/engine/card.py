"""An ISO 7816-4 card: class byte checks, dispatch, and T=0 delivery of response data.

:class:`IsoCard` implements :class:`~cardbridge.emulator.card.VirtualCard`. Whatever
bytes it receives, it answers ``data || SW1 SW2`` with the status word a card would
give; a Python exception never leaves :meth:`IsoCard.process`.

Delivery follows T=0, the protocol of the CPS3 ATR: response data that a command
produces without an Le field (case 3 form of a case 4 command) waits for GET RESPONSE
behind ``61 xx``; data beyond Le is delivered the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from cardbridge.emulator.engine import crypto_commands, file_commands, pin_commands
from cardbridge.emulator.engine.files import DedicatedFile
from cardbridge.emulator.engine.state import VolatileState
from cardbridge.emulator.engine.status import CardStatus, Reply
from cardbridge.errors import CardDataError
from cardbridge.pcsc.apdu import SHORT_MAX_LE, SW, CommandApdu, Ins, MalformedApduError

log = logging.getLogger(__name__)

Handler = Callable[["IsoCard", CommandApdu], Reply]

HANDLERS: Mapping[int, Handler] = {
    Ins.SELECT: file_commands.select,
    Ins.READ_BINARY: file_commands.read_binary,
    Ins.VERIFY: pin_commands.verify,
    Ins.CHANGE_REFERENCE_DATA: pin_commands.change_reference_data,
    Ins.RESET_RETRY_COUNTER: pin_commands.reset_retry_counter,
    Ins.GET_DATA: pin_commands.get_data,
    Ins.GET_DATA_ODD: pin_commands.get_security_object,
    Ins.MANAGE_SECURITY_ENVIRONMENT: crypto_commands.manage_security_environment,
    Ins.PERFORM_SECURITY_OPERATION: crypto_commands.perform_security_operation,
    Ins.INTERNAL_AUTHENTICATE: crypto_commands.internal_authenticate,
    Ins.GET_CHALLENGE: crypto_commands.get_challenge,
}

CLA_PROPRIETARY = 0x80
CLA_FURTHER_CLASSES = 0x60
CLA_CHAINING = 0x10
CLA_SECURE_MESSAGING = 0x0C
CLA_CHANNEL = 0x03


def _unknown_instruction(card: IsoCard, apdu: CommandApdu) -> Reply:
    raise CardStatus(SW.INS_NOT_SUPPORTED)


def _sw_bytes(sw: int) -> bytes:
    return sw.to_bytes(2, "big")


def _remaining_sw(pending: bytes) -> int:
    """``61 xx``: ``xx`` more bytes (``00`` for 256 or more)."""
    return 0x6100 | (min(len(pending), SHORT_MAX_LE) & 0xFF)


class IsoCard:
    """A software card: a file tree with its security objects, and the volatile state.

    ``fci`` says whether SELECT answers an FCI when P2 asks for one (``00``); the
    CPS3 does not (``6A86``) and returns only FCP (P2 ``04``) or nothing (``0C``).
    ``read_limit`` caps what one short READ BINARY returns (IAS-ECC cards: ``E7``).
    """

    def __init__(
        self,
        *,
        atr: bytes,
        mf: DedicatedFile,
        fci: bool = True,
        read_limit: int = SHORT_MAX_LE,
    ) -> None:
        self._atr = atr
        self.mf = mf
        self.fci = fci
        self.read_limit = read_limit
        self.state = VolatileState(mf)

    @property
    def atr(self) -> bytes:
        return self._atr

    def power_on(self) -> None:
        self._forget()

    def power_off(self) -> None:
        self._forget()

    def reset(self) -> None:
        self._forget()

    def _forget(self) -> None:
        self.state = VolatileState(self.mf)

    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU with ``data || SW1 SW2``."""
        try:
            reply = self._execute(apdu)
        except Exception:
            # A bug must look like a card failure to the host, never crash the reader.
            log.exception("emulated card failed on a command")
            self.state.pending = b""
            reply = Reply(sw=SW.NO_PRECISE_DIAGNOSIS)
        return reply.data + _sw_bytes(reply.sw)

    def _execute(self, raw: bytes) -> Reply:
        try:
            command = CommandApdu.from_bytes(raw)
        except (MalformedApduError, ValueError):
            self.state.pending = b""
            return Reply(sw=SW.WRONG_LENGTH)
        try:
            self._check_class(command.cla)
            if command.ins == Ins.GET_RESPONSE:
                return self._get_response(command)
            self.state.pending = b""
            reply = HANDLERS.get(command.ins, _unknown_instruction)(self, command)
        except CardStatus as status:
            return Reply(sw=status.sw)
        except CardDataError:
            return Reply(sw=SW.INCORRECT_DATA)
        return self._deliver(reply, command.le)

    @staticmethod
    def _check_class(cla: int) -> None:
        if cla & (CLA_PROPRIETARY | CLA_FURTHER_CLASSES):
            raise CardStatus(SW.CLA_NOT_SUPPORTED)
        if cla & CLA_SECURE_MESSAGING:
            raise CardStatus(SW.SECURE_MESSAGING_NOT_SUPPORTED)
        if cla & CLA_CHANNEL:
            raise CardStatus(SW.LOGICAL_CHANNEL_NOT_SUPPORTED)
        if cla & CLA_CHAINING:
            raise CardStatus(SW.COMMAND_CHAINING_NOT_SUPPORTED)

    def _deliver(self, reply: Reply, le: int | None) -> Reply:
        if not reply.data or reply.sw != SW.SUCCESS:
            return reply
        if le is None:
            self.state.pending = reply.data
            return Reply(sw=_remaining_sw(reply.data))
        if len(reply.data) > le:
            self.state.pending = reply.data[le:]
            return Reply(reply.data[:le], _remaining_sw(self.state.pending))
        return reply

    def _get_response(self, command: CommandApdu) -> Reply:
        pending, self.state.pending = self.state.pending, b""
        if command.p1 or command.p2:
            raise CardStatus(SW.INCORRECT_P1P2)
        if command.data or command.le is None:
            raise CardStatus(SW.WRONG_LENGTH)
        if not pending:
            raise CardStatus(SW.CONDITIONS_NOT_SATISFIED)
        return self._deliver(Reply(pending), command.le)
