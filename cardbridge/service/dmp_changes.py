"""What changes an opened DMP: a deposit (TD2.1), a document's visibility and archiving
(TD3.3a/b/d), its deletion (TD3.3c). Each runs in the access the caller opened
(:meth:`cardbridge.service.dmp.DmpService.opened`), on the CPS worker where the card
signs the VIHF (reused) and, for a deposit, the XAdES signature document.

A deposit is checked first (format by content, form fields: nothing is sent otherwise),
then sent, then traced in the journal with the uniqueId the DMP now holds.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cardbridge.cards.models import VitaleCard
from cardbridge.dmp.documents import DepositForm, DocumentMetadata
from cardbridge.dmp.formats import DetectedFormat
from cardbridge.dmp.journal import JournalRecord
from cardbridge.dmp.patients import InsReference, PatientSelector
from cardbridge.dmp.results import DepositReceipt, DocumentEntry
from cardbridge.errors import InvalidInputError
from cardbridge.messages import inputs as say
from cardbridge.service.callers import Caller
from cardbridge.service.dmp_access import patient_ins
from cardbridge.service.dmp_calls import OnCard
from cardbridge.service.dmp_link import DmpLink

if TYPE_CHECKING:
    from cardbridge.dmp.transactions.cda import CdaPatient
    from cardbridge.dmp.transactions.submission import SubmissionSet
    from cardbridge.service.dmp import DmpService


@dataclass(frozen=True, slots=True)
class DepositAsked:
    """A deposit as the form gives it: the file (or free text) and its fields."""

    situation: int
    patient: PatientSelector
    form: DepositForm
    content: bytes
    filename: str
    practice_setting: str = "AMBULATOIRE"


@dataclass(frozen=True, slots=True)
class DepositDone:
    """A deposit the DMP holds, described and traced."""

    receipt: DepositReceipt
    metadata: DocumentMetadata
    record: JournalRecord


def _cda_patient(
    selector: PatientSelector, ins: InsReference, vitale: VitaleCard | None, link: DmpLink | None
) -> CdaPatient:
    """The patient's traits the CDA header states: those of the Vitale card's beneficiary,
    or those the DMP gave for that INS in this PIN session — when the DMP was opened
    (TD0.2's found patient) or in a search's candidates (TD0.5)."""
    from cardbridge.dmp.transactions.cda import CdaPatient  # noqa: PLC0415 - lxml

    if vitale is not None and selector.vitale is not None:
        try:
            return CdaPatient.from_beneficiary(
                vitale.beneficiaries[selector.vitale.beneficiary], ins
            )
        except ValueError:  # a lunar birth date, the only traits a card may lack
            raise InvalidInputError(say.BENEFICIARY_LUNAR_BIRTH, field="beneficiary") from None
    candidate = link.candidate(ins.value) if link is not None else None
    if candidate is None:
        raise InvalidInputError(say.DEPOSIT_NEEDS_TRAITS, field="ins")
    try:
        return CdaPatient.from_candidate(candidate)
    except ValueError:  # the birth date or the given names missing
        raise InvalidInputError(say.CANDIDATE_TRAITS_MISSING, field="ins") from None


async def deposit(
    service: DmpService, asked: DepositAsked, *, reader: str | None, caller: Caller
) -> DepositDone:
    """TD2.1 in the opened DMP of ``asked.patient``."""
    from cardbridge.dmp.transactions.deposit import (  # noqa: PLC0415 - lxml
        DepositRequest,
        deposit_document,
    )
    from cardbridge.dmp.transactions.submission import Author  # noqa: PLC0415

    service.cards.require_session(caller, reader)
    reference = await service.resolve(asked.patient, reader)
    ins = patient_ins(reference)
    practitioner = (await service.cards.practitioner(reader)).model
    now = datetime.now().astimezone()
    # The document and the form first: nothing is sent for a deposit they refuse.
    metadata = await asyncio.to_thread(
        service.workflow.describe_deposit,
        practitioner,
        asked.situation,
        reference,
        asked.form,
        filename=asked.filename,
        content=asked.content,
        now=now,
    )
    service.opened(ins, caller, reader)
    vitale = None
    if asked.patient.vitale is not None:
        vitale = (await service.cards.vitale(asked.patient.vitale.reader)).model
    cda_patient = _cda_patient(asked.patient, ins, vitale, service.calls.link(reader))

    detected = DetectedFormat(metadata.detected_format, metadata.text_encoding)

    def on_card(card: OnCard) -> DepositReceipt:
        request = DepositRequest(
            asked.form,
            asked.content,
            cda_patient,
            Author.from_card(practitioner, card.situation),
            practice_setting=asked.practice_setting,
            filename=asked.filename,
            detected=detected,
        )
        return deposit_document(
            card.transport,
            card.vihf,
            request,
            card.card.sign,
            card.card.signature_certificate(),
            lps_oid_root=service.oid_root,
            now=now,
        )

    receipt = await service.run_in(
        ins, on_card, reader=reader, caller=caller, situation=asked.situation
    )
    held = metadata.model_copy(update={"unique_id": receipt.unique_id})
    record = await asyncio.to_thread(
        service.workflow.trace_deposit,
        practitioner,
        reference,
        held,
        asked.form.visibility.value,
        now=now,
        caller=caller.label,
    )
    return DepositDone(receipt, held, record)


def _submission(card: OnCard, service: DmpService, ins: InsReference) -> SubmissionSet:
    """The SubmissionSet a metadata update goes in (TD3.3), authored by the card."""
    from cardbridge.dmp.transactions.submission import (  # noqa: PLC0415 - lxml
        Author,
        new_submission_set,
    )

    return new_submission_set(
        lps_oid_root=service.oid_root,
        patient_cx=ins.cx,
        author=Author.from_card(card.practitioner, card.situation),
        now=datetime.now().astimezone(),
    )


@dataclass(frozen=True, slots=True)
class Changes:
    """What ``PATCH`` asks, each field ``None`` when unchanged."""

    masked: bool | None = None
    visible_to_patient: bool | None = None
    archived: bool | None = None


async def change(
    service: DmpService,
    ins: InsReference,
    unique_id: str,
    changes: Changes,
    *,
    reader: str | None,
    caller: Caller,
) -> DocumentEntry:
    """TD3.3a/b/d, one transaction per change, then the document as listed (TD3.1)."""
    from cardbridge.dmp.transactions.find import document_by_unique_id  # noqa: PLC0415
    from cardbridge.dmp.transactions.update import (  # noqa: PLC0415 - lxml
        StatusChange,
        VisibilityChange,
        change_status,
        change_visibility,
    )

    def on_card(card: OnCard) -> DocumentEntry:
        if changes.masked is not None:
            wanted = VisibilityChange.MASK if changes.masked else VisibilityChange.UNMASK
            change_visibility(
                card.transport, card.vihf, unique_id, wanted, _submission(card, service, ins)
            )
        if changes.visible_to_patient:
            change_visibility(
                card.transport,
                card.vihf,
                unique_id,
                VisibilityChange.SHOW_TO_PATIENT,
                _submission(card, service, ins),
            )
        if changes.archived is not None:
            status = StatusChange.ARCHIVE if changes.archived else StatusChange.UNARCHIVE
            change_status(
                card.transport, card.vihf, unique_id, status, _submission(card, service, ins)
            )
        return document_by_unique_id(card.transport, card.vihf, ins, unique_id)

    return await service.run_in(ins, on_card, reader=reader, caller=caller)


async def delete(
    service: DmpService, ins: InsReference, unique_id: str, *, reader: str | None, caller: Caller
) -> None:
    """TD3.3c: delete the document ``unique_id``, found by reference searches (what an
    establishment in indirect mode may do, as every profile: docs/dmp-client.md)."""
    from cardbridge.dmp.transactions.update import delete_document  # noqa: PLC0415

    def on_card(card: OnCard) -> None:
        delete_document(card.transport, card.vihf, ins, unique_id, _submission(card, service, ins))

    await service.run_in(ins, on_card, reader=reader, caller=caller)
