"""The seed: the packaged default (documents of several types and visibilities, a minor, a
closed DMP, a patient without one), idempotent re-seeding, and a wrong seed named by field."""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path

import pytest
from lxml import etree

from cardbridge.errors import InvalidInputError
from cardbridge.sandbox.seed import load_seed
from testkit.dmp_messages import set_authorization
from testkit.dmp_queries import find_documents, read_mtom, retrieve
from testkit.dmp_sandbox import Identity, RunningSandbox, running_sandbox
from tests.sandbox.conftest import PIERRE

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
HL7 = "urn:hl7-org:v3"
UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
AUTHOR = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"


def _titles(dmp: RunningSandbox, who: Identity) -> dict[str, str]:
    root = dmp.call("TD3.1", find_documents(PIERRE), who).xml()
    return {
        entry.find(f"{{{RIM}}}Name/{{{RIM}}}LocalizedString").get("value"): entry.find(  # type: ignore[union-attr]
            f"{{{RIM}}}ExternalIdentifier[@identificationScheme='{UNIQUE_ID}']"
        ).get("value")  # type: ignore[union-attr]
        for entry in root.iter(f"{{{RIM}}}ExtrinsicObject")
    }


def test_default_seed_documents_by_visibility(
    dmp: RunningSandbox, demo_doctor: Identity, nurse: Identity
) -> None:
    assert set(_titles(dmp, demo_doctor)) == {
        "Compte rendu de consultation",
        "Synthèse d'hospitalisation",
        "Compte rendu de biologie",
        "Plan de soins infirmiers",
    }
    assert dmp.call("TD0.3", set_authorization("AJOUT"), nurse).status == 200
    # The masked synthesis is neither the nurse's nor visible to her.
    assert "Synthèse d'hospitalisation" not in _titles(dmp, nurse)


def test_a_seeded_document_is_retrieved_with_its_text(
    dmp: RunningSandbox, demo_doctor: Identity
) -> None:
    unique_id = _titles(dmp, demo_doctor)["Plan de soins infirmiers"]
    answer = dmp.call("TD3.2", retrieve(unique_id), demo_doctor)
    _, attachments = read_mtom(answer.content_type, answer.body)
    (cda,) = attachments.values()
    text = etree.fromstring(cda).findtext(f".//{{{HL7}}}nonXMLBody/{{{HL7}}}text")
    assert base64.b64decode(text or "").decode() == "Pansement tous les deux jours."


def test_seeding_again_adds_nothing(tmp_path: Path, data_dir: Path, organisations) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        with running_sandbox(tmp_path / "dmp", data_dir):
            pass
    with sqlite3.connect(tmp_path / "dmp" / "dmp-sandbox.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM document").fetchone() == (5,)
        assert db.execute("SELECT count(*) FROM dmp").fetchone() == (3,)
        assert db.execute("SELECT count(*) FROM dmp WHERE ins = '185057512345673'").fetchone() == (
            0,
        )


_PATIENT = "patients: [{ins: '%s', family: A, given: B, birth_date: 2000-01-01, sex: %s%s}]"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (
            _PATIENT % ("155067200010158", "M", ""),
            "patients.0.ins",
        ),
        (
            _PATIENT % ("155067200010159", "X", ""),
            "patients.0.sex",
        ),
        (
            "directory: {structures: [{structure_id: '1', name: A, sector: SA99}]}",
            "directory.structures.0.sector",
        ),
        (
            _PATIENT % ("155067200010159", "M", ", colour: blue"),
            "patients.0.colour",
        ),
    ],
)
def test_a_wrong_seed_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(text)
    with pytest.raises(InvalidInputError) as raised:
        load_seed(seed)
    assert raised.value.field == field


_DOCUMENT = (
    "patients: [{ins: '155067200010159', family: A, given: B, birth_date: 2000-01-01, sex: M,"
    " documents: [{title: T, created: '2026-01-02T03:04:05Z', author: '899700735741',"
    " structure: '499700735741008', %s}]}]"
)


@pytest.mark.parametrize(
    "body",
    ["text: a, file: a.pdf", "practice: HAD", "file: notes.doc"],
    ids=["both", "none", "doc"],
)
def test_a_seeded_document_has_a_text_or_a_known_file(tmp_path: Path, body: str) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(_DOCUMENT % body)
    with pytest.raises(InvalidInputError) as raised:
        load_seed(seed)
    assert raised.value.field == "patients.0.documents.0"


def test_a_seeded_file_is_wrapped_with_its_media_type(
    tmp_path: Path, data_dir: Path, demo_doctor: Identity, organisations: object
) -> None:
    # Bytes that are not a valid JPEG: the seed is trusted demo data, stored as given.
    picture = b"\xff\xd8\xff\xe0 a picture \xff\xd9"
    (tmp_path / "pictures").mkdir()
    (tmp_path / "pictures" / "x.jpg").write_bytes(picture)
    seed = tmp_path / "pictures" / "seed.yaml"
    seed.write_text(
        "directory: {profiles: [demo-cps]}\n"
        + (_DOCUMENT % "file: x.jpg").replace(
            "sex: M,", "sex: M, authorizations: [{actor: '899700735741'}],"
        )
    )
    with running_sandbox(tmp_path / "dmp", data_dir, seed) as dmp:
        root = dmp.call("TD3.1", find_documents(PIERRE), demo_doctor).xml()
        (entry,) = root.iter(f"{{{RIM}}}ExtrinsicObject")
        author = entry.find(f"{{{RIM}}}Classification[@classificationScheme='{AUTHOR}']")
        assert author is not None
        persons = author.findall(f"{{{RIM}}}Slot[@name='authorPerson']//{{{RIM}}}Value")
        # The directory's name for the demo CPS, in the XCN form of the ANS sample.
        assert [p.text for p in persons] == [
            "899700735741^LE QUINIO^PIERRE^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"
        ]
        unique_id = entry.find(
            f"{{{RIM}}}ExternalIdentifier[@identificationScheme='{UNIQUE_ID}']"
        ).get("value")  # type: ignore[union-attr]
        answer = dmp.call("TD3.2", retrieve(unique_id or ""), demo_doctor)
    _, attachments = read_mtom(answer.content_type, answer.body)
    (cda,) = attachments.values()
    text = etree.fromstring(cda).find(f".//{{{HL7}}}nonXMLBody/{{{HL7}}}text")
    assert text is not None
    assert text.get("mediaType") == "image/jpeg"
    assert base64.b64decode(text.text or "") == picture


def test_service_start_bounds_filter_the_seeded_documents(
    dmp: RunningSandbox, demo_doctor: Identity
) -> None:
    # The seed's documents start on their date (2026-09-15 … 2026-11-28).
    late = dmp.call(
        "TD3.1", find_documents(PIERRE, ServiceStartTimeFrom="20261121000000"), demo_doctor
    ).xml()
    titles = [
        e.find(f"{{{RIM}}}Name/{{{RIM}}}LocalizedString").get("value")  # type: ignore[union-attr]
        for e in late.iter(f"{{{RIM}}}ExtrinsicObject")
    ]
    assert titles == ["Plan de soins infirmiers"]
    none = dmp.call(
        "TD3.1", find_documents(PIERRE, ServiceStopTimeFrom="20000101000000"), demo_doctor
    ).xml()
    # No seeded document states a stop time: a stop bound leaves them all out.
    assert list(none.iter(f"{{{RIM}}}ExtrinsicObject")) == []
