"""The rights matrix, row by row, over mutual TLS: each transaction tried by a non-doctor
(the nurse), a doctor who is not the treating physician, and the treating physician, in
normal, centre 15 and emergency (bris de glace) modes, and by an occupational doctor (a
test profile of the emulator, put in the sandbox's directory by a test seed, authorized
by it: the matrix does not let him declare himself).

The expected cells are transcribed here from GIE SESAM-Vitale PDT-INF-526 v1.8 (the table
in docs/dmp-sandbox.md, "Rights"), independently of ``cardbridge/sandbox/rights.py``.
Where a cell carries note 8 (own documents only) the caller acts on a document it has just
deposited itself. Each cell is either answered (a success) or refused by the rights
service (``DMPAccessDeniedByRightsService``); anything else fails the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from cardbridge.emulator.pki import TestPki
from testkit.dmp_documents import Doc
from testkit.dmp_messages import (
    Vihf,
    existence_test,
    list_authorizations,
    patient_list,
    patient_search,
    set_authorization,
)
from testkit.dmp_queries import (
    APPROVED,
    ARCHIVED,
    DELETED,
    find_documents,
    read_mtom,
    retrieve,
    status_change,
    visibility_change,
)
from testkit.dmp_sandbox import (
    Answer,
    Identity,
    RunningSandbox,
    practitioner,
    running_sandbox,
)
from tests.sandbox.conftest import PIERRE

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
HL7 = "urn:hl7-org:v3"
SOAP = "http://www.w3.org/2003/05/soap-envelope"
SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
MODES = {
    "N": {},
    "R": {"purpose": "centre_15", "reason": "Appel au centre 15"},
    "B": {"purpose": "bris_de_glace", "reason": "Patient inconscient aux urgences"},
}
# The authors of each caller's own documents (their card's identity and structure).
AUTHORS = {
    "nurse": {
        "author_id": "0751234567",
        "author_family": "BERANGER",
        "author_given": "HELENE",
        "structure_id": "0751234567",
    },
    "doctor": {
        "author_id": "810002813839",
        "author_family": "D'ARTAGNAN-CASTELMORE",
        "author_given": "JEAN-BAPTISTE",
        "structure_id": "410002813839001",
    },
    "treating": {},
    "occupational": {
        "author_id": "810000250000",
        "author_family": "PASTEUR",
        "author_given": "LOUIS",
        "structure_id": "410000250000001",
    },
}
OCCUPATIONAL_PROFILE = """\
kind: cps
generation: cps3
test: true
serial: "0300000025"
card_type: 0
pin: "1234"
puk: "12345678"
expires: "2030-03-31"
holder:
  national_id: "810000250000"
  civility: "M"
  last_name: "PASTEUR"
  first_name: "LOUIS"
  profession: "10"
  specialty: "SM25"
situations:
  - {structure_id: "410000250000001", name: "SERVICE DE SANTE AU TRAVAIL", sector: "SA07"}
"""
SEED = """\
directory:
  profiles: [demo-cps, cps4-doctor, cps-adeli-nurse, {profile}]
patients:
  - ins: "155067200010159"
    family: "LE QUINIO"
    given: "PIERRE"
    birth_date: "1955-06-15"
    sex: "M"
    authorizations:
      - {{actor: "899700735741", treating: true}}
      - {{actor: "810000250000"}}
"""
# Columns in the order they are tried: the modes without authorization first, so that a
# normal-mode SUPPRESSION (or the end of the treating status) comes last for each caller.
COLUMNS = ("nurse R", "nurse B", "doctor R", "doctor B", "treating B")
COLUMNS += ("nurse N", "doctor N", "occupational N", "treating N")

# PDT-INF-526 v1.8: PS non-doctor (N R B) | doctor, not treating (N R B) | occupational
# doctor (N) | treating (N B). "-": the action has no meaning for that column.
MATRIX = {
    "TD0.2": "y y y | y y y | y | y y",
    "TD0.3.add": "y n n | y n n | n | y n",
    "TD0.3.remove": "y n n | y n n | n | y n",
    "TD0.3.stop_treating": "- - - | - - - | - | y n",
    "TD0.4": "y y y | y y y | y | y y",
    "TD0.5": "n y n | n y n | n | n n",
    "TD1.6": "y n n | y n n | y | y n",
    "TD2.1": "y y y | y y y | y | y y",
    "TD3.1.metadata": "y y y | y y y | y | y y",
    "TD3.2.visible": "y y y | y y y | n | y y",
    "TD3.2.hidden": "y y y | y y y | n | y y",
    "TD3.3a.mask": "y n n | y n n | y | y n",
    "TD3.3a.unmask": "y8 n n | y8 n n | y8 | y n",
    "TD3.3b.show_patient": "y n n | y n n | y | y n",
    "TD3.3d.archive": "y8 n n | y8 y y | y8 | y y",
    "TD3.3c.delete": "y8 y8 y8 | y8 y8 y8 | y8 | y8 y8",
}
_SOURCE_COLUMNS = ("nurse N", "nurse R", "nurse B", "doctor N", "doctor R", "doctor B")
_SOURCE_COLUMNS += ("occupational N", "treating N", "treating B")


def expected(row: str) -> dict[str, str]:
    """The row's cells, ``answered`` or ``refused``, for the columns it has."""
    cells = dict(zip(_SOURCE_COLUMNS, MATRIX[row].replace("|", " ").split(), strict=True))
    return {
        column: "answered" if cells[column].startswith("y") else "refused"
        for column in COLUMNS
        if cells[column] != "-"
    }


