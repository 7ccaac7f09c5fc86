"""``cardbridge config show|url|token-path|file``: the settings the bridge reads, as it reads them.

The bridge, this CLI and the Python client take their settings from the same places
(``CARDBRIDGE_*`` variables over the config file over the defaults; the config dir under
``XDG_CONFIG_HOME``): these commands print them, so that scripts and shell examples use
the bridge's real address and token file rather than the defaults::

    curl -H "Authorization: Bearer $(cat "$(cardbridge config token-path)")" \\
         "$(cardbridge config url)/v1/readers"
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cardbridge.config import Settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "config",
        help="print the settings the bridge reads (address, token file, config file)",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show", help="every setting with its value (the API token itself is never printed)"
    )
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(func=run_show)
    actions.add_parser("url", help="the address of the local API").set_defaults(func=run_url)
    actions.add_parser(
        "token-path", help="the file of the local API token (made by the first `serve`)"
    ).set_defaults(func=run_token_path)
    actions.add_parser("file", help="the config file read (it may not exist)").set_defaults(
        func=run_file
    )


def run_url(args: argparse.Namespace) -> int:
    from cardbridge.config import bridge_url, load_settings

    print(bridge_url(load_settings()))
    return 0


def run_token_path(args: argparse.Namespace) -> int:
    from cardbridge.config_sources import api_token_path

    print(api_token_path())
    return 0


def run_file(args: argparse.Namespace) -> int:
    from cardbridge.config_sources import config_file_path

    print(config_file_path())
    return 0


def run_show(args: argparse.Namespace) -> int:
    from cardbridge.config import load_settings

    shown = described(load_settings())
    if args.json:
        print(json.dumps(shown, ensure_ascii=False))
    else:
        width = max(len(name) for name in shown)
        for name, value in shown.items():
            print(f"{name:<{width}}  {_text(value)}")
    return 0


def described(settings: Settings) -> dict[str, Any]:
    """The settings as JSON values, after the places they come from: secrets replaced
    by where they are (``CARDBRIDGE_API_TOKEN`` or the token file), never their value."""
    from cardbridge.config import bridge_url
    from cardbridge.config_sources import api_token_path, config_file_path

    values = settings.model_dump(
        mode="json", exclude={"api_token", "dmp_structure_pkcs12_password"}
    )
    from cardbridge.messages.cli import TOKEN_FROM_VARIABLE, say

    token = say(TOKEN_FROM_VARIABLE) if settings.api_token else str(api_token_path())
    return {
        "url": bridge_url(settings),
        "config_file": str(config_file_path()),
        "api_token_from": token,
        **values,
    }


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "-"
    return str(value)
