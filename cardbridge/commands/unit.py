"""``cardbridge install-service`` / ``uninstall-service``: the systemd user service.

Run as the clinician's user (not root): the service belongs to their session, starts
``cardbridge serve`` when they log in and restarts it if it fails. Installing again
(after an upgrade, or a move of cardbridge) rewrites the unit and restarts the service.
"""

from __future__ import annotations

import argparse
import os

from cardbridge.errors import InvalidInputError
from cardbridge.messages import cli as texts
from cardbridge.messages.cli import say


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    install = subparsers.add_parser(
        "install-service",
        help="start the bridge with the user's session (systemd user service)",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    install.add_argument(
        "--print", action="store_true", help="print the unit instead of installing it"
    )
    install.set_defaults(func=run_install)
    uninstall = subparsers.add_parser(
        "uninstall-service", help="stop the user service and remove it"
    )
    uninstall.set_defaults(func=run_uninstall)


def run_install(args: argparse.Namespace) -> int:
    from cardbridge.workstation.systemd_unit import install_service, render_unit

    unit = render_unit()
    if args.print:
        print(unit, end="")
        return 0
    _refuse_root()
    path = install_service(unit)
    print(say(texts.SERVICE_INSTALLED, path=path))
    print(say(texts.SERVICE_CHECK))
    return 0


def run_uninstall(args: argparse.Namespace) -> int:
    from cardbridge.workstation.systemd_unit import remove_service

    _refuse_root()
    path = remove_service()
    print(say(texts.SERVICE_REMOVED, path=path) if path else say(texts.SERVICE_ABSENT))
    return 0


def _refuse_root() -> None:
    # Under sudo the unit would land in root's session, never started for the clinician.
    if os.geteuid() == 0:
        raise InvalidInputError(
            "run this as the user who works with the cards, without sudo: the service "
            "belongs to that user's session"
        )
