"""The pyscard backend: readers, card connections and the monitor, over pcscd.

Built on pyscard's low-level :mod:`smartcard.scard` API, which maps one-to-one onto
the PC/SC calls, so that every flag is ours to choose:

- connections are shared (``SCARD_SHARE_SHARED``, T=0 or T=1) and always end with
  ``SCARD_LEAVE_CARD``: another program (the practitioner's software, a signing
  middleware) may be using the same card, and powering it off or resetting it would
  destroy its session (verified PIN, selected application);
- pyscard's ``list[int]`` becomes ``bytes`` and an ``int`` status word here, at the
  boundary, and every PC/SC return code becomes a cardbridge error through the one
  table of :mod:`cardbridge.pcsc.scard_codes`.

A connection is meant for one thread at a time. Each connection owns its PC/SC
context: pcsc-lite serialises calls per context, so sharing one would make a slow
card block every other reader. Connecting and beginning a transaction wait for any
transaction another program holds on the card; they are given up after a deadline
(:mod:`cardbridge.pcsc.holdup`), so that no request hangs behind such a program.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal, NoReturn

from smartcard import scard

from cardbridge.errors import (
    CardAbsentError,
    CardBusyError,
    CardCommunicationError,
    CardRemovedError,
    CardResetError,
    ReaderNotFoundError,
)
from cardbridge.pcsc.atr import AtrShape, atr_shape
from cardbridge.pcsc.holdup import HELD_MESSAGE, HeldUpCalls
from cardbridge.pcsc.monitor import PcscMonitor
from cardbridge.pcsc.reader_interface import EventHub, ReaderState
from cardbridge.pcsc.scard_codes import (
    ScardCode,
    StateFlag,
    describe_code,
    pcsc_error,
    reader_state,
)
from cardbridge.pcsc.settle import SETTLE_ATTEMPTS, SETTLE_INTERVAL, settled_state

log = logging.getLogger(__name__)

_PROTOCOLS = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
# SCardReconnect can meet a second reset by another program; more than this is a loop.
MAX_RESET_RECONNECTS = 3
# A reader can vanish between listing it and asking its state: list again, a few times.
MAX_LIST_ATTEMPTS = 3


class ScardContext:
    """One PC/SC context (a connection to pcscd), released by :meth:`release`."""

    def __init__(self) -> None:
        code, handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if code != ScardCode.S_SUCCESS:
            raise pcsc_error(code)
        self.handle: int = handle

    def release(self) -> None:
        code = scard.SCardReleaseContext(self.handle)
        if code != ScardCode.S_SUCCESS:
            log.debug("releasing the PC/SC context: %s", describe_code(code))

    def __enter__(self) -> ScardContext:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def reader_names(self) -> list[str]:
        """Names of the readers pcscd knows, empty when there is none."""
        code, names = scard.SCardListReaders(self.handle, [])
        if code == ScardCode.E_NO_READERS_AVAILABLE:
            return []
        if code != ScardCode.S_SUCCESS:
            raise pcsc_error(code)
        return list(names)

    def reader_states(self) -> list[ReaderState]:
        """Every reader with its card, asked now (zero timeout); a card still being powered
        up is read again until its ATR is complete (:mod:`cardbridge.pcsc.settle`)."""
        for _ in range(MAX_LIST_ATTEMPTS):
            names = self.reader_names()
            if not names:
                return []
            query = [(name, StateFlag.UNAWARE) for name in names]
            code, states = scard.SCardGetStatusChange(self.handle, 0, query)
            if code == ScardCode.E_UNKNOWN_READER:
                continue
            if code != ScardCode.S_SUCCESS:
                raise pcsc_error(code)
            return [
                reader_state(name, *settled_state(scard, self.handle, name, event, atr))
                for name, event, atr in states
            ]
        raise pcsc_error(ScardCode.E_UNKNOWN_READER)


# The calls given up by connections made without a backend (one per process).
_HELD_UP = HeldUpCalls()


class PcscConnection:
    """A shared connection to the card in one reader; implements ``Connection``.

    After another program resets the card, PC/SC answers the next call with
    ``SCARD_W_RESET_CARD`` and does not send it. The connection then reconnects
    (leaving the card as it is) and raises :class:`CardResetError` (code
    ``card_removed``) instead of carrying on: the reset erased the card's volatile
    state (verified PIN, selected application, security environment), so the command
    cannot mean what the caller intended. The connection stays usable: the caller
    starts its operation again from the beginning.
    """

    def __init__(self, reader: str, held_up: HeldUpCalls | None = None) -> None:
        self._reader = reader
        self._held_up = held_up or _HELD_UP
        self._held_up.check(reader)
        self._transaction_depth = 0
        self._given_up = False  # a call on this connection was given up: it is unusable
        self._context = ScardContext()
        try:
            card, self._protocol = self._connect()
            self._atr = self._read_atr(card)
        except CardBusyError:
            raise  # the context is released when the late SCardConnect returns
        except BaseException:
            self._context.release()
            raise
        self._card: int | None = card

    @property
    def reader(self) -> str:
        return self._reader

    @property
    def atr(self) -> bytes:
        return self._atr

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Send one command APDU; return ``(data, sw)``."""
        # Kept lean on purpose: this is the path whose overhead the benchmark measures.
        code, response = scard.SCardTransmit(self._handle(), self._protocol, list(apdu))
        if code:  # SCARD_S_SUCCESS is 0
            self._raise_for(code)
        if len(response) < 2:
            raise CardCommunicationError(
                "The card gave an incomplete answer. Remove it and insert it again.",
                reader=self._reader,
            )
        return bytes(response[:-2]), response[-2] << 8 | response[-1]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """No other program's APDUs interleave inside the block (re-entrant)."""
        if self._transaction_depth:
            self._transaction_depth += 1
            try:
                yield
            finally:
                self._transaction_depth -= 1
            return
        card = self._handle()
        try:
            code = self._held_up.call(
                self._reader,
                lambda: scard.SCardBeginTransaction(card),
                lambda late: self._undo_late_begin(card, late),
            )
        except CardBusyError:
            self._given_up = True  # the context is busy until SCardBeginTransaction returns
            raise
        if code != ScardCode.S_SUCCESS:
            self._raise_for(code)
        self._transaction_depth = 1
        try:
            yield
        finally:
            self._transaction_depth = 0
            code = scard.SCardEndTransaction(card, scard.SCARD_LEAVE_CARD)
            if code != ScardCode.S_SUCCESS:
                # What the block read stays valid; the next call reports the card's state.
                log.info(
                    "ending the PC/SC transaction on %s: %s", self._reader, describe_code(code)
                )

    def card_removed(self) -> bool:
        """Whether pcscd already reports this connection's card gone (``SCardStatus``,
        which sends nothing to the card): removed, or its reader unplugged.

        Only the return code is read: the meaning of the state word differs between
        pcsc-lite (bit flags) and Windows (an enumeration).
        """
        card = self._card
        if card is None or self._given_up:
            return False  # a given-up call still holds the context: asking would wait
        code = scard.SCardStatus(card)[0]
        if code == ScardCode.S_SUCCESS:
            return False
        error = pcsc_error(code, reader=self._reader)
        return type(error) is CardRemovedError or isinstance(
            error, CardAbsentError | ReaderNotFoundError
        )

    def close(self) -> None:
        """Disconnect, leaving the card powered and its state as it is (idempotent)."""
        card, self._card = self._card, None
        if card is None or self._given_up:
            return  # a call given up disconnects when it returns
        self._disconnect(card)

    def _disconnect(self, card: int) -> None:
        code = scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
        if code != ScardCode.S_SUCCESS:
            log.debug("disconnecting from %s: %s", self._reader, describe_code(code))
        self._context.release()

    def _undo_late_begin(self, card: int, code: int | None) -> None:
        """A transaction obtained after the caller gave up: end it and disconnect."""
        if code == ScardCode.S_SUCCESS:
            scard.SCardEndTransaction(card, scard.SCARD_LEAVE_CARD)
        self._disconnect(card)

    def _undo_late_connect(self, result: tuple[int, int, int] | None) -> None:
        if result is not None and result[0] == ScardCode.S_SUCCESS:
            scard.SCardDisconnect(result[1], scard.SCARD_LEAVE_CARD)
        self._context.release()

    def __enter__(self) -> PcscConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _handle(self) -> int:
        if self._given_up:
            raise CardBusyError(HELD_MESSAGE, reader=self._reader)
        if self._card is None:
            raise CardCommunicationError(
                "The connection to the card is closed.", reader=self._reader
            )
        return self._card

    def _connect(self) -> tuple[int, int]:
        """The card handle and the protocol chosen (T=0 or T=1)."""
        code, card, protocol = self._held_up.call(
            self._reader,
            lambda: scard.SCardConnect(
                self._context.handle, self._reader, scard.SCARD_SHARE_SHARED, _PROTOCOLS
            ),
            self._undo_late_connect,
        )
        if code != ScardCode.S_SUCCESS:
            raise pcsc_error(code, reader=self._reader)
        log.debug("connected to the card in %s", self._reader)
        return card, protocol

    def _read_atr(self, card: int) -> bytes:
        """The card's ATR (SCardStatus), asked again while it is incomplete: pcscd may
        still be powering the card up (:mod:`cardbridge.pcsc.settle`)."""
        for attempt in range(SETTLE_ATTEMPTS):
            code, _name, _state, _protocol, atr = scard.SCardStatus(card)
            if code != ScardCode.S_SUCCESS:
                raise pcsc_error(code, reader=self._reader)
            if atr_shape(bytes(atr)) is AtrShape.COMPLETE or attempt == SETTLE_ATTEMPTS - 1:
                break
            time.sleep(SETTLE_INTERVAL)
        return bytes(atr)

    def _raise_for(self, code: int) -> NoReturn:
        if code & 0xFFFFFFFF == ScardCode.W_RESET_CARD:
            self._reconnect_after_reset()
        log.debug("PC/SC call on %s failed: %s", self._reader, describe_code(code))
        raise pcsc_error(code, reader=self._reader)

    def _reconnect_after_reset(self) -> NoReturn:
        """Acknowledge a reset by another program, then raise :class:`CardResetError`."""
        card = self._handle()
        for _ in range(MAX_RESET_RECONNECTS):
            try:
                # Waits, like connecting, while another program holds a transaction.
                code, protocol = self._held_up.call(
                    self._reader,
                    lambda: scard.SCardReconnect(
                        card, scard.SCARD_SHARE_SHARED, _PROTOCOLS, scard.SCARD_LEAVE_CARD
                    ),
                    lambda _late: self._disconnect(card),
                )
            except CardBusyError:
                self._given_up = True
                raise
            if code == ScardCode.S_SUCCESS:
                self._protocol = protocol
                self._atr = self._read_atr(card)
                log.info("the card in %s was reset by another program", self._reader)
                raise CardResetError(reader=self._reader)
            if code & 0xFFFFFFFF != ScardCode.W_RESET_CARD:
                raise pcsc_error(code, reader=self._reader)
        raise CardResetError(reader=self._reader)


