"""The rights matrix as data, every cell of every column, against PDT-INF-526 v1.8.

The rows below are transcribed from the table of GIE SESAM-Vitale's information sheet
PDT-INF-526 v1.8 (docs/dmp-sandbox.md, "Rights"), one word per cell, in the sheet's column
order: professional not a doctor (N R B), doctor not treating (N R B), occupational doctor
(N), treating physician (N B), CPE (N), structure in indirect mode (N R). A cell is ``y`` or
``n``, then the number of the sheet's note that restricts it. They are written here, not
read from ``cardbridge/sandbox/rights.py``: a cell mistyped there fails this test.
(test_rights_matrix.py tries the same cells over mutual TLS, for the columns a test card
can play.)
"""

from __future__ import annotations

import pytest

from cardbridge.sandbox import rights
from cardbridge.sandbox.rights import Actor, Cell, Condition, cell
from cardbridge.sandbox.vihf import Purpose

N, R, B = Purpose.NORMAL, Purpose.CENTRE_15, Purpose.EMERGENCY
COLUMNS = [
    (Actor.PROFESSIONAL, N),
    (Actor.PROFESSIONAL, R),
    (Actor.PROFESSIONAL, B),
    (Actor.DOCTOR, N),
    (Actor.DOCTOR, R),
    (Actor.DOCTOR, B),
    (Actor.OCCUPATIONAL_DOCTOR, N),
    (Actor.TREATING_PHYSICIAN, N),
    (Actor.TREATING_PHYSICIAN, B),
    (Actor.CPE, N),
    (Actor.STRUCTURE, N),
    (Actor.STRUCTURE, R),
]
# The sheet's notes: 1 (its text is missing from the sheet) restricts nothing here; 6 and 8
# both say "own documents only".
NOTES = {
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
SHEET = {
    "TD0.2": "y y y  y y y  y  y y  y   y  y",
    "TD0.3.add": "y n n  y n n  n  y n  y1  n  n",
    "TD0.3.remove": "y n n  y n n  n  y n  n   n  n",
    "TD0.3.stop_treating": "n n n  n n n  n  y n  n   n  n",
    "TD0.4": "y y y  y y y  y  y y  y2  y3 n",
    "TD0.5": "n y n  n y n  n  n n  n   n  y",
    "TD1.6": "y n n  y n n  y  y n  n   n  n",
    "TD2.1": "y y y  y y y  y  y y  n   y4 y4",
    "TD3.1.metadata": "y y y  y y y  y  y y  n   n  n",
    "TD3.1.reference": "y y y  y y y  y  y y  y5  y5 y5",
    "TD3.2.visible": "y y y  y y y  n  y y  n   n  n",
    "TD3.2.masked": "y6 y7 y7  y6 y7 y7  n  y y7  n  n  n",
    "TD3.2.hidden": "y y y  y y y  n  y y  n   n  n",
    "TD3.3a.mask": "y n n  y n n  y  y n  n   n  n",
    "TD3.3a.unmask": "y8 n n  y8 n n  y8  y n  n  n  n",
    "TD3.3b.show_patient": "y n n  y n n  y  y n  n   n  n",
    "TD3.3d.archive": "y8 n n  y8 y y  y8  y y  n  n  n",
    "TD3.3c.delete": "y8 y8 y8  y8 y8 y8  y8  y8 y8  y9  y9 y9",
}


def _expected(row: str) -> list[Cell]:
    return [Cell(word[0] == "y", NOTES[word[1:]]) for word in row.split()]


def test_every_right_of_the_sheet_and_no_other() -> None:
    assert set(rights.RIGHTS) == set(SHEET)


@pytest.mark.parametrize("right", SHEET)
def test_each_cell_follows_the_sheet(right: str) -> None:
    expected = _expected(SHEET[right])
    assert len(expected) == len(COLUMNS)
    assert [cell(right, actor, purpose) for actor, purpose in COLUMNS] == expected


@pytest.mark.parametrize("right", SHEET)
def test_a_row_read_from_the_sheets_notation(right: str) -> None:
    """The row parser itself (it runs when the module is imported, before any test)."""
    text = " | ".join(
        " ".join(SHEET[right].split()[start:end])
        for start, end in ((0, 3), (3, 6), (6, 7), (7, 9), (9, 10), (10, 12))
    )
    parsed = rights._parse(text)
    assert list(parsed) == COLUMNS
    assert list(parsed.values()) == _expected(SHEET[right])


def test_a_row_with_a_missing_cell_is_refused() -> None:
    with pytest.raises(ValueError, match="zip"):
        rights._parse("y y | y y y | y | y y | y | y y")
    with pytest.raises(ValueError, match="zip"):
        rights._parse("y y y | y y y | y | y y | y")


@pytest.mark.parametrize("right", SHEET)
def test_the_treating_physician_in_centre_15_mode_is_a_doctor(right: str) -> None:
    """The sheet has no centre 15 column for him: there he counts as a doctor (ours)."""
    assert cell(right, Actor.TREATING_PHYSICIAN, R) == cell(right, Actor.DOCTOR, R)


@pytest.mark.parametrize(
    ("actor", "purpose"),
    [
        (Actor.OCCUPATIONAL_DOCTOR, R),
        (Actor.OCCUPATIONAL_DOCTOR, B),
        (Actor.CPE, R),
        (Actor.CPE, B),
        (Actor.STRUCTURE, B),
    ],
)
def test_a_mode_without_a_column_is_refused(actor: Actor, purpose: Purpose) -> None:
    # TD0.2 and TD3.3c are open to every column of the sheet.
    for right in ("TD0.2", "TD3.3c.delete"):
        assert cell(right, actor, purpose) == Cell(allowed=False, condition=Condition.NONE)
