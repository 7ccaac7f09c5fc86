"""The production :class:`~cardbridge.dmp.transport.Transport`: SOAP over HTTPS, kept alive.

One HTTP/1.1 connection per transport, reused call after call: a TLS session costs one
signature by the card, not one per request. Calls are serialized on it (a lock). When a
*reused* connection turns out closed by the server (it was idle) before any answer came,
the call is made again once on a new connection, as urllib3 does; a new connection's
failure is never retried.

How TLS is made is a :class:`Connector`'s business: :class:`CardConnector` (direct mode,
the card signs; :mod:`cardbridge.dmp.tls_card`) or :class:`SslConnector` (indirect mode,
a structure's key in :mod:`ssl`). Errors (docs/dmp-client.md, "Transport"): a SOAP fault →
:class:`DmpRefusedError`; no connection, a time-out, an HTTP error without a fault →
:class:`DmpUnavailableError`; an untrusted server → :class:`DmpServerUntrustedError`
before anything is sent; an answer that cannot be read → :class:`DmpAnswerError`.
"""

from __future__ import annotations

import copy
import http.client
import logging
import socket
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cardbridge.dmp import mtom
from cardbridge.dmp.card_credential import CardCredential
from cardbridge.dmp.endpoints import DmpEndpoint
from cardbridge.dmp.server_trust import ServerVerifier
from cardbridge.dmp.transport import SoapAnswer, SoapCall
from cardbridge.errors import DmpAnswerError, DmpServerUntrustedError, DmpUnavailableError
from cardbridge.messages.refusals import DMP_CONNECTION_FAILED, DMP_SERVER_UNTRUSTED

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 120.0
# Answers are size-capped (the sandbox's own request cap).
MAX_ANSWER = 64 * 1024 * 1024
SOAP_TYPES = ("application/soap+xml", "text/xml", "application/xml")


class Connector(Protocol):
    """Makes the TLS session over a connected socket (raises :class:`DmpError`s)."""

    @property
    def failures(self) -> tuple[type[BaseException], ...]:
        """What its connections raise when the peer or the network fails them."""
        ...

    @property
    def closed(self) -> tuple[type[BaseException], ...]:
        """Among those, what says the peer closed the connection."""
        ...

    def wrap(self, sock: socket.socket, host: str) -> Any:
        """A socket-like TLS connection (``sendall``, ``makefile``, ``close``)."""
        ...

    def forget(self) -> None:
        """Forget the TLS sessions a new connection could resume (the transport closed)."""
        ...


@dataclass(frozen=True)
class SslConnector:
    """TLS by the standard library: a context holding the client's key (indirect mode)."""

    context: ssl.SSLContext
    failures: tuple[type[BaseException], ...] = ()
    # A peer gone without close_notify, or with it, while we wrote or read.
    closed: tuple[type[BaseException], ...] = (ssl.SSLEOFError, ssl.SSLZeroReturnError)

    def wrap(self, sock: socket.socket, host: str) -> ssl.SSLSocket:
        try:
            return self.context.wrap_socket(sock, server_hostname=host)
        except ssl.SSLCertVerificationError as error:
            why = error.verify_message  # OpenSSL's words (English)
            raise DmpServerUntrustedError(DMP_SERVER_UNTRUSTED.format(host=host, why=why)) from None
        except (ssl.SSLError, OSError) as error:
            raise _unavailable(host, error) from None

    def forget(self) -> None:
        """Nothing to forget: each connection makes a full handshake (no card signs)."""


