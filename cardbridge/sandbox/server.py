"""HTTPS on loopback: the sandbox behind a threaded HTTP/1.1 server with mutual TLS.

Each connection's TLS handshake runs in its own thread (a slow client does not hold the
others); the client certificate is read from the TLS session and handed to
:class:`~cardbridge.sandbox.service.Sandbox` with the request. Bodies are size-capped and
reads time out.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cardbridge.errors import InvalidInputError
from cardbridge.sandbox.service import Sandbox
from cardbridge.sandbox.tls import identify_client

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024 * 1024
READ_TIMEOUT = 30.0


def check_loopback(host: str) -> None:
    """Refuse a host that is not a loopback address (the sandbox is a local test tool)."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise InvalidInputError("the DMP sandbox listens on loopback only", field="--host")


class _Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.request.settimeout(READ_TIMEOUT)
        self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_POST(self) -> None:
        length_text = self.headers.get("Content-Length", "")
        if not length_text.isdigit() or int(length_text) > MAX_BODY:
            self._send(413 if length_text.isdigit() else 411, "text/plain", b"")
            return
        body = self.rfile.read(int(length_text))
        der = self.request.getpeercert(binary_form=True)
        client = identify_client(der, self.server.sandbox.pki)
        answer = self.server.sandbox.handle(
            self.path, self.headers.get("Content-Type", ""), body, client
        )
        self._send(answer.status, answer.content_type, answer.body)

    def do_GET(self) -> None:
        self._send(404, "text/plain; charset=utf-8", b"Not found\n")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class SandboxServer(ThreadingHTTPServer):
    """The sandbox served over mutual TLS on a loopback address."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], sandbox: Sandbox, context: ssl.SSLContext) -> None:
        check_loopback(address[0])
        self.sandbox = sandbox
        self.context = context
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[Any, Any]:
        connection, address = self.socket.accept()
        # An answer is written as headers then body: without TCP_NODELAY the body waits
        # for the client's (delayed, up to 40 ms) ACK of the headers on a kept-alive
        # connection.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        wrapped = self.context.wrap_socket(
            connection, server_side=True, do_handshake_on_connect=False
        )
        return wrapped, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A refused handshake or a client gone mid-request: logged, not printed.
        log.info("connection from %s ended with an error", client_address, exc_info=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start_in_thread(self) -> threading.Thread:
        """Serve in a daemon thread (tests, ``make run``); :meth:`shutdown` stops it."""
        thread = threading.Thread(target=self.serve_forever, name="dmp-sandbox", daemon=True)
        thread.start()
        return thread
