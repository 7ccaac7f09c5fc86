"""The one exception tree of cardbridge.

Every error raised on purpose derives from :class:`CardBridgeError`. Each class has a
stable machine ``code`` (the ``code`` of the API's problem+json answers) and a default
message that tells a clinician what to do. The HTTP status of each code is decided in
one place, :mod:`cardbridge.api.problems`; the CLI maps errors to exit codes in its own
module. Messages never contain a PIN or health data.
"""

from __future__ import annotations

from typing import ClassVar


class CardBridgeError(Exception):
    """Root of every error cardbridge raises on purpose."""

    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "cardbridge failed unexpectedly."

    def __init__(self, message: str | None = None, *, reader: str | None = None) -> None:
        self.message = message or self.default_message
        self.reader = reader
        super().__init__(self.message)

    def details(self) -> dict[str, object]:
        """Extra machine-readable fields for API answers (never secrets or health data)."""
        return {"reader": self.reader} if self.reader else {}

    def headers(self) -> dict[str, str]:
        """HTTP headers that go with the API's answer (``Retry-After``…)."""
        return {}


def errors_by_code() -> dict[str, type[CardBridgeError]]:
    """The class of each error code among those imported: the most general one when
    several share a code (``card_removed`` is :class:`CardRemovedError`, not its
    :class:`CardResetError` subclass)."""
    found: dict[str, type[CardBridgeError]] = {}
    pending: list[type[CardBridgeError]] = [CardBridgeError]
    while pending:  # breadth first: parents before their subclasses
        cls = pending.pop(0)
        found.setdefault(cls.code, cls)
        pending += cls.__subclasses__()
    return found


# --- PC/SC and readers -------------------------------------------------------------


class PcscError(CardBridgeError):
    """The smart-card service or a reader failed.

    ``scard_code`` is the PC/SC return code behind the error, when there is one: the
    same message can come from several codes, and ``cardbridge doctor`` tells them apart.
    """

    code = "pcsc_error"
    default_message = "The smart-card service reported an error. Try again."
    scard_code: int | None = None


class PcscUnavailableError(PcscError):
    code = "pcsc_unavailable"
    default_message = (
        "The smart-card service (pcscd) is not running or cannot be reached. "
        "Start it (sudo systemctl start pcscd.socket) and check `cardbridge doctor`."
    )


class PcscAccessDeniedError(PcscError):
    """pcscd refused this program: polkit said no (pcsc-lite 2 and later)."""

    code = "pcsc_access_denied"
    default_message = (
        "The smart-card service refused access to this user (polkit). "
        "Run `cardbridge doctor` and follow its advice."
    )


class ReaderNotFoundError(PcscError):
    code = "reader_not_found"
    default_message = "No card reader found. Plug in a card reader and check its cable."


class CardAbsentError(PcscError):
    code = "card_absent"
    default_message = "No card in the reader. Insert the card in a reader."


class CardRemovedError(PcscError):
    code = "card_removed"
    default_message = "The card was removed during the operation. Insert it again and retry."


class CardResetError(CardRemovedError):
    """Another program reset the card: what this connection had set up on it is gone.

    Same ``code`` as a removal, because the caller must do the same thing: start the
    operation again from the beginning (select the application, verify the PIN again).
    """

    default_message = (
        "The card was reset by another program, so it must be unlocked again. "
        "Retry; you may be asked for the PIN again."
    )


class CardBusyError(PcscError):
    code = "card_busy"
    default_message = (
        "The card is being used by another program. Close the other program or wait, then retry."
    )


class CardCommunicationError(PcscError):
    code = "card_communication_error"
    default_message = (
        "The reader could not talk to the card. Remove the card, check it is inserted the "
        "right way up, and insert it again."
    )


# --- Cards ------------------------------------------------------------------------


class CardError(CardBridgeError):
    """The card answered, but not as expected."""

    code = "card_error"
    default_message = "The card refused the operation."


class WrongCardTypeError(CardError):
    code = "wrong_card_type"
    default_message = "This is not the expected card. Insert a CPS or Vitale card as asked."


class CardDataError(CardError):
    code = "card_data_invalid"
    default_message = (
        "The data on the card is not readable or not consistent. The card may be damaged: "
        "contact the card issuer."
    )


