"""Errors of the DMP: reaching it, its answers and refusals, the bridge's own access rules
before a transaction, and the journal of DMP accesses."""

from __future__ import annotations

from cardbridge.errors.base import CardBridgeError
from cardbridge.messages import Text

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


# --- The bridge's access rules and its journal ----------------------------------------


class ConsentRequiredError(CardBridgeError):
    """A normal access to a patient's DMP needs the patient's consent first; ``reason``
    says why (a first access, one more than six months after the last…)."""

    code = "consent_required"

    def __init__(self, reason: Text) -> None:
        self.reason = reason.en
        self.reason_text = reason
        super().__init__(self.text_of("consent_required_because", reason=reason))

    def details(self) -> dict[str, object]:
        return {"consent_reason": self.reason}


class JournalError(CardBridgeError):
    """The journal of DMP accesses cannot be read or written, or was tampered with: DMP
    access waits until it works again."""

    code = "journal_error"