@dataclass(frozen=True)
class Caller:
    """One column: who, in which mode."""

    name: str
    who: Identity
    mode: str

    def vihf(self, **changes: object) -> etree._Element:
        return self.who.signed(self.who.vihf.but(**MODES[self.mode], **changes))  # type: ignore[arg-type]

    def call(self, dmp: RunningSandbox, transaction: str, body: etree._Element, **vihf: object):  # type: ignore[no-untyped-def]
        return dmp.call(transaction, body, self.who, vihf=self.vihf(**vihf))

    def own(self, **changes: object) -> Doc:
        return Doc(PIERRE, **AUTHORS[self.name], **changes)  # type: ignore[arg-type]


def outcome(answer: Answer) -> str:
    """``answered``, ``refused`` (by the rights service), or what else came back."""
    if answer.content_type.startswith("multipart/related"):
        root, _ = read_mtom(answer.content_type, answer.body)
    else:
        root = answer.xml()
    if answer.status == 500:
        subcode = root.findtext(f".//{{{SOAP}}}Subcode/{{{SOAP}}}Value") or ""
        if subcode.endswith(":DMPAccessDeniedByRightsService"):
            return "refused"
        return f"fault {subcode}: {root.findtext(f'.//{{{SOAP}}}Text')}"
    response = root.find(f".//{{{RS}}}RegistryResponse")
    if response is not None and response.get("status") != SUCCESS:
        error = response.find(f".//{{{RS}}}RegistryError")
        return f"error {error.get('errorCode') if error is not None else response.get('status')}"
    acknowledgement = root.find(f".//{{{HL7}}}acknowledgement")
    if acknowledgement is not None:
        # An attribute in TD0.2's answers, a child element in TD0.5's (the ANS samples).
        child = acknowledgement.find(f"{{{HL7}}}typeCode")
        type_code = acknowledgement.get("typeCode") or (
            child.get("code") if child is not None else None
        )
        if type_code != "AA":
            return f"acknowledgement {type_code}"
    status = root.findtext(".//{*}output/{*}status")
    if status is not None and status != "DMPOk":
        return f"status {status}"
    return "answered" if answer.status == 200 else f"HTTP {answer.status}"


def _deposit(dmp: RunningSandbox, caller: Caller, doc: Doc) -> str:
    """``doc`` deposited by ``caller`` (in its mode); its entryUUID, found by the treating
    physician in normal mode."""
    assert outcome(dmp.deposit([doc], caller.who, vihf=caller.vihf())) == "answered"
    return doc.unique_id


def _entry_uuid(dmp: RunningSandbox, treating: Identity, unique_id: str) -> str:
    root = dmp.call("TD3.1", find_documents(PIERRE), treating).xml()
    for entry in root.iter(f"{{{RIM}}}ExtrinsicObject"):
        for identifier in entry.iterfind(f"{{{RIM}}}ExternalIdentifier"):
            scheme, value = identifier.get("identificationScheme"), identifier.get("value")
            if scheme == UNIQUE_ID and value == unique_id:
                return entry.get("id", "")
    raise AssertionError(f"{unique_id} not found")


Action = Callable[[RunningSandbox, Caller, Identity], Answer]


def _on_own(changes: dict[str, object], make: Callable[[str], etree._Element]) -> Action:
    """An ITI-57 update of a document the caller has just deposited."""

    def act(dmp: RunningSandbox, caller: Caller, treating: Identity) -> Answer:
        unique_id = _deposit(dmp, caller, caller.own(**changes))
        return caller.call(dmp, "TD3.3", make(_entry_uuid(dmp, treating, unique_id)))

    return act


