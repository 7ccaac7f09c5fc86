"""DMP workflows as the API serves them, each a real DMP transaction: the patient (and the
search by identity criteria, TD0.5), the DMP's status (TD0.2), opening it (TD0.2, TD0.3),
its documents (TD3.1, TD3.2, TD2.1, TD3.3), its authorizations (TD1.6), one's patients
(TD0.4), and the access journal.

The transaction modules (lxml) are imported at the first transaction, not with the
idle bridge. Transactions run on the CPS reader's worker, in the caller's own PIN session: the card
signs the VIHFs (reused within their validity) and, in direct mode, the TLS handshake of
the session's DMP connection (:mod:`cardbridge.service.dmp_calls`). The journal (SQLite)
is read off the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from cardbridge.dmp.access import AccessMode, decide_access
from cardbridge.dmp.journal import JournalKind, JournalRecord, VerifyReport
from cardbridge.dmp.patients import (
    IdentityCriteria,
    InsReference,
    PatientReference,
    PatientSelector,
    patient_from_beneficiary,
    patient_from_criteria,
    patient_from_ins,
)
from cardbridge.dmp.results import (
    AuthorizedPatient,
    DmpStatus,
    DocumentContent,
    DocumentEntry,
    PatientCandidate,
    PractitionerAuthorization,
)
from cardbridge.dmp.workflow import DmpWorkflow
from cardbridge.errors import CardBridgeError, DmpAccessRequiredError, InvalidInputError
from cardbridge.messages.refusals import SEARCH_CENTRE_15_MODE_ONLY
from cardbridge.pcsc.reader_interface import ReaderBackend
from cardbridge.service import dmp_changes
from cardbridge.service.callers import NATIVE, Caller
from cardbridge.service.cards import CardService
from cardbridge.service.dmp_access import AccessAsked, AccessOpened, DmpAccess, patient_ins
from cardbridge.service.dmp_assembly import DmpSetup
from cardbridge.service.dmp_calls import DmpCall, DmpCalls, OnCard
from cardbridge.service.dmp_changes import Changes, DepositAsked, DepositDone
from cardbridge.service.dmp_link import OpenedAccess

if TYPE_CHECKING:
    from cardbridge.dmp.transactions.find import DocumentFilter

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class JournalFilter:
    patient: str | None = None
    practitioner: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    kind: JournalKind | None = None
    limit: int = 100
    patient_prefix: str | None = None
    # The paging cursor: records older than this sequence number only.
    before: int | None = None


class DmpService:
    """The DMP operations of the API."""

    def __init__(self, cards: CardService, setup: DmpSetup, backend: ReaderBackend) -> None:
        self.cards = cards
        self.workflow: DmpWorkflow = setup.workflow
        self.oid_root = setup.oid_root
        self.patient_pages = setup.patient_pages
        self.calls = DmpCalls(cards, setup.workflow, setup.connector)
        self._access = DmpAccess(self.calls, setup)
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

    def ins_of(self, matricule: str, reader: str | None = None) -> InsReference:
        """The INS of a typed matricule (15 characters, key checked), with its OID."""
        return patient_ins(patient_from_ins(matricule, test=self._test_data(reader)))

    # --- Before the DMP is opened ------------------------------------------------------

    async def search(
        self,
        *,
        situation: int,
        criteria: IdentityCriteria,
        mode: AccessMode | None,
        reason: str | None,
        reader: str | None,
        caller: Caller = NATIVE,
    ) -> list[PatientCandidate]:
        """TD0.5: the patients matching ``criteria``, with their INS. The DMP allows it in
        centre 15 mode only: any other mode is refused here, before the card signs."""
        if mode is not AccessMode.REGULATION:
            raise InvalidInputError(SEARCH_CENTRE_15_MODE_ONLY, field="mode")
        from cardbridge.dmp.transactions.search import search_patients  # noqa: PLC0415

        decided = decide_access(mode, consent_attested=False, reason=reason, history=(), now=_now())
        call = DmpCall(caller, situation, None, mode, decided.reason)

        def on_card(card: OnCard) -> list[PatientCandidate]:
            found = search_patients(card.transport, card.vihf, criteria, self._access.sender)
            card.link.remember_candidates(found)
            return found

        return await self.calls.run(call, on_card, reader)

    async def status(
        self, *, situation: int, ins: InsReference, reader: str | None, caller: Caller = NATIVE
    ) -> DmpStatus:
        """TD0.2 (normal mode): the DMP exists, is closed, and this practitioner's rights.
        After a secret access to this DMP in the PIN session, secret too: the legal
        representatives must not see it either."""
        from cardbridge.dmp.transactions.status import existence_test  # noqa: PLC0415

        link = self.calls.link(reader)
        opened = link.opened(caller.id, ins) if link is not None else None
        secret = opened is not None and opened.secret
        return await self.calls.run(
            DmpCall(caller, situation, ins, secret=secret),
            lambda card: existence_test(card.transport, card.vihf, ins, self._access.sender),
            reader,
        )

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
        secret: bool = False,
    ) -> tuple[AccessOpened, PatientReference]:
        """Open the patient's DMP (:mod:`cardbridge.service.dmp_access`); the caller's
        own PIN session must be open on the CPS."""
        self.cards.require_session(caller, reader)
        reference = await self.resolve(patient, reader)
        practitioner = (await self.cards.practitioner(reader)).model
        asked = AccessAsked(caller, situation, reference, mode, consent, reason, secret)
        return await self._access.open(practitioner, asked, reader), reference

    async def patients(
        self, *, situation: int, since: datetime, reader: str | None, caller: Caller = NATIVE
    ) -> list[AuthorizedPatient]:
        """TD0.4: the DMPs this practitioner is authorized on, authorized since ``since``."""
        from cardbridge.dmp.transactions.patient_list import (  # noqa: PLC0415
            PatientListDate,
            authorized_patients,
        )

        return await self.calls.run(
            DmpCall(caller, situation, None),
            lambda card: authorized_patients(
                card.transport, card.vihf, since, PatientListDate.LAST_AUTHORIZATION
            ),
            reader,
        )

    # --- In an opened DMP ----------------------------------------------------------------

    def opened(self, ins: InsReference, caller: Caller, reader: str | None) -> OpenedAccess:
        """The access ``caller`` opened to this DMP in its PIN session (its mode and
        reason serve the document transactions); refused when there is none."""
        self.cards.require_session(caller, reader)
        link = self.calls.link(reader)
        opened = link.opened(caller.id, ins) if link is not None else None
        if opened is None:
            raise DmpAccessRequiredError
        return opened

    def _in(self, opened: OpenedAccess, caller: Caller, situation: int | None = None) -> DmpCall:
        return DmpCall(
            caller,
            opened.situation if situation is None else situation,
            opened.ins,
            opened.mode,
            opened.reason,
            opened.secret,
        )

    async def documents(
        self, *, ins: InsReference, filters: DocumentFilter, reader: str | None, caller: Caller
    ) -> list[DocumentEntry]:
        """TD3.1: the documents of the opened DMP that match ``filters``."""
        from cardbridge.dmp.transactions.find import find_documents  # noqa: PLC0415

        opened = self.opened(ins, caller, reader)
        return await self.calls.run(
            self._in(opened, caller),
            lambda card: find_documents(card.transport, card.vihf, ins, filters),
            reader,
        )

    async def document(
        self, *, ins: InsReference, unique_id: str, reader: str | None, caller: Caller
    ) -> DocumentContent:
        """TD3.2: the document ``unique_id``, unwrapped from its CDA."""
        from cardbridge.dmp.transactions.retrieve import retrieve_document  # noqa: PLC0415

        opened = self.opened(ins, caller, reader)
        return await self.calls.run(
            self._in(opened, caller),
            lambda card: retrieve_document(card.transport, card.vihf, unique_id),
            reader,
        )

    async def authorizations(
        self, *, ins: InsReference, reader: str | None, caller: Caller
    ) -> list[PractitionerAuthorization]:
        """TD1.6: who is authorized on (or blocked from) the opened DMP."""
        from cardbridge.dmp.transactions.authorizations import (  # noqa: PLC0415
            AuthorizationListMode,
            list_authorizations,
        )

        opened = self.opened(ins, caller, reader)
        return await self.calls.run(
            self._in(opened, caller),
            lambda card: list_authorizations(card.transport, card.vihf, AuthorizationListMode.ALL),
            reader,
        )

    async def run_in(
        self,
        ins: InsReference,
        transaction: Callable[[OnCard], T],
        *,
        reader: str | None,
        caller: Caller,
        situation: int | None = None,
    ) -> T:
        """Run ``transaction`` in the opened DMP of ``ins`` (for the document changes)."""
        opened = self.opened(ins, caller, reader)
        return await self.calls.run(self._in(opened, caller, situation), transaction, reader)

    async def deposit(
        self, asked: DepositAsked, *, reader: str | None, caller: Caller
    ) -> DepositDone:
        """TD2.1 in the opened DMP (:func:`cardbridge.service.dmp_changes.deposit`)."""
        return await dmp_changes.deposit(self, asked, reader=reader, caller=caller)

    async def change(
        self,
        *,
        ins: InsReference,
        unique_id: str,
        changes: Changes,
        reader: str | None,
        caller: Caller,
    ) -> DocumentEntry:
        """TD3.3a/b/d on a document of the opened DMP; the document as listed after."""
        return await dmp_changes.change(self, ins, unique_id, changes, reader=reader, caller=caller)

    async def delete(
        self, *, ins: InsReference, unique_id: str, reader: str | None, caller: Caller
    ) -> None:
        """TD3.3c: delete a document of the opened DMP."""
        await dmp_changes.delete(self, ins, unique_id, reader=reader, caller=caller)

    # --- The journal ---------------------------------------------------------------------

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
            before=query.before,
        )

    async def verify_journal(self) -> VerifyReport:
        return await asyncio.to_thread(self.workflow.journal.verify)


def _now() -> datetime:
    return datetime.now(UTC)
