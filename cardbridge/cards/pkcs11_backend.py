"""The slots of a PKCS#11 module as the bridge's readers (``card_backend = pkcs11``).

A :class:`Pkcs11Backend` is a :class:`~cardbridge.pcsc.reader_interface.ReaderBackend` of kind
``pkcs11``: each slot of the module is a reader named by its description (OpenSC names
a slot after its PC/SC reader), and an initialised token in it is a CPS. Its
"connection" is a :class:`Pkcs11Connection`, which carries no APDUs: it *is* a PKCS#11
session with the token, whose :attr:`~Pkcs11Connection.cps` the card service uses in
place of :class:`~cardbridge.cards.cps.CpsSession`. The Vitale card is not a PKCS#11
token: this backend does not serve it (docs/cps-card.md, "The PKCS#11 road").

Events come from polling ``C_GetSlotList`` every :data:`POLL_PERIOD` on one thread,
stopped by :meth:`Pkcs11Backend.stop`. ``C_WaitForSlotEvent`` is not used: a blocking
wait is released only by ``C_Finalize``, which would end the readers' sessions too, and
its non-blocking form tells no more than the slot list does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import pkcs11
from pkcs11 import SlotFlag, TokenFlag, _pkcs11
from pkcs11 import exceptions as p11
from pkcs11.types import Slot

from cardbridge.cards.cps_pkcs11 import Pkcs11CpsSession
from cardbridge.cards.pkcs11_token import serialised
from cardbridge.errors import CardBridgeError, CardError, ConfigError, PcscError
from cardbridge.messages import configuration
from cardbridge.pcsc.atr import CardFamily
from cardbridge.pcsc.reader_interface import EventHub, EventKind, ReaderEvent, ReaderState

log = logging.getLogger(__name__)

POLL_PERIOD = 0.5
"""Seconds between two looks at the slot list (pcscd itself looks about every 0.4 s)."""

NO_APDU_MESSAGE = (
    "The bridge reaches the CPS through its PKCS#11 middleware (card_backend = pkcs11), "
    "which reads the CPS only: set card_backend = pcsc to read Vitale cards."
)


@serialised
def load_module(module: str) -> _pkcs11.lib:
    """The PKCS#11 module at ``module``, loaded (once per process) and initialised."""
    try:
        return pkcs11.lib(module)
    except (RuntimeError, OSError, p11.PKCS11Error) as error:
        raise ConfigError(
            configuration.PKCS11_MODULE_NOT_LOADED.format(module=module, reason=error)
        ) from None


def describe_module(module: str) -> str:
    """Who made the module and what it calls itself (C_GetInfo), loading it if needed."""
    library = load_module(module)
    return f"{library.manufacturer_id.strip()} {library.library_description.strip()}".strip()


@serialised
def slot_states(module: str) -> list[ReaderState]:
    """Every slot of ``module`` as a reader, asked now, in name order; a token is a CPS."""
    try:
        slots = load_module(module).get_slots(token_present=False)
    except p11.PKCS11Error as error:
        raise PcscError(f"The PKCS#11 module cannot list its slots: {error!r}.") from None
    states: dict[str, ReaderState] = {}
    for slot in slots:
        name = str(slot.slot_description).strip()
        present = bool(slot.flags & SlotFlag.TOKEN_PRESENT)
        state = ReaderState(name, present, None, _family(slot) if present else None)
        # A module may show several slots for one reader (OpenSC: one per application):
        # the reader holds a CPS when any of them does.
        if _rank(state) >= _rank(states.get(name)):
            states[name] = state
    return sorted(states.values(), key=lambda state: state.name)


def _rank(state: ReaderState | None) -> int:
    if state is None:
        return 0
    return 3 if state.family is CardFamily.CPS else 2 if state.card_present else 1


def _family(slot: Slot) -> CardFamily:
    """A CPS for an initialised token; an uninitialised one (a blank token, such as the
    free slot SoftHSM2 always shows) is an unknown card."""
    try:
        flags = slot.get_token().flags
    except p11.PKCS11Error:  # taken out between the two calls
        return CardFamily.UNKNOWN
    return CardFamily.CPS if flags & TokenFlag.TOKEN_INITIALIZED else CardFamily.UNKNOWN


