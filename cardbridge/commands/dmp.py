"""``cardbridge dmp …``: the DMP transactions of the running bridge's HTTP API, from a shell.

``status``, ``search``, ``access``, ``documents``, ``get``, ``deposit``, ``visibility``,
``archive``, ``delete``: each asks the running ``cardbridge serve`` (``--url``, default
``cardbridge config url``: the address the settings give the bridge) through the Python
client, as native software with the local API token. ``--pin-stdin`` verifies the PIN
first (a PIN session of this OS user's native software, which the following commands
share until it ends). ``--json`` prints exactly the API's JSON. Situations and
beneficiaries count from 0, as in the API.

Imports happen in the handlers: ``cardbridge --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from cardbridge.messages import cli as texts
from cardbridge.messages.cli import say

if TYPE_CHECKING:
    from cardbridge.client import CardBridgeClient

    Actions = argparse._SubParsersAction[argparse.ArgumentParser]

MODES = ("normal", "bris_de_glace", "centre_15")
STATUSES = ("approved", "archived", "deprecated", "all")
VISIBILITIES = ("N", "MASQUE_PS", "INVISIBLE_PATIENT", "INVISIBLE_REPRESENTANTS_LEGAUX")


def _common(parser: argparse.ArgumentParser, *, json_output: bool = True) -> None:
    parser.add_argument("--url", default=None, help="the bridge (default: `cardbridge config url`)")
    parser.add_argument("--reader", help="the CPS reader (default: the first with a CPS)")
    parser.add_argument(
        "--pin-stdin", action="store_true", help="read the PIN on stdin and verify it first"
    )
    if json_output:
        parser.add_argument("--json", action="store_true", help="print the API's JSON")


def _document_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ins", help="the patient's INS (15 characters, spaces allowed)")
    parser.add_argument("unique_id", help="the document's uniqueId (`cardbridge dmp documents`)")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("dmp", help="DMP transactions through the running bridge")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    _patient_actions(actions)
    _document_actions(actions)
    _deposit_action(actions)
    _change_actions(actions)


def _patient_actions(actions: Actions) -> None:
    status = actions.add_parser("status", help="TD0.2: the DMP exists, is closed; your rights")
    status.add_argument("ins", help="the patient's INS (15 characters, spaces allowed)")
    status.add_argument("--situation", type=int, default=0, help="CPS practice situation (0)")
    _common(status)
    status.set_defaults(func=run_status)

    search = actions.add_parser(
        "search", help="TD0.5: patients by identity criteria (centre 15 mode only)"
    )
    search.add_argument("--last-name", required=True)
    search.add_argument("--first-name", required=True)
    search.add_argument("--sex", required=True, choices=("M", "F"))
    search.add_argument("--birth-date", help="JJ/MM/AAAA")
    search.add_argument("--reason", required=True, help="why (centre 15), kept by the DMP")
    search.add_argument("--situation", type=int, default=0)
    _common(search)
    search.set_defaults(func=run_search)

    access = actions.add_parser("access", help="open a patient's DMP (consent or emergency)")
    access.add_argument("ins", help="the patient's INS (15 characters, spaces allowed)")
    access.add_argument("--mode", choices=MODES, default="normal")
    access.add_argument("--consent", action="store_true", help="the patient consented")
    access.add_argument("--reason", help="mandatory for bris_de_glace and centre_15")
    access.add_argument(
        "--secret",
        action="store_true",
        help="secret access to a minor's DMP: hidden from the legal representatives",
    )
    access.add_argument("--situation", type=int, default=0)
    _common(access)
    access.set_defaults(func=run_access)


def _document_actions(actions: Actions) -> None:
    documents = actions.add_parser("documents", help="TD3.1: the documents of an opened DMP")
    documents.add_argument("ins", help="the patient's INS (15 characters, spaces allowed)")
    documents.add_argument("--type", dest="type_code", help="a document type code")
    documents.add_argument("--status", choices=STATUSES, default=None)
    documents.add_argument("--from", dest="start", help="created on or after (YYYY-MM-DD)")
    documents.add_argument("--to", dest="end", help="created on or before (YYYY-MM-DD)")
    _common(documents)
    documents.set_defaults(func=run_documents)

    get = actions.add_parser("get", help="TD3.2: a document's content")
    _document_args(get)
    get.add_argument("-o", "--output", help="write it to this file (default: stdout)")
    _common(get)
    get.set_defaults(func=run_get)


def _deposit_action(actions: Actions) -> None:
    deposit = actions.add_parser("deposit", help="TD2.1: deposit a file or a free text")
    who = deposit.add_mutually_exclusive_group(required=True)
    who.add_argument("--beneficiary", type=int, help="a beneficiary of the Vitale card (0…)")
    who.add_argument("--ins", help="the patient's INS")
    what = deposit.add_mutually_exclusive_group(required=True)
    what.add_argument("--file", help="PDF, JPEG, TIFF, RTF or plain text (5 MB at most)")
    what.add_argument("--text", help="Rédiger un document (texte libre): the text itself")
    deposit.add_argument("--title", required=True)
    deposit.add_argument("--type", dest="type_code", required=True, help="type code (LOINC…)")
    deposit.add_argument("--date", required=True, help="document date (YYYY-MM-DD)")
    deposit.add_argument("--event-start", required=True, help="YYYY-MM-DD")
    deposit.add_argument("--event-end", help="YYYY-MM-DD")
    deposit.add_argument("--comment")
    deposit.add_argument("--visibility", choices=VISIBILITIES, default="N")
    deposit.add_argument("--practice-setting", default="AMBULATOIRE", help="cadre d'exercice")
    deposit.add_argument("--situation", type=int, default=0)
    _common(deposit)
    deposit.set_defaults(func=run_deposit)


def _change_actions(actions: Actions) -> None:
    visibility = actions.add_parser("visibility", help="TD3.3: mask, unmask, show to patient")
    _document_args(visibility)
    change = visibility.add_mutually_exclusive_group(required=True)
    change.add_argument("--mask", action="store_true", help="mask it from professionals")
    change.add_argument("--unmask", action="store_true")
    change.add_argument("--show-to-patient", action="store_true")
    _common(visibility)
    visibility.set_defaults(func=run_visibility)

    archive = actions.add_parser("archive", help="TD3.3: archive (or --undo: unarchive)")
    _document_args(archive)
    archive.add_argument("--undo", action="store_true", help="unarchive")
    _common(archive)
    archive.set_defaults(func=run_archive)

    delete = actions.add_parser("delete", help="TD3.3: delete a document")
    _document_args(delete)
    _common(delete, json_output=False)
    delete.set_defaults(func=run_delete)


def _client(args: argparse.Namespace) -> CardBridgeClient:
    from cardbridge.client import CardBridgeClient

    client = CardBridgeClient(args.url)
    if args.pin_stdin:
        client.verify_pin(sys.stdin.readline().strip(), args.reader)
    return client


def _print(args: argparse.Namespace, value: Any, text: str) -> int:
    """The API's JSON of ``value`` with ``--json``, else ``text``."""
    if getattr(args, "json", False):
        from pydantic import TypeAdapter

        print(TypeAdapter(Any).dump_json(value).decode())
    else:
        print(text)
    return 0


