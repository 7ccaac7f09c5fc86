"""The ``cardbridge`` command: parser, dispatch, and errors turned into exit codes.

Each sub-command lives in :mod:`cardbridge.commands` as a module with
``register(subparsers)`` that adds its parser and sets ``func`` to a handler
``(args) -> int``. ``--json`` output uses exactly the JSON models of the HTTP API.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from cardbridge import __version__
from cardbridge.commands import COMMANDS
from cardbridge.errors import (
    AuthError,
    CardBridgeError,
    CardError,
    InvalidInputError,
    OriginInvalidError,
    PcscError,
    PinError,
)
from cardbridge.messages import language_of_environment

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_CARD = 3
EXIT_PIN = 4
EXIT_AUTH = 5


def exit_code_for(error: CardBridgeError) -> int:
    """The exit code of a failure.

    1 generic failure, 2 bad input (an origin that is not one included), 3 reader or card
    problem, 4 PIN problem, 5 authentication token refused (its certificate's status could
    not be checked included).
    """
    if isinstance(error, OriginInvalidError):
        return EXIT_USAGE
    if isinstance(error, AuthError):
        return EXIT_AUTH
    if isinstance(error, PinError):
        return EXIT_PIN
    if isinstance(error, PcscError | CardError):
        return EXIT_CARD
    if isinstance(error, InvalidInputError):
        return EXIT_USAGE
    return EXIT_FAILURE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cardbridge",
        description="French health cards (CPS, Vitale) on a local HTTP API.",
    )
    parser.add_argument("--version", action="version", version=f"cardbridge {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except CardBridgeError as error:
        print(f"cardbridge: {error.message_in(language_of_environment())}", file=sys.stderr)
        return exit_code_for(error)
    except KeyboardInterrupt:
        return 130
