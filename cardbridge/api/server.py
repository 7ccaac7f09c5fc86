"""Serving the app with uvicorn, loopback only, and stopping it cleanly.

uvicorn waits for open connections to finish before it runs the app's shutdown, and an
event stream never finishes by itself: :class:`BridgeServer` ends the streams first,
then lets uvicorn shut down as usual (the lifespan closes card connections and stops
the reader monitor).
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import socket

import uvicorn
from fastapi import FastAPI

from cardbridge.api.app import bridge_of
from cardbridge.api.connection import ConnectionLimits, bridge_protocol
from cardbridge.errors import ConfigError, InvalidInputError
from cardbridge.messages import inputs as say
from cardbridge.messages.refusals import CANNOT_LISTEN, PORT_IN_USE

# Requests still running when the server stops get this long to finish (a card operation
# takes well under a second); then they are cancelled.
GRACEFUL_SHUTDOWN = 5
LOOPBACK_NAMES = ("localhost",)


def require_loopback(host: str) -> None:
    """Refuse any address but a loopback one: the API must not be reachable from the
    network (it reads health cards and signs with them)."""
    if host in LOOPBACK_NAMES:
        return
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise InvalidInputError(say.LOOPBACK_ONLY.format(host=host), field="--host")


class BridgeServer(uvicorn.Server):
    """uvicorn's server, which ends the app's event streams when it starts stopping."""

    def __init__(self, app: FastAPI, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._app = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        bridge_of(self._app).end_streams()
        await super().shutdown(sockets)


def server_config(
    app: FastAPI, host: str, port: int, limits: ConnectionLimits | None = None
) -> uvicorn.Config:
    """uvicorn's configuration for ``app``: no access log of its own (ours never logs a
    query string), logging left as the caller set it up.

    Every connection goes through :class:`~cardbridge.api.connection.BridgeProtocol`:
    only processes of this OS user are served, read timeouts and a cap on connections
    hold (``limits``, default :class:`ConnectionLimits`).
    """
    require_loopback(host)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=bridge_protocol(limits or ConnectionLimits()),
        access_log=False,
        log_config=None,
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        lifespan="on",
    )
    # uvicorn's access lines carry the query string; whatever handlers the embedding
    # program set up, that logger says nothing (ours, cardbridge.access, replaces it).
    logging.getLogger("uvicorn.access").disabled = True
    return config


def listening_socket(host: str, port: int) -> socket.socket:
    """The listening socket, bound here to say clearly when the port is taken.

    Its protocol is named: asyncio disables Nagle's algorithm only on connections whose
    socket says TCP, and with ``proto`` 0 every answer written in two parts (headers,
    then body) would wait for the client's delayed ACK, about 40 ms.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise ConfigError(PORT_IN_USE.format(port=port)) from None
        reason = error.strerror or str(error)  # the system's words (English)
        raise ConfigError(CANNOT_LISTEN.format(host=host, port=port, reason=reason)) from None
    return sock