def run_status(args: argparse.Namespace) -> int:
    with _client(args) as client:
        status = client.dmp_status(args.ins, situation=args.situation, reader=args.reader)
    text = say(texts.DMP_STATE, state=status.state.value)
    if status.authorization is not None:
        text += say(texts.DMP_AUTHORIZATION, authorization=status.authorization.value)
    if status.treating_physician:
        text += say(texts.DMP_TREATING)
    return _print(args, status, text)


def run_search(args: argparse.Namespace) -> int:
    from cardbridge.dmp.patients import IdentityCriteria

    criteria = IdentityCriteria(
        last_name=args.last_name,
        first_name=args.first_name,
        sex=args.sex,
        birth_date=args.birth_date,
    )
    with _client(args) as client:
        found = client.search_patients(args.situation, criteria, args.reason, reader=args.reader)
    lines = [
        f"{c.ins}  {c.last_name} {c.first_name or ''}  {c.birth_date or ''}".rstrip() for c in found
    ]
    return _print(args, found, "\n".join(lines) or say(texts.NO_PATIENT))


def run_access(args: argparse.Namespace) -> int:
    from cardbridge.dmp.access import AccessMode
    from cardbridge.dmp.patients import PatientSelector

    with _client(args) as client:
        answer = client.dmp_access(
            args.situation,
            PatientSelector(ins=args.ins),
            mode=AccessMode(args.mode),
            consent=args.consent,
            reason=args.reason,
            reader=args.reader,
            secret=args.secret,
        )
    text = say(texts.DMP_OPENED, mode=answer.mode.value, seq=answer.journal_seq)
    if answer.secret:
        text += say(texts.SECRET_ACCESS)
    if answer.authorization_added:
        text += say(texts.AUTHORIZATION_ADDED)
    return _print(args, answer, text)


