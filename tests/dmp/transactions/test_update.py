"""TD3.3 through the transport against the offline DMP: archive and unarchive, mask and
unmask, make visible to the patient, delete — each seen in a new TD3.1 — and refusals."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.results import DocumentEntry, DocumentStatus
from cardbridge.dmp.transactions.find import (
    DocumentFilter,
    document_by_unique_id,
    find_documents,
)
from cardbridge.dmp.transactions.update import (
    StatusChange,
    VisibilityChange,
    change_status,
    change_visibility,
)
from cardbridge.errors import DmpRefusedError, InvalidInputError
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions.documents_support import (
    PIERRE_INS,
    Connect,
    authorize,
    submission_set,
    vihf,
)
from tests.support.dmp_fixtures import LOUISE

CONSULTATION = "Compte rendu de consultation"  # the demo CPS's own (default seed)
BIOLOGY = "Compte rendu de biologie"  # the demo CPS's, invisible to the patient


def _listed(connect: Connect, who: Identity, **filters: object) -> dict[str, DocumentEntry]:
    found = find_documents(connect(who), vihf(who), PIERRE_INS, DocumentFilter(**filters))  # type: ignore[arg-type]
    return {entry.title or "": entry for entry in found}


def test_archive_then_unarchive(transport_for: Connect, demo_doctor: Identity) -> None:
    unique_id = _listed(transport_for, demo_doctor)[CONSULTATION].unique_id
    doctor, signed = transport_for(demo_doctor), vihf(demo_doctor)
    change_status(doctor, signed, unique_id, StatusChange.ARCHIVE, submission_set())
    assert CONSULTATION not in _listed(transport_for, demo_doctor)
    archived = _listed(transport_for, demo_doctor, include_archived=True)[CONSULTATION]
    assert archived.status is DocumentStatus.ARCHIVED
    assert archived.unique_id == unique_id
    with pytest.raises(InvalidInputError):
        change_status(doctor, signed, unique_id, StatusChange.ARCHIVE, submission_set())
    change_status(doctor, signed, unique_id, StatusChange.UNARCHIVE, submission_set())
    again = _listed(transport_for, demo_doctor)[CONSULTATION]
    assert again.status is DocumentStatus.APPROVED


def test_delete(transport_for: Connect, demo_doctor: Identity) -> None:
    unique_id = _listed(transport_for, demo_doctor)[CONSULTATION].unique_id
    doctor, signed = transport_for(demo_doctor), vihf(demo_doctor)
    change_status(doctor, signed, unique_id, StatusChange.DELETE, submission_set())
    everything = _listed(transport_for, demo_doctor, include_archived=True, include_deprecated=True)
    assert CONSULTATION not in everything
    gone = document_by_unique_id(doctor, signed, PIERRE_INS, unique_id)
    assert gone.status is DocumentStatus.DELETED


def test_mask_hides_from_another_doctor_and_unmask_shows_again(
    transport_for: Connect, demo_doctor: Identity, other_doctor: Identity
) -> None:
    authorize(transport_for, other_doctor)
    before = _listed(transport_for, demo_doctor)[CONSULTATION]
    assert CONSULTATION in _listed(transport_for, other_doctor)
    doctor, signed = transport_for(demo_doctor), vihf(demo_doctor)
    change_visibility(doctor, signed, before.unique_id, VisibilityChange.MASK, submission_set())
    masked = _listed(transport_for, demo_doctor)[CONSULTATION]
    assert masked.visibility.masked_from_professionals is True
    assert masked.unique_id == before.unique_id
    assert masked.entry_uuid != before.entry_uuid  # a new version
    assert masked.version == "2"
    assert masked.type == before.type
    assert masked.created == before.created
    assert CONSULTATION not in _listed(transport_for, other_doctor)
    # The replaced version is kept, deprecated.
    versions = [
        e
        for e in find_documents(doctor, signed, PIERRE_INS, DocumentFilter(include_deprecated=True))
        if e.unique_id == before.unique_id
    ]
    assert {e.status for e in versions} == {DocumentStatus.APPROVED, DocumentStatus.DEPRECATED}
    change_visibility(doctor, signed, before.unique_id, VisibilityChange.UNMASK, submission_set())
    assert _listed(transport_for, demo_doctor)[CONSULTATION].version == "3"
    assert CONSULTATION in _listed(transport_for, other_doctor)


def test_make_visible_to_the_patient(transport_for: Connect, demo_doctor: Identity) -> None:
    biology = _listed(transport_for, demo_doctor)[BIOLOGY]
    assert biology.visibility.invisible_to_patient is True
    doctor, signed = transport_for(demo_doctor), vihf(demo_doctor)
    change_visibility(
        doctor, signed, biology.unique_id, VisibilityChange.SHOW_TO_PATIENT, submission_set()
    )
    assert _listed(transport_for, demo_doctor)[BIOLOGY].visibility.invisible_to_patient is False
    with pytest.raises(InvalidInputError):
        change_visibility(
            doctor, signed, biology.unique_id, VisibilityChange.SHOW_TO_PATIENT, submission_set()
        )


def test_another_practitioners_document_is_refused_with_the_dmps_code(
    transport_for: Connect, demo_doctor: Identity, other_doctor: Identity
) -> None:
    authorize(transport_for, other_doctor)
    unique_id = _listed(transport_for, other_doctor)[CONSULTATION].unique_id
    with pytest.raises(DmpRefusedError) as refused:
        change_status(
            transport_for(other_doctor),
            vihf(other_doctor),
            unique_id,
            StatusChange.ARCHIVE,
            submission_set("cps4-doctor"),
        )
    # Archiving is for one's own documents (FI526 note 8); the rights service refuses.
    assert refused.value.dmp_code == "DMPAccessDeniedByRightsService"
    assert refused.value.dmp_text
    assert refused.value.transaction == "TD3.3"
    assert _listed(transport_for, demo_doctor)[CONSULTATION].status is DocumentStatus.APPROVED


def test_making_visible_to_guardians_is_sent_and_its_refusal_kept(
    transport_for: Connect, other_doctor: Identity
) -> None:
    # Louise's document hidden from her legal representatives is other_doctor's (the seed).
    about_louise = replace(other_doctor, vihf=other_doctor.vihf.but(patient=LOUISE))
    louise = InsReference(value=LOUISE, oid=PIERRE_INS.oid)
    authorize(transport_for, about_louise)
    connection, signed = transport_for(about_louise), vihf(about_louise)
    (entry,) = find_documents(connection, signed, louise, DocumentFilter())
    assert entry.visibility.invisible_to_guardians is True
    submission = replace(submission_set("cps4-doctor"), patient_cx=louise.cx)
    # The DMP's rule is not in our sources; the offline DMP refuses the change (its choice).
    with pytest.raises(DmpRefusedError) as refused:
        change_visibility(
            connection, signed, entry.unique_id, VisibilityChange.SHOW_TO_GUARDIANS, submission
        )
    assert refused.value.dmp_code == "XDSMetadataUpdateError"
    assert refused.value.dmp_text == "changement de visibilité non prévu par le DMP"
