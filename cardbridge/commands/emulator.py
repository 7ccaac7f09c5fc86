"""``cardbridge emulator``: put an emulated card in a vpcd reader of the real pcscd.

``cardbridge emulator --vpcd HOST:PORT PROFILE`` keeps the card described by PROFILE
(a file, or a packaged profile such as ``demo-cps``) in the reader until Ctrl-C or
SIGTERM, which remove it; when pcscd restarts, the card comes back by itself.
``--list-profiles`` prints the packaged profiles; ``--export-trust FILE`` writes the
test PKI's trust anchors (``-`` for standard output), to verify the emulated cards'
certificates.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from cardbridge.errors import InvalidInputError

if TYPE_CHECKING:
    from cardbridge.emulator.vpcd import VpcdBridge

log = logging.getLogger(__name__)

# How long to wait for pcscd before telling the user the card is not in yet.
FIRST_CONNECTION_WAIT = 5.0
POLL = 0.1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "emulator",
        help="insert an emulated CPS or Vitale card into a vpcd reader of pcscd",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    parser.add_argument(
        "--vpcd", metavar="HOST:PORT", help="the vpcd reader (e.g. 127.0.0.1:35963)"
    )
    parser.add_argument("profile", nargs="?", metavar="PROFILE", help="profile file or name")
    parser.add_argument("--list-profiles", action="store_true", help="list packaged profiles")
    parser.add_argument(
        "--export-trust", metavar="FILE", help="write the test PKI's trust anchors (PEM)"
    )
    parser.set_defaults(func=run)


def parse_address(text: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[IPv6]:PORT`` → ``(host, port)``; :class:`InvalidInputError` else."""
    host, separator, port_text = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not separator or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InvalidInputError("expected HOST:PORT, like 127.0.0.1:35963", field="--vpcd")
    return host, int(port_text)


def run(args: argparse.Namespace) -> int:
    if args.list_profiles:
        from cardbridge.emulator.profiles import list_profiles

        print("\n".join(list_profiles()))
    if args.export_trust:
        _export_trust(args.export_trust)
    if args.vpcd is None:
        if args.profile is not None:
            raise InvalidInputError("a profile goes with --vpcd HOST:PORT", field="--vpcd")
        if not (args.list_profiles or args.export_trust):
            raise InvalidInputError(
                "give --vpcd HOST:PORT PROFILE, --list-profiles or --export-trust FILE"
            )
        return 0
    if args.profile is None:
        raise InvalidInputError("which card? give a profile file or name", field="PROFILE")
    return _insert(args.vpcd, args.profile)


def _export_trust(target: str) -> None:
    from cardbridge.config import load_settings
    from cardbridge.emulator.issuance import default_issuer

    pem = default_issuer(load_settings().data_dir).trust_anchors_pem()
    if target == "-":
        sys.stdout.write(pem.decode())
        sys.stdout.flush()
    else:
        Path(target).write_bytes(pem)


def _insert(address: str, profile_name: str) -> int:
    from cardbridge.config import load_settings
    from cardbridge.emulator.factory import build_card
    from cardbridge.emulator.profiles import load_profile
    from cardbridge.emulator.vpcd import VpcdBridge

    host, port = parse_address(address)
    profile = load_profile(profile_name)
    card = build_card(profile, data_dir=load_settings().data_dir)
    bridge = VpcdBridge(card, host, port, reconnect=True)
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    what = f"{profile.kind.upper()} card {profile.serial}"
    try:
        bridge.start()
        _follow(bridge, stopping, what, f"{host}:{port}")
    finally:
        bridge.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(f"{what} removed.", flush=True)
    return 0


def _follow(bridge: VpcdBridge, stopping: threading.Event, what: str, where: str) -> None:
    """Say when the card goes in and out of the reader (pcscd restarts), until stopped."""
    inserted = False
    waited = 0.0
    while not stopping.wait(POLL):
        waited += POLL
        if bridge.connected != inserted:
            inserted = bridge.connected
            if inserted:
                print(f"{what} is in the vpcd reader at {where}. Ctrl-C removes it.", flush=True)
            else:
                print(f"pcscd left; {what} goes back in when it returns.", file=sys.stderr)
            waited = 0.0
        elif not inserted and waited >= FIRST_CONNECTION_WAIT:
            print(f"Waiting for pcscd's vpcd reader at {where}…", file=sys.stderr)
            waited = float("-inf")  # said once
