"""The HTTP API served by uvicorn on a free loopback port, in a thread, for the tests."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from cardbridge.api.app import bridge_of, create_app
from cardbridge.api.connection import ConnectionLimits
from cardbridge.api.server import BridgeServer, server_config
from cardbridge.config import Settings
from cardbridge.pcsc.reader_interface import ReaderBackend
from cardbridge.service.bridge import Bridge

TOKEN = "test-token-0123456789abcdef"
START_TIMEOUT = 20.0


def app_from_settings(
    settings: Settings,
    *,
    backend: ReaderBackend | None = None,
    api_token: str | None = None,
    heartbeat: float = 15.0,
) -> FastAPI:
    """The app ``cardbridge serve`` makes: the bridge the settings describe (over
    ``backend`` when given), and the API mounted on it."""
    bridge = Bridge.from_settings(settings, backend=backend)
    return create_app(bridge, settings, api_token=api_token, heartbeat=heartbeat)


@dataclass
class LiveServer:
    """A running server: its address, its token, its app."""

    port: int
    token: str
    app: FastAPI
    server: BridgeServer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def bridge(self) -> Bridge:
        return bridge_of(self.app)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def own_origin(self) -> str:
        return self.url

    def client(self, *, token: bool = True, **options: Any) -> httpx.Client:
        """An httpx client for the server, sending the token unless told not to, and
        asking for English messages unless its headers say otherwise."""
        headers = {
            "Accept-Language": "en",
            **(self.auth if token else {}),
            **options.pop("headers", {}),
        }
        return httpx.Client(base_url=self.url, headers=headers, timeout=10.0, **options)

    def pairing_cookie(self) -> tuple[str, str]:
        """Pair as a browser would: follow a one-time link; the cookie it sets."""
        link = self.bridge.pairings.issue_link()
        with httpx.Client(base_url=self.url, timeout=10.0) as browser:
            answer = browser.get("/pair", params={"code": link.code})
        assert answer.status_code == 303, answer.text
        name = f"cardbridge_page_{self.port}"
        return name, answer.cookies[name]

    def page_client(self, **options: Any) -> httpx.Client:
        """The paired status page: its cookie, its own origin on every request (as a
        browser sends it on POSTs), no token."""
        name, value = self.pairing_cookie()
        headers = {
            "Accept-Language": "en",
            "Origin": self.own_origin,
            "Sec-Fetch-Site": "same-origin",
            "Cookie": f"{name}={value}",
            **options.pop("headers", {}),
        }
        return httpx.Client(base_url=self.url, headers=headers, timeout=10.0, **options)


def free_socket() -> socket.socket:
    """A listening-ready socket bound to a free loopback port (no race for the port).

    Its protocol is named: asyncio disables Nagle's algorithm only on sockets whose
    ``proto`` is TCP, and accepted connections inherit it; with ``proto`` 0 every
    answer written in two parts waits for the client's delayed ACK (~40 ms)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve(
    app_for_port: Callable[[int], FastAPI],
    token: str = TOKEN,
    limits: ConnectionLimits | None = None,
) -> Iterator[LiveServer]:
    """Serve the app that ``app_for_port(port)`` builds until the block ends, its
    connections held to ``limits`` (default: those of ``cardbridge serve``)."""
    sock = free_socket()
    port = sock.getsockname()[1]
    app = app_for_port(port)
    server = BridgeServer(app, server_config(app, "127.0.0.1", port, limits))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API server did not start")
        time.sleep(0.01)
    try:
        yield LiveServer(port, token, app, server)
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()
        if thread.is_alive():
            raise RuntimeError("the API server did not stop")


@contextmanager
def serve_backend(
    backend: ReaderBackend,
    *,
    heartbeat: float = 15.0,
    approve: bool = True,
    limits: ConnectionLimits | None = None,
    **settings: Any,
) -> Iterator[LiveServer]:
    """Serve ``backend`` with settings ``settings`` (port and token set here; a state
    dir of its own unless given). ``approve``: the configured ``allowed_origins`` are
    approved, as the clinician would on the status page."""

    def build(port: int) -> FastAPI:
        configured = Settings(port=port, api_token=TOKEN, **settings)
        app = app_from_settings(configured, backend=backend, heartbeat=heartbeat)
        if approve:
            for origin in configured.allowed_origins:
                bridge_of(app).origins.approve(origin)
        return app

    with tempfile.TemporaryDirectory(prefix="cardbridge-state-") as state:
        settings.setdefault("state_dir", state)
        with serve(build, limits=limits) as live:
            yield live
