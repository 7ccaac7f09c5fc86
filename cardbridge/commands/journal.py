"""``cardbridge journal verify|list``: check and read the DMP access journal of the data dir."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

from cardbridge.errors import InvalidInputError
from cardbridge.messages import Text
from cardbridge.messages import cli as texts
from cardbridge.messages.cli import say

if TYPE_CHECKING:
    from cardbridge.dmp.journal import Journal

EXIT_TAMPERED = 6


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("journal", help="check or read the DMP access journal")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify", help="detect edited, deleted or reordered records (exit 6 if any)"
    )
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=run_verify)
    listing = actions.add_parser("list", help="records, newest first")
    listing.add_argument(
        "--patient", help="INS (15 characters), or as recorded: INS in CX form, traits:…"
    )
    listing.add_argument("--practitioner", help="national id (idNat_PS)")
    listing.add_argument(
        "--since", type=_moment, help="ISO date or date-time (local time without an offset)"
    )
    listing.add_argument(
        "--until", type=_moment, help="ISO date (included) or date-time (local time without offset)"
    )
    listing.add_argument("--limit", type=int, default=100)
    listing.add_argument(
        "--before",
        type=int,
        metavar="SEQ",
        help="records older than this sequence number only: the next page starts before "
        "the first column of this page's last line",
    )
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=run_list)


def _moment(text: str) -> date | datetime:
    from cardbridge.dmp.period import parse_moment

    try:
        return parse_moment(text)
    except ValueError as error:
        refused = error.args[0] if error.args and isinstance(error.args[0], Text) else None
        raise argparse.ArgumentTypeError(say(refused) if refused else str(error)) from None


def _journal() -> Journal:
    from cardbridge.config import load_settings
    from cardbridge.dmp.journal import Journal
    from cardbridge.private_dir import secure_data_dir

    data_dir = load_settings().data_dir
    secure_data_dir(data_dir)  # private as `cardbridge serve` keeps it, even if made here
    return Journal.open(data_dir)


def run_verify(args: argparse.Namespace) -> int:
    from cardbridge.api.dmp_models import JournalCheck

    journal = _journal()
    report = journal.verify()
    if args.json:  # the JSON of GET /v1/dmp/journal/verify
        check = JournalCheck(ok=report.ok, records=report.records, problems=report.problems)
        print(check.model_dump_json())
    elif report.ok:
        print(say(texts.JOURNAL_INTACT, records=report.records, database=journal.database))
    else:
        print(say(texts.JOURNAL_TAMPERED, database=journal.database))
        for problem in report.problems:
            print(f"  - {problem}")
    return 0 if report.ok else EXIT_TAMPERED


def run_list(args: argparse.Namespace) -> int:
    from cardbridge.api.dmp_models import JournalEntryModel
    from cardbridge.dmp.journal_details import AccessDetails, details_of
    from cardbridge.dmp.patients import JournalPatient, journal_patient
    from cardbridge.dmp.period import period_end, period_start

    if args.limit < 1:
        raise InvalidInputError(texts.AT_LEAST_ONE, field="--limit")
    if args.before is not None and args.before < 1:
        raise InvalidInputError(texts.BEFORE_SEQUENCE, field="--before")
    whom = journal_patient(args.patient) if args.patient is not None else JournalPatient()
    records = _journal().query(
        patient=whom.key,
        patient_prefix=whom.key_prefix,
        practitioner=args.practitioner,
        since=period_start(args.since) if args.since is not None else None,
        until=period_end(args.until) if args.until is not None else None,
        limit=args.limit,
        before=args.before,
    )
    if args.json:
        # The JSON of GET /v1/dmp/journal: the API's own model, dates included.
        entries = [
            JournalEntryModel.of(record).model_dump(mode="json", exclude_unset=True)
            for record in records
        ]
        print(json.dumps(entries, ensure_ascii=False))
        return 0
    for record in records:
        details = details_of(record)
        mode = details.mode if isinstance(details, AccessDetails) else record.kind.value
        print(
            f"{record.seq:>6}  {record.recorded_at:%Y-%m-%d %H:%M}  {record.kind.value:<7}  "
            f"{mode:<13}  {record.practitioner}  {record.patient}"
        )
    if len(records) == args.limit:
        # A full page: there may be older records (stderr, so that the listing stays clean).
        print(say(texts.OLDER_RECORDS, seq=records[-1].seq), file=sys.stderr)
    return 0