class PcscBackend:
    """Readers of pcscd; implements ``ReaderBackend`` (``kind`` is ``"pcsc"``)."""

    def __init__(self, busy_timeout: float | None = None) -> None:
        self._events = EventHub()
        self._monitor: PcscMonitor | None = None
        self._held_up = HeldUpCalls() if busy_timeout is None else HeldUpCalls(busy_timeout)

    @property
    def kind(self) -> Literal["pcsc"]:
        return "pcsc"

    @property
    def events(self) -> EventHub:
        return self._events

    def start(self) -> None:
        """Start the reader monitor (idempotent)."""
        if self._monitor is None:
            self._monitor = PcscMonitor(self._events)
            self._monitor.start()

    def stop(self) -> None:
        """Stop the monitor; its thread and PC/SC context are released."""
        monitor, self._monitor = self._monitor, None
        if monitor is not None:
            monitor.stop()

    def list_readers(self) -> list[ReaderState]:
        """Every reader and its card, asked now, in name order; empty without readers."""
        with ScardContext() as context:
            return sorted(context.reader_states(), key=lambda state: state.name)

    def connect(self, reader: str) -> PcscConnection:
        """Connect to the card in ``reader`` (shared; the card is left as found on close)."""
        return PcscConnection(reader, self._held_up)
