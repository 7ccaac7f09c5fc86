"""A small typed client of the local API, for integrators' Python software.

::

    from cardbridge.client import CardBridgeClient

    with CardBridgeClient() as bridge:          # token from the config dir
        practitioner = bridge.practitioner()
        bridge.verify_pin("1234")                 # a PIN session of this client
        grant = bridge.dmp_access(0, PatientSelector(ins="295109912611193"), consent=True)
        for event in bridge.events():           # until the bridge stops
            print(event.name, event.data)

Each method returns the API's pydantic models. An error answer (problem+json) is
raised as the cardbridge exception of its ``code`` (``PinInvalidError`` with
``tries_left``, ``CardAbsentError``, ``NonceInvalidError``…), so callers catch the same
classes as with the library itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar, cast

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from cardbridge.api.access_models import PairingLink
from cardbridge.api.dmp_models import (
    AccessAnswer,
    DepositAnswer,
    DocumentTypeInfo,
    JournalCheck,
    JournalEntryModel,
    Patient,
)
from cardbridge.api.models import (
    Challenge,
    Health,
    HeartbeatData,
    ReaderEventData,
    StateData,
    StreamEvent,
    TokenCheck,
    WebEidToken,
)
from cardbridge.cards.models import PinStatus, Practitioner, ReaderInfo, VitaleCard
from cardbridge.client_dmp import DmpMethods
from cardbridge.config import bridge_url, load_settings, read_api_token
from cardbridge.config_sources import api_token_path
from cardbridge.dmp.access import AccessMode
from cardbridge.dmp.documents import DepositForm
from cardbridge.dmp.journal import JournalKind
from cardbridge.dmp.patients import PatientSelector
from cardbridge.errors import (
    ApprovalRequiredError,
    CardBridgeError,
    ConfigError,
    ConfirmationRequiredError,
    ConsentRequiredError,
    DmpRefusedError,
    InvalidInputError,
    PinInvalidError,
    PinRetryLaterError,
    PukInvalidError,
    UnexpectedAnswerError,
    errors_by_code,
)
from cardbridge.messages import Language, Text, language_of_environment
from cardbridge.messages.errors import ERROR_TEXTS
from cardbridge.service.models import CertificateBundle

Model = TypeVar("Model", bound=BaseModel)
Parsed = TypeVar("Parsed")

# Card operations take well under a second; a PIN pad or a slow reader may take longer.
DEFAULT_TIMEOUT = 30.0
# An event stream gets a heartbeat every 15 s: four missed ones mean the bridge is gone.
EVENTS_READ_TIMEOUT = 60.0

_READERS = TypeAdapter(list[ReaderInfo])
_DOCUMENT_TYPES = TypeAdapter(list[DocumentTypeInfo])
_JOURNAL = TypeAdapter(list[JournalEntryModel])
_EVENT_DATA: dict[str, type[BaseModel]] = {
    StreamEvent.STATE: StateData,
    StreamEvent.HEARTBEAT: HeartbeatData,
}


EventData = StateData | ReaderEventData | HeartbeatData


@dataclass(frozen=True)
class Event:
    """One event of ``GET /v1/events``: its name and its data."""

    name: str
    data: EventData


def error_from_problem(status: int, document: dict[str, Any]) -> CardBridgeError:
    """The cardbridge exception that a problem document stands for."""
    code = str(document.get("code", ""))
    detail = str(document.get("detail") or "")
    reader = document.get("reader") if isinstance(document.get("reader"), str) else None
    cls = errors_by_code().get(code)
    if cls is None:
        return UnexpectedAnswerError(f"HTTP {status} {code}: {detail}".strip(), reader=reader)
    # Built without the class's own constructor (whose arguments vary): same message
    # (in the language the bridge answered in), same details as on the bridge's side.
    error = cls.__new__(cls)
    CardBridgeError.__init__(error, Text(detail, detail) if detail else None, reader=reader)
    if isinstance(error, PinInvalidError | PukInvalidError):
        error.tries_left = int(document.get("tries_left", 0))
    if isinstance(error, ConfirmationRequiredError):
        tries = document.get("tries_left")
        error.tries_left = tries if isinstance(tries, int) else None
    if isinstance(error, PinRetryLaterError):
        wait = document.get("retry_after")
        error.retry_after = wait if isinstance(wait, int) else 1
    if isinstance(error, ApprovalRequiredError):
        error.approval_id = str(document.get("approval_id") or "")
        error.approval_url = str(document.get("approval_url") or "")
    if isinstance(error, InvalidInputError):
        field = document.get("field")
        error.field = field if isinstance(field, str) and field else None
        error.problem = error.text
    if isinstance(error, ConsentRequiredError):
        error.reason = str(document.get("consent_reason") or "")
        error.reason_text = Text(error.reason, error.reason)
    if isinstance(error, DmpRefusedError):
        error.dmp_code = str(document.get("dmp_code") or "")
        error.dmp_text = str(document.get("dmp_text") or "")
        error.transaction = str(document.get("transaction") or "")
    return error


class CardBridgeClient(DmpMethods):
    """The local API at ``base_url``, with the local API token.

    Both default to what the bridge itself reads (:mod:`cardbridge.config`): the address
    from ``CARDBRIDGE_HOST``/``CARDBRIDGE_PORT`` or the config file (``cardbridge config
    url``), the token from ``CARDBRIDGE_API_TOKEN`` or the config file's ``api_token``,
    else the token file the bridge created in the config dir (``cardbridge config
    token-path``; ``$XDG_CONFIG_HOME/cardbridge/api-token``).
    ``language`` is the language of the bridge's messages (``Accept-Language``): by
    default the environment's (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), French unless
    English is asked for.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        language: Language | None = None,
    ) -> None:
        if base_url is None or token is None:
            settings = load_settings()
            base_url = base_url or bridge_url(settings)
            token = token or settings.api_token or read_api_token()
        if token is None:
            raise ConfigError(ERROR_TEXTS["no_api_token_in"].format(path=api_token_path()))
        self._http = httpx.Client(
            base_url=base_url,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept-Language": language or language_of_environment(),
            },
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CardBridgeClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- The bridge and its readers ---------------------------------------------------

    def health(self) -> Health:
        return self._get(Health, "/v1/health")

    def readers(self) -> list[ReaderInfo]:
        return _parse_as(_READERS, self._request("GET", "/v1/readers"))

    def events(self, *, heartbeats: bool = False) -> Iterator[Event]:
        """Events as they come, starting with ``state``; ends when the bridge stops.

        Heartbeats are left out unless asked for; a bridge silent for longer than
        :data:`EVENTS_READ_TIMEOUT` raises ``httpx.ReadTimeout``.
        """
        timeout = httpx.Timeout(self._http.timeout.connect, read=EVENTS_READ_TIMEOUT)
        with self._http.stream("GET", "/v1/events", timeout=timeout) as response:
            if response.is_error:
                response.read()
                raise self._error(response)
            for name, data in _server_sent_events(response.iter_lines()):
                if name == StreamEvent.HEARTBEAT and not heartbeats:
                    continue
                parsed = _EVENT_DATA.get(name, ReaderEventData).model_validate_json(data)
                yield Event(name, cast(EventData, parsed))

    # --- CPS ----------------------------------------------------------------------------

    def practitioner(self, reader: str | None = None) -> Practitioner:
        return self._get(Practitioner, "/v1/cps", reader)

    def certificates(self, reader: str | None = None) -> CertificateBundle:
        return self._get(CertificateBundle, "/v1/cps/certificates", reader)

    def pin_status(self, reader: str | None = None) -> PinStatus:
        return self._get(PinStatus, "/v1/cps/pin", reader)

    def verify_pin(
        self, pin: str, reader: str | None = None, *, confirm_last_try: bool = False
    ) -> None:
        """Verify the PIN: a PIN session of this client for DMP work. The PIN's last try
        needs ``confirm_last_try`` (``ConfirmationRequiredError`` otherwise)."""
        body = {"pin": pin, "confirm_last_try": confirm_last_try}
        self._request("POST", "/v1/cps/pin/verify", reader, json=body)

    def end_pin_session(self, reader: str | None = None) -> None:
        """End this client's PIN session: the card is locked again."""
        self._request("DELETE", "/v1/cps/pin/session", reader)

    def change_pin(
        self,
        old_pin: str,
        new_pin: str,
        reader: str | None = None,
        *,
        confirm_last_try: bool = False,
    ) -> None:
        body = {"old_pin": old_pin, "new_pin": new_pin, "confirm_last_try": confirm_last_try}
        self._request("POST", "/v1/cps/pin/change", reader, json=body)

    def unblock_pin(
        self, puk: str, new_pin: str, reader: str | None = None, *, confirm: bool = False
    ) -> None:
        """Unblock the PIN with the PUK: every PUK try needs ``confirm`` (a few wrong
        PUKs block the card for good)."""
        body = {"puk": puk, "new_pin": new_pin, "confirm_last_try": confirm}
        self._request("POST", "/v1/cps/pin/unblock", reader, json=body)

    def pairing_link(self) -> PairingLink:
        """A one-time link that pairs a browser's status page (what `cardbridge open` opens)."""
        return self._post(PairingLink, "/v1/pairing", {})

    # --- Authentication -----------------------------------------------------------------

    def challenge(self, origin: str) -> Challenge:
        """A nonce for ``origin``, the web site the token will be for."""
        response = self._request("POST", "/v1/auth/challenge", json={"origin": origin})
        return Challenge.model_validate_json(response.content)

    def token(
        self,
        nonce: str,
        origin: str,
        *,
        pin: str,
        reader: str | None = None,
        confirm_last_try: bool = False,
    ) -> WebEidToken:
        """The CPS signs ``nonce`` (the relying party's: base64 of at least 32 random
        bytes) for ``origin``, after a VERIFY with ``pin``: every login needs the PIN."""
        body = {"nonce": nonce, "origin": origin, "pin": pin, "confirm_last_try": confirm_last_try}
        response = self._request("POST", "/v1/auth/token", reader, json=body)
        return WebEidToken.model_validate_json(response.content)

    def verify_token(self, token: WebEidToken, nonce: str, origin: str) -> TokenCheck:
        body = {"token": token.model_dump(), "nonce": nonce, "origin": origin}
        response = self._request("POST", "/v1/auth/verify", json=body)
        return TokenCheck.model_validate_json(response.content)

    # --- Vitale ---------------------------------------------------------------------------

    def vitale(self, reader: str | None = None) -> VitaleCard:
        return self._get(VitaleCard, "/v1/vitale", reader)

    # --- DMP -----------------------------------------------------------------------------

    def document_types(self) -> list[DocumentTypeInfo]:
        """The deposit form's types; ``known: False`` ones are refused on deposit."""
        return _parse_as(_DOCUMENT_TYPES, self._request("GET", "/v1/dmp/document-types"))

    def select_patient(self, patient: PatientSelector) -> Patient:
        """The patient ``patient`` designates, checked as an access would check it."""
        body = patient.model_dump(mode="json", exclude_none=True)
        return self._post(Patient, "/v1/dmp/patient", body)

    def dmp_access(
        self,
        situation: int,
        patient: PatientSelector,
        *,
        mode: AccessMode = AccessMode.NORMAL,
        consent: bool = False,
        reason: str | None = None,
        reader: str | None = None,
        secret: bool = False,
    ) -> AccessAnswer:
        """Open the patient's DMP: a VIHF signed by the CPS, traced in the journal.
        ``secret``: a secret access to a minor's DMP, hidden from the legal
        representatives (refused when the Vitale card shows an adult).

        Raises ``ConsentRequiredError`` (its ``reason`` says why) when a normal access
        needs the patient's consent and ``consent`` is not given.
        """
        body = {
            "situation": situation,
            "patient": patient.model_dump(mode="json", exclude_none=True),
            "mode": mode.value,
            "consent": consent,
            **({"reason": reason} if reason is not None else {}),
            **({"secret": True} if secret else {}),
        }
        return self._post(AccessAnswer, "/v1/dmp/access", body, reader)

    def journal(
        self,
        *,
        patient: str | None = None,
        practitioner: str | None = None,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
        kind: JournalKind | None = None,
        limit: int | None = None,
        before: int | None = None,
    ) -> list[JournalEntryModel]:
        """The access journal, newest first. ``patient``: an INS, or as recorded; a
        ``date`` covers its whole day, a naive ``datetime`` is the bridge's local time.
        ``before``: records older than that sequence number only (the next page starts
        before the ``seq`` of this page's last record)."""
        filters: dict[str, str | int | None] = {
            "patient": patient,
            "practitioner": practitioner,
            "since": since.isoformat() if since is not None else None,
            "until": until.isoformat() if until is not None else None,
            "kind": kind.value if kind is not None else None,
            "limit": limit,
            "before": before,
        }
        params = {name: value for name, value in filters.items() if value is not None}
        return _parse_as(_JOURNAL, self._http_request("GET", "/v1/dmp/journal", params=params))

    def verify_journal(self) -> JournalCheck:
        """The journal's integrity check: ``ok``, and the problems found."""
        return self._get(JournalCheck, "/v1/dmp/journal/verify")

    def deposit_document(
        self,
        situation: int,
        form: DepositForm,
        content: bytes,
        filename: str,
        *,
        ins: str | None = None,
        beneficiary: int | None = None,
        reader: str | None = None,
    ) -> DepositAnswer:
        """Prepare a document for the DMP of the patient ``ins`` (or the Vitale card's
        ``beneficiary``): the bridge checks it by content and returns its metadata."""
        fields = {
            "situation": situation,
            "ins": ins,
            "beneficiary": beneficiary,
            **form.model_dump(mode="json"),
        }
        data = {name: str(value) for name, value in fields.items() if value is not None}
        response = self._request(
            "POST", "/v1/dmp/documents", reader, data=data, files={"file": (filename, content)}
        )
        return _parse(DepositAnswer, response)

    # --- HTTP -------------------------------------------------------------------------

    def _get(self, model: type[Model], path: str, reader: str | None = None) -> Model:
        return _parse(model, self._request("GET", path, reader))

    def _post(
        self, model: type[Model], path: str, body: dict[str, Any], reader: str | None = None
    ) -> Model:
        return _parse(model, self._request("POST", path, reader, json=body))

    def _request(
        self, method: str, path: str, reader: str | None = None, **options: Any
    ) -> httpx.Response:
        params = {"reader": reader} if reader is not None else None
        return self._http_request(method, path, params=params, **options)

    def _dmp_request(
        self, method: str, path: str, reader: str | None = None, **options: Any
    ) -> httpx.Response:
        params = {**options.pop("params", {}), **({"reader": reader} if reader else {})}
        return self._http_request(method, path, params=params or None, **options)

    def _dmp_parse(self, adapter: TypeAdapter[Any], response: httpx.Response) -> Any:
        return _parse_as(adapter, response)

    def _http_request(self, method: str, path: str, **options: Any) -> httpx.Response:
        response = self._http.request(method, path, **options)
        if response.is_error:
            raise self._error(response)
        return response

    @staticmethod
    def _error(response: httpx.Response) -> CardBridgeError:
        try:
            document = response.json()
        except ValueError:
            document = None
        if not isinstance(document, dict):
            return UnexpectedAnswerError(f"HTTP {response.status_code} without a problem document.")
        return error_from_problem(response.status_code, document)


def _parse(model: type[Model], response: httpx.Response) -> Model:
    """The answer read as ``model``; :class:`UnexpectedAnswerError` if it is not one."""
    return _parse_as(TypeAdapter(model), response)


def _parse_as(adapter: TypeAdapter[Parsed], response: httpx.Response) -> Parsed:
    try:
        return adapter.validate_json(response.content)
    except ValidationError:
        path = response.request.url.path
        raise UnexpectedAnswerError(f"The answer of {path} is not what it should be.") from None


def _server_sent_events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """``(event, data)`` pairs of a ``text/event-stream`` (comments and ``retry`` skipped)."""
    name, data = "message", list[str]()
    for line in lines:
        if not line:
            if data:
                yield name, "\n".join(data)
            name, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
