"""``cardbridge read cps|vitale``: print the practitioner or the Vitale card.

Readable text by default; ``--json`` prints exactly the JSON of ``GET /v1/cps`` or
``GET /v1/vitale``. With several readers the card is found by its type. Situations and
beneficiaries are numbered by their index, from 0, as the API and the DMP commands take
them (``situation: 0``, ``beneficiary: 1``).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cardbridge.errors import PinFormatError, WrongCardTypeError
from cardbridge.messages.cli import NO_PIN_ON_STDIN

if TYPE_CHECKING:
    from cardbridge.cards.models import Beneficiary, Practitioner, VitaleCard


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("read", help="read the CPS or the Vitale card")
    cards = parser.add_subparsers(dest="card", metavar="CARD", required=True)
    cps = cards.add_parser("cps", help="the practitioner (situations need the PIN)")
    cps.add_argument("--reader", help="the reader holding the CPS (default: found by type)")
    cps.add_argument(
        "--pin-stdin",
        action="store_true",
        help="read the PIN from standard input (one line) to show the practice situations",
    )
    cps.add_argument("--json", action="store_true", help="print the JSON of GET /v1/cps")
    cps.set_defaults(func=run_cps)
    vitale = cards.add_parser("vitale", help="the Vitale card and its beneficiaries")
    vitale.add_argument("--reader", help="the reader holding the Vitale card")
    vitale.add_argument("--json", action="store_true", help="print the JSON of GET /v1/vitale")
    vitale.set_defaults(func=run_vitale)


def _pin_from_stdin() -> str:
    line = sys.stdin.readline()
    if not line.strip():
        raise PinFormatError(NO_PIN_ON_STDIN)
    return line.strip()


def run_cps(args: argparse.Namespace) -> int:
    from cardbridge.cards.cps_card import open_cps
    from cardbridge.cards.locate import find_reader
    from cardbridge.config import load_settings
    from cardbridge.pcsc.atr import CardFamily
    from cardbridge.service.backends import choose_backend

    backend = choose_backend(load_settings()).backend
    state = find_reader(backend, CardFamily.CPS, args.reader)
    pin = _pin_from_stdin() if args.pin_stdin else None
    with backend.connect(state.name) as connection:
        session = open_cps(connection)
        if pin is not None:
            session.verify_pin(pin)
        practitioner = session.read_practitioner(with_situations=pin is not None)
    print(
        practitioner.model_dump_json(indent=2) if args.json else format_practitioner(practitioner)
    )
    return 0


def run_vitale(args: argparse.Namespace) -> int:
    from cardbridge.cards.locate import find_reader
    from cardbridge.cards.pkcs11_backend import NO_APDU_MESSAGE
    from cardbridge.cards.vitale import VitaleSession
    from cardbridge.config import load_settings
    from cardbridge.pcsc.atr import CardFamily
    from cardbridge.service.backends import choose_backend

    backend = choose_backend(load_settings()).backend
    if backend.kind == "pkcs11":
        raise WrongCardTypeError(NO_APDU_MESSAGE)
    state = find_reader(backend, CardFamily.VITALE, args.reader)
    with backend.connect(state.name) as connection:
        card = VitaleSession(connection).read()
    print(card.model_dump_json(indent=2) if args.json else format_vitale(card))
    return 0


def _lines(rows: list[tuple[str, str]]) -> str:
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}".rstrip() for label, value in rows)


def format_practitioner(p: Practitioner) -> str:
    """The practitioner as a clinician reads it."""
    ids = f"{p.national_id} ({p.id_type}" + (f" {p.rpps or p.adeli})" if p.rpps or p.adeli else ")")
    card = f"{p.card.type} {p.card.generation}, serial {p.card.serial}, expires {p.card.expires}"
    rows = [
        ("Practitioner", f"{p.civility + ' ' if p.civility else ''}{p.first_name} {p.last_name}"),
        ("National id", ids),
        ("Profession", f"{p.profession.code} {p.profession.label or '(unknown code)'}"),
        (
            "Specialty",
            f"{p.specialty.code} {p.specialty.label or '(unknown code)'}" if p.specialty else "-",
        ),
        ("Card", card + (", TEST CARD" if p.card.test else "")),
        ("Reader", p.reader),
    ]
    if p.situations is None:
        rows.append(("Situations", "need the PIN (run again with --pin-stdin)"))
    else:
        rows.append(("Situations", f"{len(p.situations)}"))
        rows += [
            (
                f"  {s.index}.",
                f"{s.name} — {s.structure_id} ({s.structure_id_type or 'unknown type'}), "
                f"{s.sector} {s.sector_label or ''}",
            )
            for s in p.situations
        ]
    return _lines(rows)


def _person(b: Beneficiary) -> str:
    born = f" (born {b.birth_name})" if b.birth_name and b.birth_name != b.last_name else ""
    date = b.birth_date.strftime("%d/%m/%Y") if b.birth_date else f"{b.birth_date_raw} (lunar date)"
    ins = f"INS {b.ins.value}" if b.ins else "no INS on the card"
    return (
        f"{b.first_name} {b.last_name}{born}, {date}, rank {b.birth_rank}, "
        f"{b.quality.label or 'qualité ' + b.quality.code} — {ins}"
    )


def format_vitale(v: VitaleCard) -> str:
    """The Vitale card as a clinician reads it."""
    insured = v.insured
    rows = [
        ("Vitale card", f"serial {v.card.serial}" + (", TEST CARD" if v.card.test else "")),
        ("Reader", v.reader),
        ("Insured NIR", f"{insured.nir} {insured.nir_key}"),
        (
            "Scheme",
            f"régime {insured.regime} {insured.regime_label or ''}, caisse {insured.caisse}, "
            f"centre {insured.centre}",
        ),
        ("Beneficiaries", str(len(v.beneficiaries))),
    ]
    rows += [(f"  {b.index}.", _person(b)) for b in v.beneficiaries]
    return _lines(rows)