class PinError(CardError):
    """Base of PIN outcomes."""

    code = "pin_error"


class PinRequiredError(PinError):
    code = "pin_required"
    default_message = "This needs the CPS PIN. Enter the PIN of the card."


class PinFormatError(PinError):
    code = "invalid_request"
    default_message = "The PIN must be 4 to 8 digits."


class PinInvalidError(PinError):
    code = "pin_invalid"

    def __init__(self, tries_left: int, *, reader: str | None = None) -> None:
        self.tries_left = tries_left
        if tries_left == 1:
            text = "Wrong PIN. One try left: a further wrong PIN blocks the card."
        else:
            text = f"Wrong PIN. {tries_left} tries left."
        super().__init__(text, reader=reader)

    def details(self) -> dict[str, object]:
        return {**super().details(), "tries_left": self.tries_left}


class PinBlockedError(PinError):
    code = "pin_blocked"
    default_message = (
        "PIN blocked: unblock it with the PUK (the unblocking code sent with the card), "
        "or ask your card manager."
    )

    def details(self) -> dict[str, object]:
        return {**super().details(), "tries_left": 0}


class PukInvalidError(PinError):
    code = "puk_invalid"

    def __init__(self, tries_left: int, *, reader: str | None = None) -> None:
        self.tries_left = tries_left
        super().__init__(
            f"Wrong PUK (unblocking code). {tries_left} tries left before the card is "
            "permanently blocked.",
            reader=reader,
        )

    def details(self) -> dict[str, object]:
        return {**super().details(), "tries_left": self.tries_left}


class PukBlockedError(PinError):
    code = "puk_blocked"
    default_message = (
        "The PUK (unblocking code) is blocked too: the card cannot be unblocked. Order a new "
        "card from your card manager."
    )


# --- Data given by users ------------------------------------------------------------


class InvalidInputError(CardBridgeError):
    """Input refused; ``field`` names what to correct."""

    code = "invalid_request"
    default_message = "The request is not valid."

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)

    def details(self) -> dict[str, object]:
        return {"field": self.field} if self.field else {}


class PayloadTooLargeError(InvalidInputError):
    """A request body over its cap."""

    code = "payload_too_large"
    default_message = "The request body is too large."

    def __init__(self, limit: int, message: str | None = None) -> None:
        self.limit = limit
        size = f"{limit // 1048576} MiB" if limit % 1048576 == 0 else f"{limit // 1024} KiB"
        super().__init__(message or f"The request body is larger than {size}.")


class NotFoundError(CardBridgeError):
    code = "not_found"
    default_message = "Nothing was found at this address."


class ProfileError(InvalidInputError):
    """An emulator profile is refused."""

    code = "profile_invalid"


class ConfigError(CardBridgeError):
    code = "config_invalid"
    default_message = "The cardbridge configuration is not valid."


# --- Who may call, and when ------------------------------------------------------------


class PairingRequiredError(CardBridgeError):
    """The status page is not paired with the bridge yet (or its pairing was withdrawn)."""

    code = "pairing_required"
    default_message = (
        "This page is not paired with the card bridge. Open the pairing link that "
        "`cardbridge serve` printed, or run `cardbridge open`."
    )


class CallerForbiddenError(CardBridgeError):
    """This kind of caller may not do that (a web page changing the PIN…)."""

    code = "caller_forbidden"
    default_message = "This is not allowed to this application."


class OriginNotApprovedError(CardBridgeError):
    """A configured web application that the clinician has not approved (yet)."""

    code = "origin_not_approved"
    default_message = (
        "This web site may use the card bridge only once you have approved it: open the "
        "bridge's status page (`cardbridge open`), section 'Web applications', and approve it."
    )


class ApprovalRequiredError(CardBridgeError):
    """A web application asks for something that needs the PIN: the clinician answers in
    the bridge's own approval window, at ``approval_url``."""

    code = "approval_required"
    default_message = (
        "This needs your approval and your PIN in the card bridge's window: the site opens "
        "it for you."
    )

    def __init__(self, approval_id: str, approval_url: str) -> None:
        self.approval_id = approval_id
        self.approval_url = approval_url
        super().__init__()

    def details(self) -> dict[str, object]:
        return {"approval_id": self.approval_id, "approval_url": self.approval_url}


