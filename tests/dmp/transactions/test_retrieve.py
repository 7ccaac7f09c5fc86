"""TD3.2 through the transport against the offline DMP of the default seed: its texts, and
the DMP's refusals (seeded files: test_retrieve_files.py)."""

from __future__ import annotations

import pytest

from cardbridge.dmp.transactions.find import DocumentFilter, find_documents
from cardbridge.dmp.transactions.retrieve import retrieve_document
from cardbridge.errors import DmpRefusedError
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions.documents_support import PIERRE_INS, Connect, seeded_documents, vihf
from tests.support.dmp_fixtures import PIERRE


def _unique_ids(connect: Connect, who: Identity) -> dict[str, str]:
    found = find_documents(connect(who), vihf(who), PIERRE_INS, DocumentFilter())
    return {entry.title or "": entry.unique_id for entry in found}


def test_a_seeded_text_comes_back_as_its_text(
    transport_for: Connect, demo_doctor: Identity
) -> None:
    for document in seeded_documents(PIERRE):
        unique_id = _unique_ids(transport_for, demo_doctor)[document["title"]]
        content = retrieve_document(transport_for(demo_doctor), vihf(demo_doctor), unique_id)
        assert content.media_type == "text/plain"
        assert content.content.decode("utf-8") == document["text"]


def test_an_unknown_unique_id_is_refused_with_the_dmps_code(
    transport_for: Connect, demo_doctor: Identity
) -> None:
    with pytest.raises(DmpRefusedError) as refused:
        retrieve_document(transport_for(demo_doctor), vihf(demo_doctor), "1.2.250.1.999.404")
    assert refused.value.dmp_code == "XDSDocumentUniqueIdError"
    assert "1.2.250.1.999.404" in refused.value.dmp_text
    assert refused.value.transaction == "TD3.2"


def test_an_entry_uuid_given_as_unique_id_is_refused(
    transport_for: Connect, demo_doctor: Identity
) -> None:
    # The confusion peers trip over [DEH]: the DMP answers XDSDocumentUniqueIdError.
    found = find_documents(
        transport_for(demo_doctor), vihf(demo_doctor), PIERRE_INS, DocumentFilter()
    )
    with pytest.raises(DmpRefusedError) as refused:
        retrieve_document(transport_for(demo_doctor), vihf(demo_doctor), found[0].entry_uuid)
    assert refused.value.dmp_code == "XDSDocumentUniqueIdError"


def test_another_repository_is_refused(transport_for: Connect, demo_doctor: Identity) -> None:
    found = find_documents(
        transport_for(demo_doctor), vihf(demo_doctor), PIERRE_INS, DocumentFilter()
    )
    with pytest.raises(DmpRefusedError) as refused:
        retrieve_document(
            transport_for(demo_doctor),
            vihf(demo_doctor),
            found[0].unique_id,
            repository="1.2.250.1.213.4.1.1.1.4",  # the vaccination history's [MSG TD3.1]
        )
    assert refused.value.dmp_code == "XDSRepositoryWrongRepositoryUniqueId"
