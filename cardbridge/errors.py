"""The one exception tree of cardbridge.

Every error raised on purpose derives from :class:`CardBridgeError`. Each class has a
stable machine ``code`` (the ``code`` of the API's problem+json answers) and a message
that tells a clinician what to do, in French and English: its text is in the catalogue
:mod:`cardbridge.messages.errors`, under the class's ``message_key``. The HTTP status of
each code is decided in one place, :mod:`cardbridge.api.problems`; the CLI maps errors
to exit codes in its own module. Messages never contain a PIN or health data.
"""

from __future__ import annotations

from typing import Any, ClassVar

from cardbridge.messages import Language, Text
from cardbridge.messages.errors import ERROR_TEXTS, FIELD_DETAIL, TECHNICAL_DETAIL


class CardBridgeError(Exception):
    """Root of every error cardbridge raises on purpose.

    ``message`` is a :class:`~cardbridge.messages.Text` from the catalogue, or a plain
    string: technical specifics (in English) that the French message then carries after
    the class's own text. ``message`` (the attribute) is the English text, as logs and
    ``str()`` show it; :meth:`message_in` gives either language.
    """

    code: ClassVar[str] = "internal_error"
    message_key: ClassVar[str] = "internal_error"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "message_key" not in cls.__dict__:
            cls.message_key = cls.code

    def __init__(self, message: Text | str | None = None, *, reader: str | None = None) -> None:
        if message is None:
            self.text = self.default_text()
        elif isinstance(message, Text):
            self.text = message
        else:
            self.text = TECHNICAL_DETAIL.format(message=self.default_text().fr, detail=message)
        self.message = self.text.en
        self.reader = reader
        super().__init__(self.message)

    @classmethod
    def default_text(cls) -> Text:
        """The catalogue's text of this class. A class whose entry is still missing (the
        catalogue's test names it) says its own ``default_message`` in both languages if
        it has one, else the text of its nearest ancestor that has an entry."""
        for ancestor in cls.__mro__:
            key = getattr(ancestor, "message_key", None)
            if key in ERROR_TEXTS:
                return ERROR_TEXTS[key]
            own = ancestor.__dict__.get("default_message")
            if isinstance(own, str):
                return Text(own, own)
        return ERROR_TEXTS["internal_error"]

    @classmethod
    def text_of(cls, key: str, **params: object) -> Text:
        """The catalogue's text ``key`` with its parameters (a variant of a class's text)."""
        return ERROR_TEXTS[key].format(**params)

    def message_in(self, language: Language) -> str:
        """What to tell the clinician, in ``language``."""
        return self.text.in_(language)

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


class PinError(CardError):
    """Base of PIN outcomes."""

    code = "pin_error"


class PinRequiredError(PinError):
    code = "pin_required"


class PinFormatError(PinError):
    code = "invalid_request"
    message_key = "pin_format"


class PinInvalidError(PinError):
    code = "pin_invalid"

    def __init__(self, tries_left: int, *, reader: str | None = None) -> None:
        self.tries_left = tries_left
        if tries_left == 1:
            text = self.text_of("pin_invalid_last_try")
        else:
            text = self.text_of("pin_invalid_tries", tries_left=tries_left)
        super().__init__(text, reader=reader)

    def details(self) -> dict[str, object]:
        return {**super().details(), "tries_left": self.tries_left}


class PinBlockedError(PinError):
    code = "pin_blocked"

    def details(self) -> dict[str, object]:
        return {**super().details(), "tries_left": 0}


class PukInvalidError(PinError):
    code = "puk_invalid"

    def __init__(self, tries_left: int, *, reader: str | None = None) -> None:
        self.tries_left = tries_left
        super().__init__(self.text_of("puk_invalid_tries", tries_left=tries_left), reader=reader)

    def details(self) -> dict[str, object]:
        return {**super().details(), "tries_left": self.tries_left}


class PukBlockedError(PinError):
    code = "puk_blocked"


# --- Data given by users ------------------------------------------------------------


