"""What holds each connection to the real server: read timeouts and the connection cap.

The server is uvicorn with the bridge's protocol on a loopback port; the clients are raw
sockets, so that they can be as slow as an attacker would be. Timeouts are short here
(half a second) and the slow clients take twenty times longer to send their request:
the test asserts that the server hung up on them, not how fast.
"""

from __future__ import annotations

import http.client
import json
import os
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardbridge.api.connection import ConnectionLimits, peer_owner
from cardbridge.emulator.inprocess import EmulatedBackend
from testkit.server import LiveServer, serve_backend

LIMITS = ConnectionLimits(header_timeout=0.5, body_timeout=0.5, max_connections=3)
TRICKLE = 0.05  # seconds between two bytes of a slow client
SLOW_BYTES = 200  # 10 s of trickling: far past the timeouts


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("connections")
    with serve_backend(EmulatedBackend([]), limits=LIMITS, data_dir=data_dir) as server:
        yield server


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closed ``sock`` without answering (nothing to read but EOF)."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        data = sock.recv(65536)
    except ConnectionResetError:
        return True
    assert data == b"", f"the server answered: {data[:80]!r}"
    return True


def trickle(sock: socket.socket, data: bytes) -> int:
    """Send ``data`` a byte at a time until the server hangs up; the bytes sent."""
    for sent, byte in enumerate(data):
        if closed_by_server(sock):
            return sent
        try:
            sock.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            return sent
        time.sleep(TRICKLE)
    return len(data)


def head(live: LiveServer, path: str = "/v1/health", extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n{extra}".encode()


def read_response(sock: socket.socket) -> bytes:
    """One whole response of a keep-alive connection (headers and Content-Length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before the answer"
        data += chunk
    headers, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in headers.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return headers


def test_headers_sent_a_byte_at_a_time(live: LiveServer) -> None:
    slow = head(live, extra="X-Padding: " + "a" * SLOW_BYTES + "\r\n\r\n")
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sent = trickle(sock, slow)
    assert sent < len(slow)


def test_idle_connection_closed(live: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.settimeout(5 * LIMITS.header_timeout + 5)
        assert sock.recv(1) == b""


def test_second_request_of_a_connection_timed_too(live: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(head(live) + b"\r\n")
        assert read_response(sock).startswith(b"HTTP/1.1 200")
        slow = head(live, extra="X-Padding: " + "a" * SLOW_BYTES + "\r\n\r\n")
        assert trickle(sock, slow) < len(slow)


def test_body_sent_a_byte_at_a_time(live: LiveServer) -> None:
    body = json.dumps({"origin": "https://app.example", "padding": "a" * SLOW_BYTES}).encode()
    request = (
        f"POST /v1/auth/challenge HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n"
        f"Authorization: Bearer {live.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(request)
        assert trickle(sock, body) < len(body)


def test_requests_sent_at_once_are_served(live: LiveServer) -> None:
    """The control: the same requests, not slowed down, are answered."""
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        for _ in range(3):
            sock.sendall(head(live) + b"\r\n")
            assert read_response(sock).startswith(b"HTTP/1.1 200")


def health(connection: http.client.HTTPConnection) -> tuple[int, str | None]:
    connection.request("GET", "/v1/health")
    response = connection.getresponse()
    body = json.loads(response.read())
    return response.status, body.get("code")


def test_connection_cap(live: LiveServer) -> None:
    def connect() -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", live.port, timeout=5)

    held = [connect() for _ in range(LIMITS.max_connections)]
    try:
        assert [health(c)[0] for c in held] == [200] * LIMITS.max_connections
        one_more = connect()
        assert health(one_more) == (503, "too_many_connections")
        one_more.close()
        held.pop().close()
        # The server notices the closed connection at its next turn: retry a little.
        for _ in range(50):
            again = connect()
            answer = health(again)
            again.close()
            if answer[0] == 200:
                break
            time.sleep(0.05)
        assert answer == (200, None)
    finally:
        for connection in held:
            connection.close()


def test_ipv6_socket_to_the_ipv4_server(live: LiveServer) -> None:
    """An IPv6 socket talking to 127.0.0.1 is listed in /proc/net/tcp6 with an
    IPv4-mapped address: its owner is found there, and it is served."""
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(("::ffff:127.0.0.1", live.port))
        sock.sendall(head(live) + b"\r\n")
        assert read_response(sock).startswith(b"HTTP/1.1 200")


def test_only_the_configured_user_is_served(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A server that serves another uid than ours refuses us, on every connection."""
    limits = ConnectionLimits(uid=os.getuid() + 1)
    data_dir = tmp_path_factory.mktemp("other-uid")
    with (
        serve_backend(EmulatedBackend([]), limits=limits, data_dir=data_dir) as server,
        server.client() as client,
    ):
        for path in ("/v1/health", "/v1/readers", "/docs"):
            answer = client.get(path)
            assert (answer.status_code, answer.json()["code"]) == (403, "user_forbidden")
            assert answer.headers["connection"] == "close"


def test_owner_unknown_without_proc(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
        with client, accepted:
            peer, server = client.getsockname(), listener.getsockname()
            assert peer_owner(peer, server) == os.getuid()
            assert peer_owner(peer, server, (tmp_path / "tcp", tmp_path / "tcp6")) is None
            assert peer_owner(None, server) is None
