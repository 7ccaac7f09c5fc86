"""``cardbridge dmp-sandbox``: serve the offline DMP on loopback until stopped.

``cardbridge dmp-sandbox [--host 127.0.0.1] [--port 8471] [--seed FILE] [--data-dir DIR]``
serves the DMP's SOAP services over mutual TLS at
``https://HOST:PORT/si-dmp-server/v2/services/…``, and the patients' pages (what Mon espace
santé shows) over plain HTTP at ``http://HOST:PAGES_PORT/``. Notification e-mails go to
the outbox shown on those pages, and to ``--smtp HOST:PORT`` when given. Its state lives
in DIR (default: the ``dmp-sandbox`` folder of cardbridge's data dir), private like the
bridge's (0700, files 0600; refused when another user owns it), seeded from FILE
(default: the packaged demo seed). Client certificates come from the test PKI of
cardbridge's data dir, the one that issues the emulated cards' certificates. Ctrl-C or
SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from cardbridge.errors import InvalidInputError

if TYPE_CHECKING:
    from cardbridge.sandbox.notifications import SmtpServer


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "dmp-sandbox",
        help="serve the offline DMP (SOAP over mutual TLS) on loopback",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8471, help="port (8471; 0 for any)")
    parser.add_argument("--seed", type=Path, metavar="FILE", help="seed YAML file")
    parser.add_argument("--data-dir", type=Path, metavar="DIR", help="the sandbox's state")
    parser.add_argument(
        "--pages-port", type=int, default=8472, help="patient pages port (8472; 0 for any)"
    )
    parser.add_argument("--smtp", metavar="HOST:PORT", help="send notification e-mails there")
    parser.set_defaults(func=run)


def _smtp(text: str) -> SmtpServer:
    from cardbridge.sandbox.notifications import SmtpServer

    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise InvalidInputError("expected HOST:PORT, like 127.0.0.1:2525", field="--smtp")
    return SmtpServer(host.strip("[]"), int(port))


def run(args: argparse.Namespace) -> int:
    from cardbridge.config import load_settings
    from cardbridge.private_dir import secure_data_dir
    from cardbridge.sandbox.app import build_pages, build_sandbox, build_server
    from cardbridge.sandbox.server import check_loopback

    check_loopback(args.host)
    settings_dir = load_settings().data_dir
    data_dir = args.data_dir or settings_dir / "dmp-sandbox"
    # Both hold health data or keys: the test PKI is made in cardbridge's data dir if
    # missing, the DMPs and their documents are in the sandbox's (docs/dmp-sandbox.md).
    secure_data_dir(settings_dir)
    secure_data_dir(data_dir, choose_with="--data-dir")
    smtp = _smtp(args.smtp) if args.smtp else None
    sandbox = build_sandbox(data_dir, args.seed, pki_dir=settings_dir, smtp=smtp)
    server = build_server(sandbox, args.host, args.port)
    pages = build_pages(sandbox, args.host, args.pages_port)
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server.start_in_thread()
    pages.start_in_thread()
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"DMP sandbox on https://{host}:{server.port}/si-dmp-server/v2/services/", flush=True)
    print(f"Patient pages on http://{host}:{pages.port}/", flush=True)
    try:
        stop.wait()
    finally:
        server.shutdown()
        server.server_close()
        pages.shutdown()
        pages.server_close()
        sandbox.store.close()
    return 0
