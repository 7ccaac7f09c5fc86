"""PC/SC return codes and reader-state flags, and the one table turning codes into errors.

The values are those of the PC/SC specification (pcsc-lite's ``pcsclite.h``, the
Windows SDK's ``winerror.h``); a unit test checks them against pyscard. This module
does not import pyscard, so the table can be read and tested on its own; the backend
and the monitor are the only users.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, unique
from types import MappingProxyType

from cardbridge.errors import (
    CardAbsentError,
    CardBusyError,
    CardCommunicationError,
    CardRemovedError,
    CardResetError,
    PcscAccessDeniedError,
    PcscError,
    PcscUnavailableError,
    ReaderNotFoundError,
)
from cardbridge.pcsc.reader_interface import ReaderState

# The pseudo-reader whose state changes when a reader is plugged in or out.
PNP_NOTIFICATION = "\\\\?PnP?\\Notification"


@unique
class ScardCode(IntEnum):
    """``SCARD_*`` return codes that cardbridge tells apart."""

    S_SUCCESS = 0x00000000
    F_INTERNAL_ERROR = 0x80100001
    E_CANCELLED = 0x80100002
    E_INVALID_HANDLE = 0x80100003
    E_INVALID_PARAMETER = 0x80100004
    E_NO_MEMORY = 0x80100006
    E_INSUFFICIENT_BUFFER = 0x80100008
    E_UNKNOWN_READER = 0x80100009
    E_TIMEOUT = 0x8010000A
    E_SHARING_VIOLATION = 0x8010000B
    E_NO_SMARTCARD = 0x8010000C
    E_PROTO_MISMATCH = 0x8010000F
    E_NOT_READY = 0x80100010
    E_INVALID_VALUE = 0x80100011
    F_COMM_ERROR = 0x80100013
    F_UNKNOWN_ERROR = 0x80100014
    E_NOT_TRANSACTED = 0x80100016
    E_READER_UNAVAILABLE = 0x80100017
    E_NO_SERVICE = 0x8010001D
    E_SERVICE_STOPPED = 0x8010001E
    E_NO_READERS_AVAILABLE = 0x8010002E
    W_UNSUPPORTED_CARD = 0x80100065
    W_UNRESPONSIVE_CARD = 0x80100066
    W_UNPOWERED_CARD = 0x80100067
    W_RESET_CARD = 0x80100068
    W_REMOVED_CARD = 0x80100069
    W_SECURITY_VIOLATION = 0x8010006A


@unique
class StateFlag(IntEnum):
    """``SCARD_STATE_*`` bits of a reader state (low word; the high word is a counter).

    An ``IntEnum``, not an ``IntFlag``: ``~IntFlag`` keeps only the defined bits and would
    drop the counter.
    """

    UNAWARE = 0x0000
    IGNORE = 0x0001
    CHANGED = 0x0002
    UNKNOWN = 0x0004
    UNAVAILABLE = 0x0008
    EMPTY = 0x0010
    PRESENT = 0x0020
    MUTE = 0x0200


# Codes meaning "the service is gone": the monitor waits for it, callers get pcsc_unavailable.
SERVICE_GONE = frozenset(
    {ScardCode.E_NO_SERVICE, ScardCode.E_SERVICE_STOPPED, ScardCode.F_COMM_ERROR}
)


@dataclass(frozen=True, slots=True)
class _Outcome:
    error: type[PcscError]
    # None: the error class's default message; "{reader}" becomes ' “name”' or nothing.
    message: str | None = None


_UNREADABLE = (
    "The reader cannot talk to the card. Remove the card, check it is inserted chip first "
    "and facing up, and insert it again."
)
_RETRY = "The card reader did not complete the operation. Try again."

PCSC_ERRORS: Mapping[ScardCode, _Outcome] = MappingProxyType(
    {
        ScardCode.E_NO_SERVICE: _Outcome(PcscUnavailableError),
        ScardCode.E_SERVICE_STOPPED: _Outcome(PcscUnavailableError),
        ScardCode.F_COMM_ERROR: _Outcome(PcscUnavailableError),
        ScardCode.E_NO_READERS_AVAILABLE: _Outcome(ReaderNotFoundError),
        ScardCode.E_UNKNOWN_READER: _Outcome(
            ReaderNotFoundError,
            "The card reader{reader} is not connected. Check its cable, or choose another reader.",
        ),
        ScardCode.E_READER_UNAVAILABLE: _Outcome(
            ReaderNotFoundError,
            "The card reader{reader} was disconnected. Plug it in again and retry.",
        ),
        ScardCode.E_NO_SMARTCARD: _Outcome(CardAbsentError),
        ScardCode.W_REMOVED_CARD: _Outcome(CardRemovedError),
        ScardCode.E_INVALID_HANDLE: _Outcome(
            CardRemovedError,
            "The connection to the card was lost (the card or the smart-card service was "
            "restarted). Retry.",
        ),
        ScardCode.W_RESET_CARD: _Outcome(CardResetError),
        ScardCode.E_SHARING_VIOLATION: _Outcome(CardBusyError),
        ScardCode.W_UNRESPONSIVE_CARD: _Outcome(CardCommunicationError, _UNREADABLE),
        ScardCode.W_UNPOWERED_CARD: _Outcome(CardCommunicationError, _UNREADABLE),
        ScardCode.E_PROTO_MISMATCH: _Outcome(CardCommunicationError, _UNREADABLE),
        ScardCode.W_UNSUPPORTED_CARD: _Outcome(
            CardCommunicationError,
            "This reader cannot read this card. Check that it is a CPS or Vitale card.",
        ),
        ScardCode.E_NOT_TRANSACTED: _Outcome(CardCommunicationError),
        ScardCode.E_NOT_READY: _Outcome(CardCommunicationError, _RETRY),
        ScardCode.E_TIMEOUT: _Outcome(CardCommunicationError, _RETRY),
        ScardCode.E_CANCELLED: _Outcome(PcscError, "The card operation was cancelled."),
        # pcsc-lite >= 2.0.1 answers SCardConnect so when polkit refuses access_card.
        ScardCode.W_SECURITY_VIOLATION: _Outcome(PcscAccessDeniedError),
    }
)


def describe_code(code: int) -> str:
    """``SCARD_E_NO_SERVICE (0x8010001D)``: for logs and unexpected errors."""
    code &= 0xFFFFFFFF
    try:
        name = f"SCARD_{ScardCode(code).name}"
    except ValueError:
        name = "SCARD error"
    return f"{name} (0x{code:08X})"


def pcsc_error(code: int, *, reader: str | None = None) -> PcscError:
    """The cardbridge error for a PC/SC return code (pyscard may give it signed)."""
    code &= 0xFFFFFFFF
    error: PcscError
    try:
        outcome = PCSC_ERRORS[ScardCode(code)]
    except (ValueError, KeyError):
        error = PcscError(
            f"The smart-card service reported an unexpected error: {describe_code(code)}. "
            "Try again; if it persists, restart the smart-card service.",
            reader=reader,
        )
    else:
        message = outcome.message
        if message is not None:
            message = message.format(reader=f" “{reader}”" if reader else "")
        error = outcome.error(message, reader=reader)
    error.scard_code = code
    return error


def event_counter(event_state: int) -> int:
    """pcsc-lite's per-reader count of card insertions and removals (high word)."""
    return (event_state >> 16) & 0xFFFF


def reader_state(name: str, event_state: int, atr: Sequence[int]) -> ReaderState:
    """A :class:`ReaderState` from what SCardGetStatusChange returned for ``name``."""
    present = bool(event_state & StateFlag.PRESENT)
    return ReaderState(name, present, bytes(atr) if present and atr else None)
