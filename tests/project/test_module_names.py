"""A module's name says what it holds: two modules of the same name in different packages
are the same subject seen from two sides, listed here with the reason
(docs/architecture.md, "Names")."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "cardbridge"

# A command (commands/) or a route module (api/routes/) is named after what it serves.
SERVED = {"commands", "api/routes"}
# The DMP client (dmp/, dmp/transactions/) and the offline DMP (sandbox/) name their two
# sides of one transaction or format alike.
DMP_SIDES = {"dmp", "dmp/transactions", "sandbox"}
# A card's data (layouts/), its reading (cards/) and its software stand-in (emulator/).
CARD_SIDES = {"layouts", "cards", "emulator", "emulator/engine"}
SAME_SUBJECT: dict[str, set[str]] = {
    "access.py": DMP_SIDES,
    "cda.py": DMP_SIDES,
    "deposit.py": DMP_SIDES,
    "documents.py": DMP_SIDES,
    "hl7v3.py": DMP_SIDES,
    "mtom.py": DMP_SIDES,
    "retrieve.py": DMP_SIDES,
    "update.py": DMP_SIDES,
    "vihf.py": DMP_SIDES,
    "status.py": SERVED | DMP_SIDES | CARD_SIDES,
    "cps.py": SERVED | CARD_SIDES,
    "vitale.py": SERVED | CARD_SIDES,
    "card.py": CARD_SIDES,
    "files.py": CARD_SIDES,
    "security.py": {"api", *CARD_SIDES},
    "approvals.py": SERVED | {"service"},
    "dmp.py": SERVED | {"service"},
    "events.py": SERVED | {"service"},
    "pairing.py": SERVED | {"service"},
    "readers.py": SERVED,
    "journal.py": SERVED | {"dmp"},
    "token.py": SERVED | {"auth"},
    # The bridge and the offline DMP: each its own application and server.
    "app.py": {"api", "sandbox"},
    "server.py": {"api", "sandbox"},
    # Each layer's own models: the API's, the cards', the running bridge's.
    "models.py": {"api", "cards", "service"},
    # The HTTP connection of the API and the card connection of the transport.
    "connection.py": {"api", "pcsc"},
    # The command line and the doctor's command, and their texts in the catalogue.
    "cli.py": {".", "messages"},
    "doctor.py": {"commands", "messages"},
    # The settings and the command that prints them (`cardbridge config`).
    "config.py": {".", "commands"},
}


def test_same_module_names_are_one_subject_from_two_sides() -> None:
    packages: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        if path.name != "__init__.py":
            packages[path.name].add(path.parent.relative_to(PACKAGE).as_posix())
    for name, found in sorted(packages.items()):
        if len(found) > 1:
            assert name in SAME_SUBJECT, f"{name} in {sorted(found)}: give one a name of its own"
            assert found <= SAME_SUBJECT[name], f"{name} in {sorted(found - SAME_SUBJECT[name])}"
