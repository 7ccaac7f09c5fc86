"""The PIN and the PUK: what the card said about them, and the bridge's guards (the
confirmation a last try needs, the wait after a wrong one)."""

from __future__ import annotations

from cardbridge.errors.base import CardBridgeError
from cardbridge.errors.card_access import CardError

# --- What the card said -------------------------------------------------------------


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


# --- The bridge's guards -----------------------------------------------------------


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