class InvalidInputError(CardBridgeError):
    """Input refused; ``field`` names what to correct."""

    code = "invalid_request"

    def __init__(self, message: Text | str, *, field: str | None = None) -> None:
        self.field = field
        text = message if isinstance(message, Text) else self._technical(message)
        self.problem = text  # what is wrong, without the field's name
        super().__init__(text.inside(FIELD_DETAIL, field=field) if field else text)

    @classmethod
    def _technical(cls, detail: str) -> Text:
        return TECHNICAL_DETAIL.format(message=cls.default_text().fr, detail=detail)

    def details(self) -> dict[str, object]:
        return {"field": self.field} if self.field else {}


class PayloadTooLargeError(InvalidInputError):
    """A request body over its cap."""

    code = "payload_too_large"

    def __init__(self, limit: int, message: Text | str | None = None) -> None:
        self.limit = limit
        size = f"{limit // 1048576} MiB" if limit % 1048576 == 0 else f"{limit // 1024} KiB"
        super().__init__(message or self.text_of("payload_too_large_size", size=size))


class NotFoundError(CardBridgeError):
    code = "not_found"


class ProfileError(InvalidInputError):
    """An emulator profile is refused."""

    code = "profile_invalid"


class ConfigError(CardBridgeError):
    code = "config_invalid"


# --- Who may call, and when ------------------------------------------------------------


class PairingRequiredError(CardBridgeError):
    """The status page is not paired with the bridge yet (or its pairing was withdrawn)."""

    code = "pairing_required"


class CallerForbiddenError(CardBridgeError):
    """This kind of caller may not do that (a web page changing the PIN…)."""

    code = "caller_forbidden"


class OriginNotApprovedError(CardBridgeError):
    """A configured web application that the clinician has not approved (yet)."""

    code = "origin_not_approved"


class ApprovalRequiredError(CardBridgeError):
    """A web application asks for something that needs the PIN: the clinician answers in
    the bridge's own approval window, at ``approval_url``."""

    code = "approval_required"

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
        key = "confirmation_required_puk" if puk else "confirmation_required"
        super().__init__(self.text_of(key), reader=reader)

    def details(self) -> dict[str, object]:
        return {**super().details(), "tries_left": self.tries_left}


class PinRetryLaterError(CardBridgeError):
    """A wrong PIN or PUK was given moments ago: the next try on that card waits."""

    code = "pin_retry_later"

    def __init__(self, retry_after: int, *, reader: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(
            self.text_of("pin_retry_later_wait", retry_after=retry_after), reader=reader
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


class TooManyConnectionsError(CardBridgeError):
    """More connections at once than the bridge accepts."""

    code = "too_many_connections"


# --- The DMP service ---------------------------------------------------------------


class DmpError(CardBridgeError):
    """Reaching the DMP, or what it answered, failed."""

    code = "dmp_error"


class DmpRefusedError(DmpError):
    """The DMP refused a transaction: its own code and text are kept, as the clinician
    must see them (homologation asks for it)."""

    code = "dmp_refused"

    def __init__(
        self,
        dmp_code: str,
        dmp_text: str = "",
        *,
        transaction: str = "",
        message: Text | str | None = None,
    ) -> None:
        self.dmp_code = dmp_code
        self.dmp_text = dmp_text
        self.transaction = transaction
        told = f"{dmp_code}: {dmp_text}" if dmp_text else dmp_code
        super().__init__(message or self.text_of("dmp_refused_code", told=told))

    def details(self) -> dict[str, object]:
        found: dict[str, object] = {"dmp_code": self.dmp_code, "dmp_text": self.dmp_text}
        if self.transaction:
            found["transaction"] = self.transaction
        return found


class DmpUnavailableError(DmpError):
    """The DMP could not be reached: network, TLS handshake, time-out, HTTP error."""

    code = "dmp_unavailable"


class DmpServerUntrustedError(DmpError):
    """The DMP server's certificate does not chain to the configured roots."""

    code = "dmp_server_untrusted"


class DmpAnswerError(DmpError):
    """The DMP answered something cardbridge cannot read."""

    code = "dmp_answer_invalid"


class DmpAccessRequiredError(DmpError):
    """A document transaction for a patient whose DMP was not opened in this PIN session:
    the bridge's own guard (consent, or an emergency with its reason) comes first."""

    code = "dmp_access_required"
