"""``cardbridge readers``: the PC/SC readers, whether a card is in each, and which card."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cardbridge.pcsc.reader_interface import ReaderState


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("readers", help="list card readers, card presence and card type")
    parser.add_argument("--json", action="store_true", help="print the JSON of GET /v1/readers")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cardbridge.errors import ReaderNotFoundError
    from cardbridge.messages import language_of_environment
    from cardbridge.service.backends import listing_backend

    readers = listing_backend().list_readers()
    if args.json:
        # Exactly GET /v1/readers: no reader is an empty list, with the advice on stderr.
        from cardbridge.cards.models import ReaderInfo

        if not readers:
            print(ReaderNotFoundError().message_in(language_of_environment()), file=sys.stderr)
        print(json.dumps([ReaderInfo.from_state(state).model_dump() for state in readers]))
        return 0
    if not readers:
        raise ReaderNotFoundError()
    print(_table(readers))
    return 0


def _describe_card(state: ReaderState) -> str:
    from cardbridge.pcsc.atr import CardFamily, identify_atr

    if not state.card_present:
        return "no card"
    if state.atr is None and state.family is not None:  # a PKCS#11 slot: no ATR
        return "CPS (PKCS#11 token)" if state.family is CardFamily.CPS else "PKCS#11 token"
    if state.atr is None:
        return "card not answering"
    return identify_atr(state.atr).label


def _table(readers: list[ReaderState]) -> str:
    # The ATR as GET /v1/readers writes it, without building the API's pydantic models.
    from cardbridge.pcsc.atr import format_atr

    rows = [("READER", "CARD", "ATR")]
    rows += [(s.name, _describe_card(s), format_atr(s.atr) if s.atr else "") for s in readers]
    name_width = max(len(row[0]) for row in rows)
    card_width = max(len(row[1]) for row in rows)
    return "\n".join(
        f"{name:<{name_width}}  {card:<{card_width}}  {atr}".rstrip() for name, card, atr in rows
    )
