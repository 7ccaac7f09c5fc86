"""The rights matrix (GIE SESAM-Vitale PDT-INF-526 v1.8), as data.

Each row is written as in the source's table, one cell per column, columns grouped as
``PS non-doctor (N R B) | doctor, not treating (N R B) | occupational doctor | treating
physician (N B) | CPE (N) | structure, indirect (N R)`` where N is the normal mode, R the
regulation (centre 15) and B emergency access (bris de glace). A cell is ``y`` or ``n``,
optionally followed by the number of the source's note that restricts it
(docs/dmp-sandbox.md, "Rights"):

1. (note text not in the source's extract: treated as no restriction, ours)
2. same-structure professionals only; 3. only authorizations new since a date;
4. the document is imputed to the structure; 5. reference search only;
6. own documents only; 7. only if the patient allowed it; 8. own documents only;
9. documents of the structure only.

The treating physician has no R column: in centre 15 mode he is a doctor (ours).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from cardbridge.sandbox.vihf import Purpose


class Actor(StrEnum):
    """The matrix's columns."""

    PROFESSIONAL = "professional"
    DOCTOR = "doctor"
    OCCUPATIONAL_DOCTOR = "occupational_doctor"
    TREATING_PHYSICIAN = "treating_physician"
    CPE = "cpe"
    STRUCTURE = "structure"


class Condition(StrEnum):
    """The notes that restrict a ``y`` cell; checked by the transactions that apply them."""

    NONE = ""
    SAME_STRUCTURE = "same_structure"
    SINCE_DATE = "since_date"
    IMPUTED_TO_STRUCTURE = "imputed_to_structure"
    REFERENCE_ONLY = "reference_only"
    OWN_DOCUMENTS = "own_documents"
    PATIENT_ALLOWED = "patient_allowed"
    STRUCTURE_DOCUMENTS = "structure_documents"


_NOTES = {
    "": Condition.NONE,
    "1": Condition.NONE,
    "2": Condition.SAME_STRUCTURE,
    "3": Condition.SINCE_DATE,
    "4": Condition.IMPUTED_TO_STRUCTURE,
    "5": Condition.REFERENCE_ONLY,
    "6": Condition.OWN_DOCUMENTS,
    "7": Condition.PATIENT_ALLOWED,
    "8": Condition.OWN_DOCUMENTS,
    "9": Condition.STRUCTURE_DOCUMENTS,
}

_COLUMNS: tuple[tuple[Actor, tuple[Purpose, ...]], ...] = (
    (Actor.PROFESSIONAL, (Purpose.NORMAL, Purpose.CENTRE_15, Purpose.EMERGENCY)),
    (Actor.DOCTOR, (Purpose.NORMAL, Purpose.CENTRE_15, Purpose.EMERGENCY)),
    (Actor.OCCUPATIONAL_DOCTOR, (Purpose.NORMAL,)),
    (Actor.TREATING_PHYSICIAN, (Purpose.NORMAL, Purpose.EMERGENCY)),
    (Actor.CPE, (Purpose.NORMAL,)),
    (Actor.STRUCTURE, (Purpose.NORMAL, Purpose.CENTRE_15)),
)

# Right → cells, as in PDT-INF-526 v1.8.
_TABLE = {
    "TD0.2": "y y y | y y y | y | y y | y | y y",
    "TD0.3.add": "y n n | y n n | n | y n | y1 | n n",
    "TD0.3.remove": "y n n | y n n | n | y n | n | n n",
    "TD0.3.stop_treating": "n n n | n n n | n | y n | n | n n",
    "TD0.4": "y y y | y y y | y | y y | y2 | y3 n",
    "TD0.5": "n y n | n y n | n | n n | n | n y",
    "TD1.6": "y n n | y n n | y | y n | n | n n",
    "TD2.1": "y y y | y y y | y | y y | n | y4 y4",
    "TD3.1.metadata": "y y y | y y y | y | y y | n | n n",
    "TD3.1.reference": "y y y | y y y | y | y y | y5 | y5 y5",
    "TD3.2.visible": "y y y | y y y | n | y y | n | n n",
    "TD3.2.masked": "y6 y7 y7 | y6 y7 y7 | n | y y7 | n | n n",
    "TD3.2.hidden": "y y y | y y y | n | y y | n | n n",
    "TD3.3a.mask": "y n n | y n n | y | y n | n | n n",
    "TD3.3a.unmask": "y8 n n | y8 n n | y8 | y n | n | n n",
    "TD3.3b.show_patient": "y n n | y n n | y | y n | n | n n",
    "TD3.3d.archive": "y8 n n | y8 y y | y8 | y y | n | n n",
    "TD3.3c.delete": "y8 y8 y8 | y8 y8 y8 | y8 | y8 y8 | y9 | y9 y9",
}


@dataclass(frozen=True, slots=True)
class Cell:
    allowed: bool
    condition: Condition


def _parse(row: str) -> dict[tuple[Actor, Purpose], Cell]:
    groups = [group.split() for group in row.split("|")]
    cells: dict[tuple[Actor, Purpose], Cell] = {}
    for (actor, purposes), group in zip(_COLUMNS, groups, strict=True):
        for purpose, text in zip(purposes, group, strict=True):
            cells[actor, purpose] = Cell(text[0] == "y", _NOTES[text[1:]])
    return cells


RIGHTS = MappingProxyType({right: _parse(row) for right, row in _TABLE.items()})


def cell(right: str, actor: Actor, purpose: Purpose) -> Cell:
    """The matrix's answer; a column without that mode refuses, except the treating
    physician in centre 15 mode, who is a doctor there (ours)."""
    cells = RIGHTS[right]
    if (actor, purpose) in cells:
        return cells[actor, purpose]
    if actor is Actor.TREATING_PHYSICIAN and purpose is Purpose.CENTRE_15:
        return cells[Actor.DOCTOR, purpose]
    return Cell(allowed=False, condition=Condition.NONE)