class TlsSessions:
    """The last resumable TLS session per host: a new connection of the same transport
    resumes it (an abbreviated handshake, RFC 5246 §7.3) and the card signs nothing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, Any] = {}

    def get(self, host: str) -> Any:
        """The session to offer ``host``, if any."""
        with self._lock:
            return self._sessions.get(host)

    def put(self, host: str, session: Any) -> None:
        """Keep ``session`` for ``host`` (``None``: keep none)."""
        with self._lock:
            if session is None:
                self._sessions.pop(host, None)
            else:
                self._sessions[host] = session

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()


@dataclass(frozen=True)
class CardConnector:
    """TLS by tlslite-ng, the handshake signed by the card (direct mode). A connection
    made again in the same transport (the server dropped an idle one) resumes the last
    session, which the card authenticated: no new signature (docs/dmp-client.md)."""

    credential: CardCredential
    verifier: ServerVerifier
    sessions: TlsSessions = field(default_factory=TlsSessions, compare=False, repr=False)

    @property
    def failures(self) -> tuple[type[BaseException], ...]:
        """tlslite-ng's errors (an abrupt close, an alert) besides :class:`OSError`."""
        from tlslite.errors import TLSError  # noqa: PLC0415

        return (TLSError,)

    @property
    def closed(self) -> tuple[type[BaseException], ...]:
        """tlslite-ng's ways of saying the peer closed (with or without close_notify)."""
        from tlslite.errors import TLSAbruptCloseError, TLSClosedConnectionError  # noqa: PLC0415

        return (TLSAbruptCloseError, TLSClosedConnectionError)

    def wrap(self, sock: socket.socket, host: str) -> Any:
        from tlslite.errors import TLSError  # noqa: PLC0415 - tlslite-ng loads on first use

        from cardbridge.dmp.tls_card import card_handshake  # noqa: PLC0415

        try:
            connection = card_handshake(
                sock, host, self.credential, self.verifier, self.sessions.get(host)
            )
        except (TLSError, OSError) as error:
            self.sessions.put(host, None)  # a session the server no longer takes
            raise _unavailable(host, error) from None
        # A copy: tlslite-ng marks a session not resumable when its connection ends without
        # close_notify, which TLS 1.2 allows resuming [RFC 5246 §7.2.1] (a server dropping
        # an idle connection); failures forget it (HttpsTransport).
        session = connection.session
        valid = session is not None and session.valid()
        self.sessions.put(host, copy.copy(session) if valid else None)
        return connection

    def forget(self) -> None:
        """The transport closed: its next connection is a full handshake the card signs."""
        self.sessions.clear()