def _day(text: str | None, option: str) -> date | None:
    from cardbridge.errors import InvalidInputError

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(texts.DATE_EXPECTED, field=option) from None


def run_documents(args: argparse.Namespace) -> int:
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    with _client(args) as client:
        found = client.documents(
            args.ins,
            type_code=args.type_code,
            status=args.status,
            start=start,
            end=end,
            reader=args.reader,
        )
    lines = [
        f"{e.unique_id}  {e.status.value:<10}  {e.created:%Y-%m-%d}  {e.title or ''}"
        if e.created
        else f"{e.unique_id}  {e.status.value:<10}  {e.title or ''}"
        for e in found
    ]
    return _print(args, found, "\n".join(lines) or say(texts.NO_DOCUMENT))


def run_get(args: argparse.Namespace) -> int:
    with _client(args) as client:
        document = client.document(args.ins, args.unique_id, reader=args.reader)
    if args.output:
        with open(args.output, "wb") as file:
            file.write(document.content)
    if args.json:  # the document as JSON, its content in base64
        return _print(args, document, "")
    if args.output:
        size = len(document.content)
        print(
            say(texts.DOCUMENT_SAVED, path=args.output, media_type=document.media_type, size=size)
        )
    else:
        sys.stdout.buffer.write(document.content)
        sys.stdout.flush()
    return 0


def run_deposit(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cardbridge.dmp.documents import DepositForm

    form = DepositForm(
        title=args.title,
        document_date=args.date,
        type=args.type_code,
        event_start=args.event_start,
        event_end=args.event_end,
        comment=args.comment,
        visibility=args.visibility,
    )
    content = Path(args.file).read_bytes() if args.file else None
    with _client(args) as client:
        answer = client.deposit(
            args.situation,
            form,
            content=content,
            filename=Path(args.file).name if args.file else "",
            text=args.text,
            beneficiary=args.beneficiary,
            ins=args.ins,
            practice_setting=args.practice_setting,
            reader=args.reader,
        )
    return _print(args, answer, say(texts.DEPOSITED, unique_id=answer.receipt.unique_id))


def run_visibility(args: argparse.Namespace) -> int:
    masked = True if args.mask else False if args.unmask else None
    with _client(args) as client:
        entry = client.change_document(
            args.ins,
            args.unique_id,
            masked=masked,
            visible_to_patient=True if args.show_to_patient else None,
            reader=args.reader,
        )
    return _print(args, entry, f"{entry.unique_id}: {entry.visibility}")


def run_archive(args: argparse.Namespace) -> int:
    with _client(args) as client:
        entry = client.change_document(
            args.ins, args.unique_id, archived=not args.undo, reader=args.reader
        )
    return _print(args, entry, f"{entry.unique_id}: {entry.status.value}")


def run_delete(args: argparse.Namespace) -> int:
    with _client(args) as client:
        client.delete_document(args.ins, args.unique_id, reader=args.reader)
    print(say(texts.DELETED, unique_id=args.unique_id))
    return 0
