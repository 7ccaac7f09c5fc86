"""An OCSP responder on a free loopback port, answering with responses built by the test.

``answer`` receives the DER request and returns ``(http_status, body)``; tests swap it to
serve good, revoked, stale, badly signed… responses, or to stall.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp

Answer = Callable[[bytes], tuple[int, bytes]]


@dataclass
class Responder:
    """The running responder: its ``url``, the ``answer`` it gives, the requests it got."""

    url: str
    answer: Answer
    requests: list[bytes] = field(default_factory=list)


@contextmanager
def ocsp_responder(answer: Answer) -> Iterator[Responder]:
    """Serve OCSP over HTTP on 127.0.0.1 (a free port) in a thread."""
    responder = Responder(url="", answer=answer)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            responder.requests.append(body)
            status, reply = responder.answer(body)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/ocsp-response")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (too slow, too large): what some tests want

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    responder.url = f"http://127.0.0.1:{server.server_address[1]}/ocsp"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield responder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def build_response(
    request_der: bytes,
    certificate: x509.Certificate,
    issuer: x509.Certificate,
    *,
    signer: x509.Certificate,
    signer_key: rsa.RSAPrivateKey,
    now: datetime,
    status: ocsp.OCSPCertStatus = ocsp.OCSPCertStatus.GOOD,
    this_update: timedelta = timedelta(0),
    next_update: timedelta | None = timedelta(hours=1),
    echo_nonce: bool = True,
    nonce: bytes | None = None,
    include_signer: bool = True,
    by_key: bool = True,
) -> bytes:
    """A signed, successful OCSP response about ``certificate``.

    ``this_update`` and ``next_update`` are offsets from ``now``; the request's nonce is
    echoed unless told otherwise (or replaced by ``nonce``).
    """
    revoked = status is ocsp.OCSPCertStatus.REVOKED
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=certificate,
            issuer=issuer,
            algorithm=hashes.SHA1(),
            cert_status=status,
            this_update=now + this_update,
            next_update=None if next_update is None else now + next_update,
            revocation_time=now - timedelta(days=1) if revoked else None,
            revocation_reason=x509.ReasonFlags.key_compromise if revoked else None,
        )
        .responder_id(
            ocsp.OCSPResponderEncoding.HASH if by_key else ocsp.OCSPResponderEncoding.NAME,
            signer,
        )
    )
    if include_signer:
        builder = builder.certificates([signer])
    request_nonce = _request_nonce(request_der)
    echoed = nonce if nonce is not None else request_nonce if echo_nonce else None
    if echoed is not None:
        builder = builder.add_extension(x509.OCSPNonce(echoed), critical=False)
    response = builder.sign(signer_key, hashes.SHA256())
    return response.public_bytes(serialization.Encoding.DER)


def _request_nonce(request_der: bytes) -> bytes | None:
    try:
        extension = ocsp.load_der_ocsp_request(request_der).extensions.get_extension_for_class(
            x509.OCSPNonce
        )
    except x509.ExtensionNotFound:
        return None
    return extension.value.nonce
