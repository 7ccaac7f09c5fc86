"""The PC/SC code table: values as pyscard has them, and the error each code becomes."""

from __future__ import annotations

import pytest
from smartcard import scard

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
from cardbridge.pcsc.scard_codes import (
    ScardCode,
    StateFlag,
    describe_code,
    event_counter,
    pcsc_error,
    reader_state,
)


@pytest.mark.parametrize("code", list(ScardCode), ids=lambda c: c.name)
def test_code_values_are_pyscards(code: ScardCode) -> None:
    assert getattr(scard, f"SCARD_{code.name}") & 0xFFFFFFFF == code


@pytest.mark.parametrize("flag", list(StateFlag), ids=lambda f: f.name)
def test_state_flags_are_pyscards(flag: StateFlag) -> None:
    assert getattr(scard, f"SCARD_STATE_{flag.name}") == flag


@pytest.mark.parametrize(
    ("code", "error", "api_code"),
    [
        (ScardCode.E_NO_SERVICE, PcscUnavailableError, "pcsc_unavailable"),
        (ScardCode.E_SERVICE_STOPPED, PcscUnavailableError, "pcsc_unavailable"),
        (ScardCode.F_COMM_ERROR, PcscUnavailableError, "pcsc_unavailable"),
        (ScardCode.E_NO_READERS_AVAILABLE, ReaderNotFoundError, "reader_not_found"),
        (ScardCode.E_UNKNOWN_READER, ReaderNotFoundError, "reader_not_found"),
        (ScardCode.E_READER_UNAVAILABLE, ReaderNotFoundError, "reader_not_found"),
        (ScardCode.E_NO_SMARTCARD, CardAbsentError, "card_absent"),
        (ScardCode.W_REMOVED_CARD, CardRemovedError, "card_removed"),
        (ScardCode.E_INVALID_HANDLE, CardRemovedError, "card_removed"),
        (ScardCode.W_RESET_CARD, CardResetError, "card_removed"),
        (ScardCode.E_SHARING_VIOLATION, CardBusyError, "card_busy"),
        (ScardCode.W_UNRESPONSIVE_CARD, CardCommunicationError, "card_communication_error"),
        (ScardCode.W_UNPOWERED_CARD, CardCommunicationError, "card_communication_error"),
        (ScardCode.W_UNSUPPORTED_CARD, CardCommunicationError, "card_communication_error"),
        (ScardCode.E_PROTO_MISMATCH, CardCommunicationError, "card_communication_error"),
        (ScardCode.E_NOT_TRANSACTED, CardCommunicationError, "card_communication_error"),
        (ScardCode.E_TIMEOUT, CardCommunicationError, "card_communication_error"),
        (ScardCode.W_SECURITY_VIOLATION, PcscAccessDeniedError, "pcsc_access_denied"),
    ],
)
def test_codes_become_cardbridge_errors(
    code: ScardCode, error: type[PcscError], api_code: str
) -> None:
    raised = pcsc_error(code, reader="Reader A")
    assert type(raised) is error
    assert raised.code == api_code
    assert raised.reader == "Reader A"
    assert raised.scard_code == code
    assert "SCARD" not in raised.message  # the clinician reads this


def test_messages_name_the_reader_when_known() -> None:
    assert "“Reader A”" in pcsc_error(ScardCode.E_UNKNOWN_READER, reader="Reader A").message
    assert pcsc_error(ScardCode.E_UNKNOWN_READER).message.startswith(
        "The card reader is not connected."
    )


def test_signed_codes_from_pyscard_are_understood() -> None:
    signed = ScardCode.E_NO_SMARTCARD - (1 << 32)
    assert isinstance(pcsc_error(signed), CardAbsentError)


def test_unknown_code_is_a_pcsc_error_that_names_the_code() -> None:
    error = pcsc_error(0x80100099)
    assert type(error) is PcscError
    assert error.scard_code == 0x80100099
    assert "0x80100099" in error.message


def test_describe_code() -> None:
    assert describe_code(0x8010001D) == "SCARD_E_NO_SERVICE (0x8010001D)"
    assert describe_code(0x80100099) == "SCARD error (0x80100099)"


def test_reader_state_and_event_counter() -> None:
    atr = [0x3B, 0x75, 0x13, 0x00, 0x00, 0x43, 0x09, 0xEA, 0x90, 0x00]
    present = 5 << 16 | StateFlag.PRESENT | StateFlag.CHANGED | 0x100  # INUSE
    assert event_counter(present) == 5
    state = reader_state("R", present, atr)
    assert state.card_present
    assert state.atr == bytes(atr)
    assert state.card_type == "vitale"
    empty = reader_state("R", 6 << 16 | StateFlag.EMPTY, [])
    assert not empty.card_present
    assert empty.atr is None
    assert empty.card_type is None