class ConfirmationRequiredError(CardBridgeError):
    """The next try could block the PIN (its last try) or spend a PUK try: the caller must
    say it means it (``confirm_last_try: true``)."""

    code = "confirmation_required"

    def __init__(
        self, tries_left: int | None, *, puk: bool = False, reader: str | None = None
    ) -> None:
        self.tries_left = tries_left
        if puk:
            text = (
                "Each wrong PUK brings the card closer to being blocked for good: check the "
                "unblocking code, then confirm (confirm_last_try)."
            )
        else:
            text = (
                "This is the PIN's last try: a wrong PIN blocks the card. Check the PIN, then "
                "confirm (confirm_last_try)."
            )
        super().__init__(text, reader=reader)

    def details(self) -> dict[str, object]:
        return {**super().details(), "tries_left": self.tries_left}


class PinRetryLaterError(CardBridgeError):
    """A wrong PIN or PUK was given moments ago: the next try on that card waits."""

    code = "pin_retry_later"

    def __init__(self, retry_after: int, *, reader: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"A wrong code was just entered on this card: wait {retry_after} s before "
            "trying again.",
            reader=reader,
        )

    def details(self) -> dict[str, object]:
        return {**super().details(), "retry_after": self.retry_after}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


# --- The local API's connections ------------------------------------------------------


class UserForbiddenError(CardBridgeError):
    """A connection from a process of another OS user (or of a user that cannot be
    told): the bridge serves the session of the user who started it, nobody else."""

    code = "user_forbidden"
    default_message = (
        "The card bridge serves only the session of the user who started it: this program "
        "runs as another user. Use the card bridge of your own session."
    )


class TooManyConnectionsError(CardBridgeError):
    """More connections at once than the bridge accepts."""

    code = "too_many_connections"
    default_message = (
        "Too many programs or pages are connected to the card bridge at once. Close the ones "
        "you do not need, then retry."
    )


# --- The DMP service ---------------------------------------------------------------


class DmpError(CardBridgeError):
    """Reaching the DMP, or what it answered, failed."""

    code = "dmp_error"
    default_message = "The DMP could not be reached. Try again in a moment."


class DmpRefusedError(DmpError):
    """The DMP refused a transaction: its own code and text are kept, as the clinician
    must see them (homologation asks for it)."""

    code = "dmp_refused"
    default_message = "The DMP refused the request."

    def __init__(
        self,
        dmp_code: str,
        dmp_text: str = "",
        *,
        transaction: str = "",
        message: str | None = None,
    ) -> None:
        self.dmp_code = dmp_code
        self.dmp_text = dmp_text
        self.transaction = transaction
        told = f"{dmp_code}: {dmp_text}" if dmp_text else dmp_code
        super().__init__(message or f"The DMP refused the request ({told}).")

    def details(self) -> dict[str, object]:
        found: dict[str, object] = {"dmp_code": self.dmp_code, "dmp_text": self.dmp_text}
        if self.transaction:
            found["transaction"] = self.transaction
        return found


class DmpUnavailableError(DmpError):
    """The DMP could not be reached: network, TLS handshake, time-out, HTTP error."""

    code = "dmp_unavailable"
    default_message = (
        "The DMP could not be reached. Check the network connection and try again; "
        "if it persists, `cardbridge doctor` checks the DMP settings."
    )


class DmpServerUntrustedError(DmpError):
    """The DMP server's certificate does not chain to the configured roots."""

    code = "dmp_server_untrusted"
    default_message = (
        "The DMP server's certificate is not trusted: check the IGC-Santé roots "
        "configured in dmp_server_roots. Nothing was sent."
    )


class DmpAnswerError(DmpError):
    """The DMP answered something cardbridge cannot read."""

    code = "dmp_answer_invalid"
    default_message = "The DMP's answer could not be read. Try again; report it if it persists."


class DmpAccessRequiredError(DmpError):
    """A document transaction for a patient whose DMP was not opened in this PIN session:
    the bridge's own guard (consent, or an emergency with its reason) comes first."""

    code = "dmp_access_required"
    default_message = (
        "Open the patient's DMP first (POST /v1/dmp/access, or `cardbridge dmp access`): "
        "with the patient's consent, or in emergency with its reason."
    )
