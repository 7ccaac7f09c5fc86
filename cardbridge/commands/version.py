"""``cardbridge version``: the version and the components it runs with."""

from __future__ import annotations

import argparse
import json

from cardbridge import __version__


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("version", help="print versions of cardbridge and its parts")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import platform  # only when the command runs: the parser stays cheap

    info = {"cardbridge": __version__, "python": platform.python_version()}
    if args.json:
        print(json.dumps(info))
    else:
        for key, value in info.items():
            print(f"{key}: {value}")
    return 0
