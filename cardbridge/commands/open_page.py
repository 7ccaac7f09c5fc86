"""``cardbridge open``: pair this browser with the running bridge and show its status page.

Asks the running bridge for a one-time pairing link (with the local API token, as any
native software) and opens it in the default browser; the link is printed too, for a
browser on another display. Following it pairs the browser: the status page then works
without any token, and only there.
"""

from __future__ import annotations

import argparse
import sys

from cardbridge.messages import cli as texts
from cardbridge.messages.cli import say


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "open",
        help="open the paired status page in the browser",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    parser.add_argument(
        "--print-only", action="store_true", help="print the pairing link, open no browser"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import httpx

    from cardbridge.client import CardBridgeClient
    from cardbridge.config import bridge_url, load_settings

    base = bridge_url(load_settings())
    try:
        with CardBridgeClient(base) as bridge:
            link = bridge.pairing_link()
    except httpx.TransportError:
        print(say(texts.NOT_RUNNING, base=base), file=sys.stderr)
        return 1
    print(say(texts.PAIRING_LINK, url=link.url))
    import webbrowser  # only here: it imports subprocess, shlex… for every command

    if not args.print_only and not webbrowser.open(link.url):
        print(say(texts.NO_BROWSER), file=sys.stderr)
    return 0
