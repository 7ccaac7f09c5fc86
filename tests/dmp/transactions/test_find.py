"""TD3.1 through the transport against the offline DMP: Pierre's documents as the seed holds
them, the filters that narrow the list, GetDocuments by uniqueId, and the refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from cardbridge.dmp.results import DocumentStatus
from cardbridge.dmp.transactions.find import DocumentFilter, document_by_unique_id, find_documents
from cardbridge.emulator.profiles import CpsProfile, load_profile
from cardbridge.errors import DmpAnswerError, DmpRefusedError, NotFoundError
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions.documents_support import (
    PIERRE_INS,
    Connect,
    authorize,
    seeded_documents,
    seeded_time,
    vihf,
)
from tests.support.dmp_fixtures import PIERRE

SEEDED = seeded_documents(PIERRE)
UTC = dt.UTC


def _find(connect: Connect, who: Identity, **filters: object) -> dict[str, object]:
    found = find_documents(connect(who), vihf(who), PIERRE_INS, DocumentFilter(**filters))  # type: ignore[arg-type]
    return {entry.title or "": entry for entry in found}


def test_the_treating_physician_sees_pierres_documents_as_seeded(
    transport_for: Connect, demo_doctor: Identity
) -> None:
    found = find_documents(
        transport_for(demo_doctor), vihf(demo_doctor), PIERRE_INS, DocumentFilter()
    )
    assert len(found) == len(SEEDED)
    by_title = {entry.title: entry for entry in found}
    assert set(by_title) == {document["title"] for document in SEEDED}
    demo = load_profile("demo-cps")
    assert isinstance(demo, CpsProfile)
    for document in SEEDED:
        entry = by_title[document["title"]]
        assert entry.type is not None
        assert (entry.type.code, entry.type.system) == (
            document["type_code"],
            "2.16.840.1.113883.6.1",  # LOINC [MSG TD3.1]
        )
        assert entry.created == seeded_time(document["created"])
        assert entry.service_start == seeded_time(document["created"])
        assert entry.status is DocumentStatus.APPROVED
        codes = set(document.get("confidentiality", []))
        assert entry.visibility.masked_from_professionals == ("MASQUE_PS" in codes)
        assert entry.visibility.invisible_to_patient == ("INVISIBLE_PATIENT" in codes)
        assert entry.visibility.invisible_to_guardians is False
        assert entry.practice_setting is not None
        assert entry.practice_setting.code == document.get("practice", "AMBULATOIRE")
        assert entry.healthcare_facility is not None
        assert entry.healthcare_facility.code == document.get("facility", "SA07")
        # The uniqueId is an OID, the entryUUID a urn:uuid: never one for the other.
        assert entry.entry_uuid.startswith("urn:uuid:")
        assert not entry.unique_id.startswith("urn:")
        assert entry.format is not None
        assert entry.format.code == "urn:ihe:iti:xds-sd:text:2008"
        assert entry.media_type == "text/xml"
        assert entry.patient_document is False
        assert entry.sha1 is not None
        assert len(entry.sha1) == 40
        if document["author"] == demo.holder.national_id:
            assert entry.author_names == [f"{demo.holder.first_name} {demo.holder.last_name}"]
    assert by_title["Plan de soins infirmiers"].class_code is not None
    # TRE_A03 class of a care plan (44) [TERMINO ASS-X16].
    assert by_title["Plan de soins infirmiers"].class_code.code == "44"


def test_a_type_filter_narrows_the_list(transport_for: Connect, demo_doctor: Identity) -> None:
    biology = [d["title"] for d in SEEDED if d["type_code"] == "11502-2"]
    assert list(_find(transport_for, demo_doctor, type_codes=("11502-2",))) == biology
    two = {d["title"] for d in SEEDED if d["type_code"] in ("11502-2", "18776-5")}
    assert set(_find(transport_for, demo_doctor, type_codes=("11502-2", "18776-5"))) == two


def test_date_filters_narrow_the_list(transport_for: Connect, demo_doctor: Identity) -> None:
    november = dt.datetime(2026, 11, 1, tzinfo=UTC)
    later = {d["title"] for d in SEEDED if seeded_time(d["created"]) >= november}
    earlier = {d["title"] for d in SEEDED if seeded_time(d["created"]) < november}
    assert later
    assert earlier
    assert set(_find(transport_for, demo_doctor, created_from=november)) == later
    assert set(_find(transport_for, demo_doctor, created_to=november)) == earlier
    # Service start: the seed's documents start on their date.
    assert set(_find(transport_for, demo_doctor, service_start_from=november)) == later
    assert set(_find(transport_for, demo_doctor, service_start_to=november)) == earlier


def test_class_practice_and_confidentiality_filters(
    transport_for: Connect, demo_doctor: Identity
) -> None:
    masked = {d["title"] for d in SEEDED if "MASQUE_PS" in d.get("confidentiality", [])}
    assert set(_find(transport_for, demo_doctor, confidentiality=("MASQUE_PS",))) == masked
    hospital = {d["title"] for d in SEEDED if d.get("practice") == "ETABLISSEMENT"}
    found = _find(transport_for, demo_doctor, practice_settings=("ETABLISSEMENT",))
    assert set(found) == hospital
    # Class 44 (care plans) holds the nurse's plan only [TERMINO ASS-X16: 18776-5 → 44].
    plans = {d["title"] for d in SEEDED if d["type_code"] == "18776-5"}
    assert set(_find(transport_for, demo_doctor, class_codes=("44",))) == plans


def test_get_documents_gives_the_entry_uuid_and_status_of_a_unique_id(
    transport_for: Connect, demo_doctor: Identity
) -> None:
    listed = _find(transport_for, demo_doctor)["Compte rendu de consultation"]
    found = document_by_unique_id(
        transport_for(demo_doctor),
        vihf(demo_doctor),
        PIERRE_INS,
        listed.unique_id,  # type: ignore[attr-defined]
    )
    assert found == listed


def test_get_documents_of_an_unknown_unique_id_is_not_found(
    transport_for: Connect, demo_doctor: Identity
) -> None:
    with pytest.raises(NotFoundError):
        document_by_unique_id(
            transport_for(demo_doctor), vihf(demo_doctor), PIERRE_INS, "1.2.250.1.999.404"
        )


def test_a_masked_document_of_another_author_is_hidden_from_a_nurse(
    transport_for: Connect, nurse: Identity
) -> None:
    authorize(transport_for, nurse)
    titles = set(_find(transport_for, nurse))
    masked = {d["title"] for d in SEEDED if "MASQUE_PS" in d.get("confidentiality", [])}
    assert titles
    assert not titles & masked


def test_an_unauthorized_doctor_is_refused_with_the_dmps_code(
    transport_for: Connect, other_doctor: Identity
) -> None:
    with pytest.raises(DmpRefusedError) as refused:
        find_documents(
            transport_for(other_doctor), vihf(other_doctor), PIERRE_INS, DocumentFilter()
        )
    # The FI527 fault of a refusal by the rights service.
    assert refused.value.dmp_code == "DMPAccessDeniedByRightsService"
    assert refused.value.dmp_text
    assert refused.value.transaction == "TD3.1"


def test_an_establishment_gets_references_only_and_is_told_so(
    transport_for: Connect, hospital: Identity
) -> None:
    # Indirect mode: "référence seule" (FI526 TD3.1 row, note 5); the seed's synthesis is
    # the establishment's, so the DMP answers with its reference.
    with pytest.raises(DmpAnswerError, match="references of documents only"):
        find_documents(transport_for(hospital), vihf(hospital), PIERRE_INS, DocumentFilter())
