"""DMP workflows as the API serves them: patient selection, access, journal, deposits.

The VIHF is signed on the CPS reader's worker, over the connection that holds the
verified PIN; the journal (SQLite) is read off the event loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from cardbridge.dmp.access import AccessMode
from cardbridge.dmp.documents import DepositForm, DocumentMetadata
from cardbridge.dmp.journal import JournalKind, JournalRecord, VerifyReport
from cardbridge.dmp.patients import (
    PatientReference,
    PatientSelector,
    patient_from_beneficiary,
    patient_from_criteria,
    patient_from_ins,
)
from cardbridge.dmp.workflow import AccessGrant, AccessRequest, DmpWorkflow
from cardbridge.errors import CardBridgeError
from cardbridge.pcsc.readers import ReaderBackend
from cardbridge.service.callers import NATIVE, Caller
from cardbridge.service.cards import CardService


@dataclass(frozen=True, slots=True)
class JournalFilter:
    patient: str | None = None
    practitioner: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    kind: JournalKind | None = None
    limit: int = 100
    patient_prefix: str | None = None


class DmpService:
    """The DMP operations of the API."""

    def __init__(self, cards: CardService, workflow: DmpWorkflow, backend: ReaderBackend) -> None:
        self.cards = cards
        self.workflow = workflow
        self._backend = backend

    def _test_data(self, reader: str | None) -> bool:
        """A typed INS gets the test OID with the emulated readers or a test CPS."""
        if self._backend.kind == "emulator":
            return True
        try:
            cached = self.cards.cps_reader(reader).memory.practitioner
        except CardBridgeError:  # no CPS at hand: production OIDs
            return False
        return cached is not None and cached.model.card.test

    async def resolve(
        self, selector: PatientSelector, cps_reader: str | None = None
    ) -> PatientReference:
        """The patient the selector designates (reading the Vitale card if it is one)."""
        if selector.vitale is not None:
            card = await self.cards.vitale(selector.vitale.reader)
            return patient_from_beneficiary(card.model, selector.vitale.beneficiary)
        if selector.ins is not None:
            return patient_from_ins(selector.ins, test=self._test_data(cps_reader))
        assert selector.criteria is not None  # PatientSelector has exactly one way
        return patient_from_criteria(selector.criteria)

    async def open_access(
        self,
        *,
        situation: int,
        patient: PatientSelector,
        mode: AccessMode,
        consent: bool,
        reason: str | None,
        reader: str | None,
        caller: Caller = NATIVE,
    ) -> tuple[AccessGrant, PatientReference]:
        """Allow, sign (CPS signature key) and trace an access to the patient's DMP: the
        caller's own PIN session must be open on the CPS."""
        self.cards.require_session(caller, reader)
        reference = await self.resolve(patient, reader)
        practitioner = (await self.cards.practitioner(reader)).model
        request = AccessRequest(
            situation, reference, mode, consent, reason, caller.label, caller_id=caller.id
        )
        grant = await self.cards.run_cps(
            lambda session: self.workflow.open_access(
                session, practitioner, request, now=datetime.now(UTC)
            ),
            reader,
            changes_card=True,
        )
        return grant, reference

    async def prepare_deposit(
        self,
        *,
        situation: int,
        patient: PatientSelector,
        form: DepositForm,
        filename: str,
        content: bytes,
        reader: str | None,
        caller: Caller = NATIVE,
    ) -> tuple[DocumentMetadata, JournalRecord]:
        """Check and describe a document for deposit, and trace it (the caller's own PIN
        session must be open on the CPS)."""
        self.cards.require_session(caller, reader)
        reference = await self.resolve(patient, reader)
        practitioner = (await self.cards.practitioner(reader)).model
        return await asyncio.to_thread(
            self.workflow.prepare_deposit,
            practitioner,
            situation,
            reference,
            form,
            filename=filename,
            content=content,
            now=datetime.now(UTC),
            caller=caller.label,
        )

    async def journal(self, query: JournalFilter) -> list[JournalRecord]:
        return await asyncio.to_thread(
            self.workflow.journal.query,
            patient=query.patient,
            practitioner=query.practitioner,
            since=query.since,
            until=query.until,
            kind=query.kind,
            limit=query.limit,
            patient_prefix=query.patient_prefix,
        )

    async def verify_journal(self) -> VerifyReport:
        return await asyncio.to_thread(self.workflow.journal.verify)
