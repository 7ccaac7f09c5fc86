"""``cardbridge serve``: the local HTTP API, on loopback only, until Ctrl-C or SIGTERM.

PC/SC is used when available; ``--emulator`` (or ``emulator = true``) serves the
built-in emulated readers with the demo CPS and Vitale cards, and
``emulator_fallback`` (what ``make run`` sets) does so when pcscd is absent or holds
no card at start. Ctrl-C or SIGTERM stop it cleanly: event streams ended, card
connections closed, reader monitor stopped; the exit status is then 0.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
from collections.abc import Iterator
from types import FrameType

from cardbridge.messages import cli as texts
from cardbridge.messages.cli import say


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the local HTTP API",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    parser.add_argument("--host", help="loopback address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, help="TCP port (default: the port setting, 8470 unless set)"
    )
    parser.add_argument(
        "--emulator",
        action="store_true",
        help="serve the built-in emulated readers (demo CPS and Vitale cards)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cardbridge.api.app import create_app
    from cardbridge.api.routes.pairing import pairing_url
    from cardbridge.api.server import (
        BridgeServer,
        listening_socket,
        require_loopback,
        server_config,
    )
    from cardbridge.commands.serve_banner import banner_lines
    from cardbridge.config import bridge_url, ensure_api_token, load_settings
    from cardbridge.private_dir import secure_data_dir
    from cardbridge.service.backends import choose_backend
    from cardbridge.service.bridge import Bridge

    overrides: dict[str, object] = {}
    if args.host is not None:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = args.port
    if args.emulator:
        overrides["emulator"] = True
    settings = load_settings(**overrides)
    require_loopback(settings.host)
    if not getattr(args, "verbose", 0):
        logging.getLogger().setLevel(settings.log_level.upper())
    token = ensure_api_token(settings)
    secure_data_dir(settings.data_dir)  # before the emulator's test PKI is made there
    listening = listening_socket(settings.host, settings.port)
    choice = choose_backend(settings)
    bridge = Bridge.from_settings(settings, backend=choice.backend)
    app = create_app(bridge, settings, api_token=token)
    server = BridgeServer(app, server_config(app, settings.host, settings.port))
    address = bridge_url(settings)
    link = bridge.pairings.issue_link()
    banner = banner_lines(settings, choice, address, pairing_url(address, link.code))
    print("\n".join(banner), flush=True)
    with _signals_end_quietly():
        server.run(sockets=[listening])
    print(say(texts.STOPPED), flush=True)
    return 0 if server.started else 1


@contextlib.contextmanager
def _signals_end_quietly() -> Iterator[None]:
    """uvicorn handles SIGINT/SIGTERM, shuts down, then raises the signal again for the
    previous handler: these handlers make that an ordinary, successful exit."""

    def already_stopped(signum: int, frame: FrameType | None) -> None:
        """The server has shut down by the time this runs: nothing is left to do."""

    previous = {sig: signal.signal(sig, already_stopped) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
