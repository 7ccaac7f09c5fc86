"""A minimal DMP stand-in for the deposit benchmark: ``python -m bench.dmp_standin PKI_DIR``.

It serves HTTPS with mutual TLS exactly as the sandbox does (the standard library's
server, the sandbox's TLS context and certificates from ``PKI_DIR``, loopback only), reads
each POST's whole body, and answers a canned TD2.1 success: a SOAP 1.2 RegistryResponse
``Success`` relating to the request's ``wsa:MessageID`` (found in the body's first
kilobytes). It checks nothing else: what it costs is the HTTPS exchange and reading the
bytes, the part of a deposit's time that is neither the bridge's work nor the DMP's own
checks. It prints ``port N`` once listening, and serves until terminated.
"""

from __future__ import annotations

import re
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cardbridge.emulator.pki_organisations import OrganisationPki
from cardbridge.sandbox.tls import server_context

MAX_BODY = 64 * 1024 * 1024
_MESSAGE_ID = re.compile(rb"MessageID>\s*([^<\s]+)\s*<")
_ANSWER = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:wsa="http://www.w3.org/2005/08/addressing"><soap:Header>'
    "<wsa:Action>urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse</wsa:Action>"
    "<wsa:RelatesTo>{relates_to}</wsa:RelatesTo></soap:Header><soap:Body>"
    '<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" '
    'status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>'
    "</soap:Body></soap:Envelope>"
)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        if length > MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length)
        found = _MESSAGE_ID.search(body, 0, 64 * 1024)
        relates_to = found.group(1).decode("ascii", "replace") if found else ""
        answer = _ANSWER.format(relates_to=relates_to).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/soap+xml; charset=UTF-8")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pki: OrganisationPki) -> None:
        self.context = server_context(pki)
        super().__init__(("127.0.0.1", 0), _Handler)

    def get_request(self) -> tuple[Any, Any]:
        connection, address = self.socket.accept()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        wrapped = self.context.wrap_socket(
            connection, server_side=True, do_handshake_on_connect=False
        )
        return wrapped, address


def main() -> None:
    server = _Server(OrganisationPki.load_or_create(Path(sys.argv[1])))
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
