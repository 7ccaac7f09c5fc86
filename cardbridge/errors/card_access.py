"""Errors of the smart-card service, the readers and the cards.

The transport adds two subclasses next to what raises them, with its own data and no code
of their own: :class:`cardbridge.pcsc.apdu.ApduError` (a status word other than 9000, a
:class:`CardError`) and :class:`cardbridge.pcsc.tlv.TlvError` (malformed BER-TLV, a
:class:`CardDataError`).
"""

from __future__ import annotations

from cardbridge.errors.base import CardBridgeError

# --- PC/SC and readers -------------------------------------------------------------


class PcscError(CardBridgeError):
    """The smart-card service or a reader failed.

    ``scard_code`` is the PC/SC return code behind the error, when there is one: the
    same message can come from several codes, and ``cardbridge doctor`` tells them apart.
    """

    code = "pcsc_error"
    scard_code: int | None = None


class PcscUnavailableError(PcscError):
    code = "pcsc_unavailable"


class PcscAccessDeniedError(PcscError):
    """pcscd refused this program: polkit said no (pcsc-lite 2 and later)."""

    code = "pcsc_access_denied"


class ReaderNotFoundError(PcscError):
    code = "reader_not_found"


class CardAbsentError(PcscError):
    code = "card_absent"


class CardRemovedError(PcscError):
    code = "card_removed"


class CardResetError(CardRemovedError):
    """Another program reset the card: what this connection had set up on it is gone.

    Same ``code`` as a removal, because the caller must do the same thing: start the
    operation again from the beginning (select the application, verify the PIN again).
    """

    message_key = "card_reset"


class CardBusyError(PcscError):
    code = "card_busy"


class CardCommunicationError(PcscError):
    code = "card_communication_error"


# --- Cards ------------------------------------------------------------------------


class CardError(CardBridgeError):
    """The card answered, but not as expected."""

    code = "card_error"


class WrongCardTypeError(CardError):
    code = "wrong_card_type"


class CardDataError(CardError):
    code = "card_data_invalid"
