"""TD3.3c by reference searches only (FI526 note 5): an establishment in indirect mode,
which may not read documents' metadata, deletes the documents of its structure; a
practitioner deletes the same way, an archived document too. What the DMP then holds is
read by Pierre's treating physician (who sees every document) and by the sandbox's own
client, not by the function under test."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cardbridge.dmp.results import DocumentStatus
from cardbridge.dmp.transactions.deposit import DepositRequest
from cardbridge.dmp.transactions.find import document_by_unique_id
from cardbridge.dmp.transactions.submission import SubmissionSet, new_submission_set
from cardbridge.dmp.transactions.update import StatusChange, change_status, delete_document
from cardbridge.errors import DmpAnswerError, NotFoundError
from testkit.dmp_queries import APPROVED
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions.conftest import (
    DEMO_AUTHOR,
    NOW,
    PIERRE_TRAITS,
    ROOT,
    Depositor,
    Recording,
    form,
)
from tests.dmp.transactions.documents_support import PIERRE_INS, submission_set, vihf

# The demo structure as the hospital's VIHF states it (tests/support/dmp_fixtures.py).
HOSPITAL_AUTHOR = replace(
    DEMO_AUTHOR,
    structure_id="10B0307377",
    structure_name="CENTRE HOSPITALIER DE DEMO",
    sector="SA01",
)
DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"


def _hospital_deposit(depositor: Depositor, hospital: Identity) -> str:
    request = DepositRequest(
        form(),
        b"Compte rendu des urgences.\n",
        PIERRE_TRAITS,
        HOSPITAL_AUTHOR,
        practice_setting="ETABLISSEMENT",
    )
    return depositor.deposit(hospital, request).unique_id


def _hospital_submission() -> SubmissionSet:
    return new_submission_set(
        lps_oid_root=ROOT, patient_cx=PIERRE_INS.cx, author=HOSPITAL_AUTHOR, now=NOW
    )


def test_a_structure_deletes_its_document_by_reference(
    depositor: Depositor, hospital: Identity, demo_doctor: Identity
) -> None:
    unique_id = _hospital_deposit(depositor, hospital)
    transport = depositor.transport_for(hospital)
    # The metadata search a practitioner's delete could use is not the structure's right.
    with pytest.raises(DmpAnswerError, match="references of documents only"):
        change_status(
            transport, vihf(hospital), unique_id, StatusChange.DELETE, _hospital_submission()
        )
    recording = Recording(transport)
    had = delete_document(recording, vihf(hospital), PIERRE_INS, unique_id, _hospital_submission())
    assert had is DocumentStatus.APPROVED
    # Reference searches (TD3.1 asking ObjectRefs), then the update (TD3.3).
    assert [c.transaction for c in recording.calls] == ["TD3.1", "TD3.1", "TD3.3"]
    for call in recording.calls[:2]:
        option = call.payload.find("{*}ResponseOption")
        assert option is not None
        assert option.get("returnType") == "ObjectRef"
    # The treating physician sees it deleted; the sandbox lists it as Deleted.
    seen = document_by_unique_id(
        depositor.transport_for(demo_doctor), vihf(demo_doctor), PIERRE_INS, unique_id
    )
    assert seen.status is DocumentStatus.DELETED
    assert unique_id not in depositor.found(demo_doctor, (APPROVED,))
    assert unique_id in depositor.found(demo_doctor, (DELETED,))


def test_a_structure_cannot_reach_a_practitioners_document(
    depositor: Depositor, hospital: Identity, demo_doctor: Identity
) -> None:
    request = DepositRequest(form(), b"Suivi.\n", PIERRE_TRAITS, DEMO_AUTHOR)
    unique_id = depositor.deposit(demo_doctor, request).unique_id
    with pytest.raises(NotFoundError):
        delete_document(
            depositor.transport_for(hospital),
            vihf(hospital),
            PIERRE_INS,
            unique_id,
            _hospital_submission(),
        )
    assert unique_id in depositor.found(demo_doctor, (APPROVED,))


def test_a_practitioner_deletes_an_archived_document(
    depositor: Depositor, demo_doctor: Identity
) -> None:
    request = DepositRequest(form(), b"Suivi.\n", PIERRE_TRAITS, DEMO_AUTHOR)
    unique_id = depositor.deposit(demo_doctor, request).unique_id
    transport, signed = depositor.transport_for(demo_doctor), vihf(demo_doctor)
    change_status(transport, signed, unique_id, StatusChange.ARCHIVE, submission_set())
    had = delete_document(transport, signed, PIERRE_INS, unique_id, submission_set())
    assert had is DocumentStatus.ARCHIVED
    assert unique_id in depositor.found(demo_doctor, (DELETED,))
    # Deleted, it can be deleted no more.
    with pytest.raises(NotFoundError):
        delete_document(transport, signed, PIERRE_INS, unique_id, submission_set())


def test_an_unknown_document_is_not_found(depositor: Depositor, hospital: Identity) -> None:
    with pytest.raises(NotFoundError):
        delete_document(
            depositor.transport_for(hospital),
            vihf(hospital),
            PIERRE_INS,
            "1.2.250.1.999.1.1.7898.3.404",
            _hospital_submission(),
        )