def _retrieve_own(changes: dict[str, object]) -> Action:
    def act(dmp: RunningSandbox, caller: Caller, treating: Identity) -> Answer:
        unique_id = _deposit(dmp, caller, caller.own(**changes))
        return caller.call(dmp, "TD3.2", retrieve(unique_id))

    return act


ACTIONS: dict[str, Action] = {
    "TD0.2": lambda dmp, c, _: c.call(dmp, "TD0.2", existence_test(PIERRE)),
    "TD0.3.add": lambda dmp, c, _: c.call(
        dmp,
        "TD0.3",
        set_authorization("AJOUT", "MEDECIN_TRAITANT" if c.name == "treating" else None),
    ),
    "TD0.3.remove": lambda dmp, c, _: c.call(dmp, "TD0.3", set_authorization("SUPPRESSION")),
    "TD0.3.stop_treating": lambda dmp, c, _: c.call(dmp, "TD0.3", set_authorization("AJOUT")),
    "TD0.4": lambda dmp, c, _: c.call(dmp, "TD0.4", patient_list("20200101000000"), patient=None),
    "TD0.5": lambda dmp, c, _: c.call(dmp, "TD0.5", patient_search("LE QUINIO"), patient=None),
    "TD1.6": lambda dmp, c, _: c.call(dmp, "TD1.6", list_authorizations("TOUTE")),
    "TD2.1": lambda dmp, c, _: dmp.deposit([c.own()], c.who, vihf=c.vihf()),
    "TD3.1.metadata": lambda dmp, c, _: c.call(dmp, "TD3.1", find_documents(PIERRE)),
    "TD3.2.visible": _retrieve_own({}),
    "TD3.2.hidden": _retrieve_own({"confidentiality": ("INVISIBLE_PATIENT",)}),
    "TD3.3a.mask": _on_own({}, lambda u: visibility_change(PIERRE, u, 1, ("MASQUE_PS",))),
    "TD3.3a.unmask": _on_own(
        {"confidentiality": ("MASQUE_PS",)}, lambda u: visibility_change(PIERRE, u, 1, ())
    ),
    "TD3.3b.show_patient": _on_own(
        {"confidentiality": ("INVISIBLE_PATIENT",)}, lambda u: visibility_change(PIERRE, u, 1, ())
    ),
    "TD3.3d.archive": _on_own({}, lambda u: status_change(PIERRE, u, APPROVED, ARCHIVED)),
    "TD3.3c.delete": _on_own({}, lambda u: status_change(PIERRE, u, APPROVED, DELETED)),
}


def test_every_row_has_an_action() -> None:
    assert set(ACTIONS) == set(MATRIX)


@pytest.fixture(scope="module")
def occupational_doctor(test_pki: TestPki) -> Identity:
    """The test profile's occupational doctor (R01 speciality SM25)."""
    return practitioner(
        test_pki,
        "810000250000",
        "PASTEUR",
        "LOUIS",
        "Médecin",
        Vihf("810000250000", "410000250000001", specialty="SM25", patient=PIERRE),
    )


@pytest.fixture
def matrix_dmp(tmp_path: Path, data_dir: Path) -> Iterator[RunningSandbox]:
    """A sandbox seeded with Pierre's DMP and the occupational doctor's test profile."""
    profile = tmp_path / "occupational-doctor.yaml"
    profile.write_text(OCCUPATIONAL_PROFILE, encoding="utf-8")
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED.format(profile=profile), encoding="utf-8")
    with running_sandbox(tmp_path / "sandbox", data_dir, seed) as running:
        yield running


@pytest.mark.parametrize("row", list(MATRIX))
def test_rights_matrix_row(
    row: str,
    matrix_dmp: RunningSandbox,
    demo_doctor: Identity,
    other_doctor: Identity,
    nurse: Identity,
    occupational_doctor: Identity,
) -> None:
    dmp = matrix_dmp
    people = {
        "nurse": nurse,
        "doctor": other_doctor,
        "treating": demo_doctor,
        "occupational": occupational_doctor,
    }
    # Normal mode needs an authorization: the nurse and the doctor declare theirs.
    for who in (nurse, other_doctor):
        assert outcome(dmp.call("TD0.3", set_authorization("AJOUT"), who)) == "answered"
    found = {}
    for column in expected(row):
        name, mode = column.split()
        caller = Caller(name, people[name], mode)
        found[column] = outcome(ACTIONS[row](dmp, caller, demo_doctor))
    assert found == expected(row)
