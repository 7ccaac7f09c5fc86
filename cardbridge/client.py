"""A small typed client of the local API, for integrators' Python software.

::

    from cardbridge.client import CardBridgeClient

    with CardBridgeClient() as bridge:          # token from the config dir
        practitioner = bridge.practitioner()
        bridge.verify_pin("1234")
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
from typing import Any, TypeVar, cast

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

import cardbridge.auth.errors  # noqa: F401 - registers the auth error codes
from cardbridge.api.models import (
    Challenge,
    Health,
    HeartbeatData,
    ReaderEventData,
    StateData,
    TokenCheck,
    WebEidToken,
)
from cardbridge.cards.models import PinStatus, Practitioner, ReaderInfo, VitaleCard
from cardbridge.config import DEFAULT_PORT, load_settings, read_api_token
from cardbridge.errors import (
    CardBridgeError,
    ConfigError,
    InvalidInputError,
    PinInvalidError,
    PukInvalidError,
    errors_by_code,
)
from cardbridge.service.models import CertificateBundle

Model = TypeVar("Model", bound=BaseModel)

DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"
# Card operations take well under a second; a PIN pad or a slow reader may take longer.
DEFAULT_TIMEOUT = 30.0
# An event stream gets a heartbeat every 15 s: four missed ones mean the bridge is gone.
EVENTS_READ_TIMEOUT = 60.0

_READERS = TypeAdapter(list[ReaderInfo])
_EVENT_DATA: dict[str, type[BaseModel]] = {"state": StateData, "heartbeat": HeartbeatData}


class UnexpectedAnswerError(CardBridgeError):
    """The bridge answered something this client cannot read (another program on the
    port, or a newer bridge with an error code this client does not know)."""

    code = "unexpected_answer"
    default_message = "The card bridge gave an unexpected answer."


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
    # Built without the class's own constructor (whose arguments vary): same message,
    # same details as on the bridge's side.
    error = cls.__new__(cls)
    CardBridgeError.__init__(error, detail or None, reader=reader)
    if isinstance(error, PinInvalidError | PukInvalidError):
        error.tries_left = int(document.get("tries_left", 0))
    if isinstance(error, InvalidInputError):
        field = document.get("field")
        error.field = field if isinstance(field, str) and field else None
    return error


class CardBridgeClient:
    """The local API at ``base_url``, with the local API token.

    ``token`` defaults to ``CARDBRIDGE_API_TOKEN`` (or the config file's ``api_token``),
    else the token file the bridge created (``~/.config/cardbridge/api-token``).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        token = token or load_settings().api_token or read_api_token()
        if token is None:
            raise ConfigError(
                "No local API token: start `cardbridge serve` once (it creates it), or set "
                "CARDBRIDGE_API_TOKEN."
            )
        self._http = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
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
        return _READERS.validate_json(self._request("GET", "/v1/readers").content)

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
                if name == "heartbeat" and not heartbeats:
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

    def verify_pin(self, pin: str, reader: str | None = None) -> None:
        self._request("POST", "/v1/cps/pin/verify", reader, json={"pin": pin})

    def change_pin(self, old_pin: str, new_pin: str, reader: str | None = None) -> None:
        body = {"old_pin": old_pin, "new_pin": new_pin}
        self._request("POST", "/v1/cps/pin/change", reader, json=body)

    def unblock_pin(self, puk: str, new_pin: str, reader: str | None = None) -> None:
        body = {"puk": puk, "new_pin": new_pin}
        self._request("POST", "/v1/cps/pin/unblock", reader, json=body)

    # --- Authentication -----------------------------------------------------------------

    def challenge(self, origin: str) -> Challenge:
        """A nonce for ``origin``, the web site the token will be for."""
        response = self._request("POST", "/v1/auth/challenge", json={"origin": origin})
        return Challenge.model_validate_json(response.content)

    def token(
        self, nonce: str, origin: str, *, pin: str | None = None, reader: str | None = None
    ) -> WebEidToken:
        """The CPS signs ``nonce`` for ``origin`` (``pin`` if not verified yet)."""
        body = {"nonce": nonce, "origin": origin, **({"pin": pin} if pin is not None else {})}
        response = self._request("POST", "/v1/auth/token", reader, json=body)
        return WebEidToken.model_validate_json(response.content)

    def verify_token(self, token: WebEidToken, nonce: str, origin: str) -> TokenCheck:
        body = {"token": token.model_dump(), "nonce": nonce, "origin": origin}
        response = self._request("POST", "/v1/auth/verify", json=body)
        return TokenCheck.model_validate_json(response.content)

    # --- Vitale ---------------------------------------------------------------------------

    def vitale(self, reader: str | None = None) -> VitaleCard:
        return self._get(VitaleCard, "/v1/vitale", reader)

    # --- HTTP -------------------------------------------------------------------------

    def _get(self, model: type[Model], path: str, reader: str | None = None) -> Model:
        try:
            return model.model_validate_json(self._request("GET", path, reader).content)
        except ValidationError:
            raise UnexpectedAnswerError(f"The answer of {path} is not what it should be.") from None

    def _request(
        self, method: str, path: str, reader: str | None = None, **options: Any
    ) -> httpx.Response:
        params = {"reader": reader} if reader is not None else None
        response = self._http.request(method, path, params=params, **options)
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
