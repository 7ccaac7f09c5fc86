"""TD3.2 of seeded files (PDF, JPEG, TIFF): each comes back byte-identical to the seed's own
file (tests/dmp/transactions/seeds/), unwrapped from its CDA, with its media type."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cardbridge.dmp.transactions.find import DocumentFilter, find_documents
from cardbridge.dmp.transactions.retrieve import retrieve_document
from cardbridge.emulator.pki_organisations import OrganisationPki
from testkit.dmp_sandbox import Identity, RunningSandbox, running_sandbox
from tests.dmp.transactions.documents_support import (
    FILES_SEED,
    PIERRE_INS,
    Connect,
    seeded_documents,
    vihf,
)
from tests.support.dmp_fixtures import PIERRE


@pytest.fixture
def dmp(tmp_path: Path, data_dir: Path, organisations: OrganisationPki) -> Iterator[RunningSandbox]:
    """Here, the offline DMP seeded with tests/dmp/transactions/seeds/files.yaml."""
    with running_sandbox(tmp_path / "sandbox", data_dir, FILES_SEED) as running:
        yield running


@pytest.mark.parametrize(
    ("extension", "media_type"),
    [("pdf", "application/pdf"), ("jpg", "image/jpeg"), ("tiff", "image/tiff")],
)
def test_a_seeded_file_comes_back_byte_identical(
    transport_for: Connect, demo_doctor: Identity, extension: str, media_type: str
) -> None:
    (document,) = [
        d for d in seeded_documents(PIERRE, FILES_SEED) if d["file"].endswith(f".{extension}")
    ]
    found = find_documents(
        transport_for(demo_doctor), vihf(demo_doctor), PIERRE_INS, DocumentFilter()
    )
    (entry,) = [e for e in found if e.title == document["title"]]
    content = retrieve_document(transport_for(demo_doctor), vihf(demo_doctor), entry.unique_id)
    assert content.content == (FILES_SEED.parent / document["file"]).read_bytes()
    assert content.media_type == media_type
    assert content.wrapped_in_cda is True
    assert content.unique_id == entry.unique_id