class Pkcs11Connection:
    """A PKCS#11 session with the token of one slot, kept while the card stays.

    It satisfies :class:`~cardbridge.pcsc.connection.Connection` so that the reader
    service keeps and closes it like a PC/SC connection, and
    :class:`~cardbridge.cards.cps_card.CpsCardConnection` through :attr:`cps`. PKCS#11
    gives no ATR (``atr`` is empty) and no APDUs (``transmit`` refuses).
    """

    def __init__(self, module: str, reader: str) -> None:
        self._cps = Pkcs11CpsSession(module, reader)

    @property
    def cps(self) -> Pkcs11CpsSession:
        return self._cps

    @property
    def reader(self) -> str:
        return self._cps.reader

    @property
    def atr(self) -> bytes:
        return b""

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        raise CardError(NO_APDU_MESSAGE, reader=self.reader)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield  # the middleware serialises its own exchanges with the card

    def close(self) -> None:
        """C_CloseSession (C_Logout first when logged in); idempotent."""
        try:
            self._cps.close()
        except CardBridgeError as error:  # the card left: its session went with it
            log.debug("closing the PKCS#11 session on %s: %s", self.reader, error.code)

    def __enter__(self) -> Pkcs11Connection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Pkcs11Backend:
    """The slots of one PKCS#11 module; implements ``ReaderBackend`` (kind ``pkcs11``)."""

    def __init__(self, module: str, *, poll_period: float = POLL_PERIOD) -> None:
        self.module = module
        self._poll_period = poll_period
        self._events = EventHub()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def kind(self) -> Literal["pkcs11"]:
        return "pkcs11"

    @property
    def events(self) -> EventHub:
        return self._events

    def start(self) -> None:
        """Start following the slots (idempotent)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._follow, name="pkcs11-slots", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop following: the thread ends within one poll period."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join()

    def list_readers(self) -> list[ReaderState]:
        """Every slot and its token, asked now."""
        return slot_states(self.module)

    def connect(self, reader: str) -> Pkcs11Connection:
        """A session with the token in slot ``reader``."""
        return Pkcs11Connection(self.module, reader)

    def _follow(self) -> None:
        known: dict[str, ReaderState] = {}
        available = True
        while not self._stop.is_set():
            try:
                now = {state.name: state for state in slot_states(self.module)}
            except (PcscError, ConfigError) as error:
                if available:
                    log.warning("the PKCS#11 module does not answer: %s", error)
                    available = False
                    known = {}
                    self._publish(EventKind.PCSC_UNAVAILABLE, ReaderState("", False))
                self._stop.wait(self._poll_period)
                continue
            if not available:
                available = True
                self._publish(EventKind.PCSC_AVAILABLE, ReaderState("", False))
            for event, state in _changes(known, now):
                self._publish(event, state, gone=event is EventKind.READER_REMOVED)
            known = now
            self._stop.wait(self._poll_period)

    def _publish(self, kind: EventKind, state: ReaderState, *, gone: bool = False) -> None:
        event = ReaderEvent(kind, state.name, None, timestamp=time.time(), family=state.family)
        self._events.publish(event, None if gone else state)


def _changes(
    before: dict[str, ReaderState], after: dict[str, ReaderState]
) -> list[tuple[EventKind, ReaderState]]:
    """The events that take the slots from ``before`` to ``after``, removals first."""
    changes: list[tuple[EventKind, ReaderState]] = []
    for name, old in before.items():
        new = after.get(name)
        if new is None:
            if old.card_present:
                changes.append((EventKind.CARD_REMOVED, ReaderState(name, False)))
            changes.append((EventKind.READER_REMOVED, ReaderState(name, False)))
        elif old.card_present and not new.card_present:
            changes.append((EventKind.CARD_REMOVED, new))
    for name, new in after.items():
        old_state = before.get(name)
        if old_state is None:
            changes.append((EventKind.READER_ADDED, ReaderState(name, False)))
        if new.card_present and (old_state is None or not old_state.card_present):
            changes.append((EventKind.CARD_INSERTED, new))
    return changes
