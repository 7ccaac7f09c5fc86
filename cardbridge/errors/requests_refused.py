"""Requests the bridge refuses: input to correct, something not found, a caller that may
not do what it asks (or not yet), a connection it does not serve."""

from __future__ import annotations

from cardbridge.errors.base import CardBridgeError
from cardbridge.messages import Text
from cardbridge.messages.errors import FIELD_DETAIL, TECHNICAL_DETAIL

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


# --- The local API's connections ------------------------------------------------------


class UserForbiddenError(CardBridgeError):
    """A connection from a process of another OS user (or of a user that cannot be
    told): the bridge serves the session of the user who started it, nobody else."""

    code = "user_forbidden"


class TooManyConnectionsError(CardBridgeError):
    """More connections at once than the bridge accepts."""

    code = "too_many_connections"
