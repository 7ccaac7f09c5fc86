"""Each HTTP connection to the bridge: whose it is, how long it may take, how many at once.

:class:`BridgeProtocol` is uvicorn's HTTP/1.1 protocol (h11), one instance per accepted
connection, with three things added when the connection is made and while it reads:

1. **The OS user is the boundary.** The owner of the peer's socket is read once, from
   ``/proc/net/tcp{,6}`` (:mod:`cardbridge.api.proc_net`), in a worker thread while
   the connection's reading waits (the kernel takes milliseconds to list its sockets).
   A connection from another user, or from a user that cannot be told, never reaches
   the app: each of its requests gets 403 ``user_forbidden`` and the connection is
   closed.
2. **A cap on connections.** Past :attr:`ConnectionLimits.max_connections` admitted
   connections, a new one gets 503 ``too_many_connections``.
3. **Read timeouts.** A request's headers must arrive within ``header_timeout`` of its
   first byte (or of the connection, for the first request), its body within
   ``body_timeout`` of its headers; otherwise the connection is closed. uvicorn only
   times out idle keep-alive connections: a client sending its headers a byte at a time
   would hold a connection, and a task, forever.

Why per connection, in the protocol, and not per request in a middleware: the owner of
a connection cannot change while it is open (the kernel keeps the 4-tuple, the socket
keeps the uid of its creator), so one look is enough, and holding the answer in the
protocol instance of that very connection means no cache keyed by address and port
that a closed connection's successor on a reused port could inherit. The app itself is
replaced for a refused connection, so no middleware order, route or in-process caller
can let one through. Tests that call the app in-process (Starlette's ``TestClient``)
have no socket and no check: the check belongs to the server, ``cardbridge serve``.
Facts and sources: ``docs/os-user-boundary.md``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

import h11
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from cardbridge.api.access_log import AccessLogMiddleware
from cardbridge.api.problems import PROBLEM_MEDIA_TYPE, problem_body
from cardbridge.api.proc_net import owner_of_peer
from cardbridge.errors import CardBridgeError, TooManyConnectionsError, UserForbiddenError
from cardbridge.messages import language_of_header

log = logging.getLogger(__name__)

PROC_NET_TCP = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0
# Far above what the status page (one event stream, up to six connections per site in a
# browser) and a few integrating programs open, and below the usual limit of 1,024 open
# files per process: the bridge refuses cleanly before it runs out of file descriptors
# (card readers, pcscd and the journal need some too).
MAX_CONNECTIONS = 256


@dataclass(frozen=True)
class ConnectionLimits:
    """What every connection is held to. ``uid`` is the only user served (ours)."""

    header_timeout: float = HEADER_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    max_connections: int = MAX_CONNECTIONS
    uid: int = field(default_factory=os.getuid)


def peer_owner(
    peer: tuple[str, int] | None,
    server: tuple[str, int | None] | None,
    tables: tuple[Path, ...] = PROC_NET_TCP,
) -> int | None:
    """The uid owning the socket at ``peer`` connected to ``server``; ``None`` if unknown
    (no address, no ``/proc``, no socket or several owners found).

    The kernel lists a table by walking its whole connection hash (milliseconds on a
    busy machine): the IPv4 table is read first for an IPv4 server, the IPv6 one only
    when the peer is not there (an IPv6 socket talking to IPv4, or an IPv6 server).
    """
    if peer is None or server is None or server[1] is None:
        return None
    ordered = tables if ":" not in server[0] else tables[::-1]
    for table in ordered:
        try:
            lines = table.read_text().splitlines()
        except OSError:
            continue
        try:
            owner = owner_of_peer(lines, peer, (server[0], server[1]))
        except ValueError:
            return None
        if owner is not None:
            return owner
    return None


def refusal(error: CardBridgeError) -> ASGIApp:
    """An app answering every request with ``error``'s problem, then closing the
    connection (logged like any request)."""

    async def refuse(scope: Scope, receive: Receive, send: Send) -> None:
        language = language_of_header(Headers(scope=scope).get("accept-language"))
        document = problem_body(error.code, error.text, language=language)
        body = json.dumps(document).encode()
        headers = [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        status: int = document["status"]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return AccessLogMiddleware(refuse)


USER_FORBIDDEN = refusal(UserForbiddenError())
TOO_MANY_CONNECTIONS = refusal(TooManyConnectionsError())


class BridgeProtocol(H11Protocol):
    """uvicorn's h11 protocol with the user boundary, a connection cap and read timeouts.

    :func:`bridge_protocol` makes the class for a set of :class:`ConnectionLimits`.
    """

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.admitted = False
        self._reading: Literal["headers", "body"] | None = None
        self._read_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_reading()  # the header timeout covers the check too
        # Nothing is read until the owner is known (milliseconds of the kernel's time in
        # a worker thread, so that the event loop goes on serving the other connections).
        self.flow.pause_reading()
        try:
            lookup = self.loop.run_in_executor(None, peer_owner, self.client, self.server)
        except RuntimeError:  # the server is stopping: its executor is shut down
            transport.close()
            return
        lookup.add_done_callback(self._admit)

    def _admit(self, lookup: asyncio.Future[int | None]) -> None:
        if self.transport.is_closing():
            return
        failure = None if lookup.cancelled() else lookup.exception()
        if failure is not None:
            log.error("cannot tell who opened a connection: %r", failure)
        owner = None if lookup.cancelled() or failure else lookup.result()
        if owner != self.limits.uid:
            log.warning(
                "refused a connection from %s: the bridge serves only its own user",
                "an unknown user" if owner is None else f"uid {owner}",
            )
            self.app = USER_FORBIDDEN
        elif self._admitted_count() >= self.limits.max_connections:
            log.warning("refused a connection: %d connections open", self._admitted_count())
            self.app = TOO_MANY_CONNECTIONS
        else:
            self.admitted = True
        self.flow.resume_reading()

    def _admitted_count(self) -> int:
        return sum(1 for c in self.connections if getattr(c, "admitted", False))

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self._set_timer(None)
        super().connection_lost(exc)

    def _watch_reading(self) -> None:
        """Time the part of a request being read, if any: its headers until the request
        line and headers are complete, then its body until its end."""
        state = self.conn.their_state
        if state is h11.IDLE:
            self._set_timer("headers")
        elif state is h11.SEND_BODY:
            self._set_timer("body")
        else:
            self._set_timer(None)

    def _set_timer(self, reading: Literal["headers", "body"] | None) -> None:
        if reading == self._reading:
            return  # still reading the same part: its deadline stands
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None
        self._reading = reading
        if reading is not None:
            limits = self.limits
            delay = limits.header_timeout if reading == "headers" else limits.body_timeout
            self._read_timer = self.loop.call_later(delay, self._read_timed_out)

    def _read_timed_out(self) -> None:
        log.info("closed a connection: its request %s took too long", self._reading)
        self._read_timer = None
        self.transport.close()


def bridge_protocol(limits: ConnectionLimits) -> type[BridgeProtocol]:
    """The protocol class for uvicorn's ``http`` setting, holding connections to ``limits``."""
    return type("BridgeProtocol", (BridgeProtocol,), {"limits": limits})