def _describe(error: BaseException) -> str:
    try:
        text = str(error)
    except Exception:  # tlslite-ng's alerts fail to print when their message is an error
        text = repr(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _unavailable(host: str, error: BaseException) -> DmpUnavailableError:
    described = _describe(error)
    log.info("the connection to the DMP at %s failed: %s", host, described)
    return DmpUnavailableError(DMP_CONNECTION_FAILED.format(host=host, why=described))


class _Connection(http.client.HTTPConnection):
    """An HTTP/1.1 connection whose socket the connector secures."""

    def __init__(self, endpoint: DmpEndpoint, connector: Connector, timeout: float) -> None:
        super().__init__(endpoint.host, endpoint.port, timeout=timeout)
        self._connector = connector

    def connect(self) -> None:
        try:
            sock = socket.create_connection((self.host, self.port), self.timeout)
        except OSError as error:
            raise _unavailable(self.host, error) from None
        # Requests and TLS records go out at once, as urllib3 does by default (Nagle's
        # algorithm would hold a request's last segment for the previous one's ACK).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock = self._connector.wrap(sock, self.host)
        except BaseException:
            sock.close()
            raise


# What a server closing an idle kept-alive connection looks like to the next request.
_CLOSED = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def _read_capped(response: http.client.HTTPResponse) -> bytes:
    """The body, refused beyond :data:`MAX_ANSWER` (read in pieces when its length is not
    announced: ``read(n)`` would allocate ``n`` bytes at once)."""
    too_large = DmpAnswerError("The DMP's answer is larger than cardbridge accepts.")
    length = response.getheader("Content-Length")
    if length is not None and length.isdigit():
        if int(length) > MAX_ANSWER:
            raise too_large
        return response.read()
    pieces, total = [], 0
    while piece := response.read(1 << 20):
        total += len(piece)
        if total > MAX_ANSWER:
            raise too_large
        pieces.append(piece)
    return b"".join(pieces)


class HttpsTransport:
    """SOAP calls to ``endpoint``'s services over one kept-alive TLS connection."""

    def __init__(
        self, endpoint: DmpEndpoint, connector: Connector, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.endpoint = endpoint
        self._connector = connector
        self._timeout = timeout
        self._lock = threading.Lock()
        self._connection: _Connection | None = None

    def call(self, call: SoapCall, vihf: bytes) -> SoapAnswer:
        """Send ``call`` with ``vihf`` in its ``wsse:Security``; the answer, or a DMP error."""
        from cardbridge.dmp import envelope  # noqa: PLC0415 - lxml loads at the first call

        message_id, message = envelope.build_request(call, vihf, self.endpoint.url(call.service))
        body: bytes | Sequence[bytes]
        if call.attachments:
            content_type, body = mtom.encode_parts(message, call.attachments, call.action)
        else:
            content_type = f'application/soap+xml; charset=UTF-8; action="{call.action}"'
            body = message
        status, answer_type, answer = self._post(
            self.endpoint.path(call.service), content_type, body
        )
        return self._read(status, answer_type, answer, message_id, call.transaction)

    def close(self) -> None:
        """Close the kept-alive connection and forget its TLS session (the next call opens
        a new one, with a full handshake)."""
        with self._lock:
            self._connector.forget()
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _post(
        self, path: str, content_type: str, body: bytes | Sequence[bytes]
    ) -> tuple[int, str, bytes]:
        """POST ``body`` (bytes, or buffers sent one after the other) to ``path``."""
        with self._lock:
            for _ in range(2):
                connection = self._connection or _Connection(
                    self.endpoint, self._connector, self._timeout
                )
                self._connection = connection
                reused = connection.sock is not None
                try:
                    return self._exchange(connection, path, content_type, body)
                except BaseException as error:
                    connection.close()
                    self._connection = None
                    if reused and isinstance(error, (*_CLOSED, *self._connector.closed)):
                        log.debug("the DMP closed an idle connection; reconnecting")
                        continue
                    # Any other failure (an alert, a time-out): the next connection makes
                    # a full handshake rather than resume what failed [RFC 5246 §7.2.2].
                    self._connector.forget()
                    failures: tuple[type[BaseException], ...] = (
                        OSError,
                        http.client.HTTPException,
                        *self._connector.failures,
                    )
                    if isinstance(error, failures):
                        raise _unavailable(self.endpoint.host, error) from None
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _exchange(
        connection: _Connection, path: str, content_type: str, body: bytes | Sequence[bytes]
    ) -> tuple[int, str, bytes]:
        length = len(body) if isinstance(body, bytes) else sum(len(piece) for piece in body)
        connection.request(
            "POST",
            path,
            body,
            {
                "Content-Type": content_type,
                "Accept": "application/soap+xml, multipart/related",
                # Given, so that buffers go as they are (not in chunked encoding).
                "Content-Length": str(length),
            },
        )
        response = connection.getresponse()
        answer = _read_capped(response)
        if response.will_close:
            connection.close()
        return response.status, response.getheader("Content-Type", ""), answer

    @staticmethod
    def _read(
        status: int, content_type: str, answer: bytes, message_id: str, transaction: str
    ) -> SoapAnswer:
        from cardbridge.dmp import envelope  # noqa: PLC0415 - loaded by call() already

        kind = mtom.media_type(content_type)
        if status not in (200, 500) or kind not in (*SOAP_TYPES, "multipart/related"):
            raise DmpUnavailableError(
                f"The DMP answered HTTP {status} ({kind or 'no content type'}) without a "
                "SOAP message. Try again in a moment."
            )
        try:
            if kind == "multipart/related":
                root, attachments = mtom.decode(content_type, answer)
            else:
                root, attachments = answer, {}
            return envelope.read_answer(root, attachments, message_id, transaction)
        except DmpAnswerError:
            if status == 500:
                raise DmpUnavailableError(
                    "The DMP answered HTTP 500 without a readable fault. Try again in a moment."
                ) from None
            raise
