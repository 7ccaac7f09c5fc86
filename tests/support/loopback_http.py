"""Listeners on a free loopback port that stand where cardbridge's API would be.

``http_server`` answers every GET with one fixed response (cardbridge's health, or a
foreign program's page); ``raw_listener`` accepts connections and closes them without
a word, like a program that does not speak HTTP.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def http_server(
    status: int, body: bytes, content_type: str = "text/html", server: str = "nginx"
) -> Iterator[int]:
    """Serve ``body`` with ``status`` on 127.0.0.1; yield the port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def version_string(self) -> str:
            return server

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@contextmanager
def raw_listener() -> Iterator[int]:
    """Accept and close every connection on 127.0.0.1; yield the port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)  # accept() wakes up to see that the test is over
    stopping = threading.Event()

    def accept() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stopping.set()
        thread.join()
        listener.close()


def free_port() -> int:
    """A loopback port nobody listens on (just released by the kernel)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
