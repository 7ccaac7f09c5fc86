"""Opening a patient's DMP for real: the bridge's own guard, then what the DMP says.

1. The bridge's guard (:func:`cardbridge.dmp.access.decide_access`): an emergency or
   centre 15 access needs its reason; in normal mode the journal says whether the
   patient's consent is needed.
2. TD0.2 with the VIHF of that mode: does the DMP exist, is it open, is this
   practitioner authorized.
3. Normal mode: the DMP's answer wins where it differs from the journal. Authorized
   (``VALIDE``): the access is open, consent or not. Not authorized or expired: the
   patient's consent is needed, and with it TD0.3 adds the authorization. Blocked by the
   patient (``INTERDIT``): refused. An emergency or centre 15 access needs no
   authorization.
4. The journal records the access with what the DMP answered, and the PIN session
   remembers the DMP opened (the document transactions use its mode and reason). A
   journal that could not take the record refuses the access before anything is sent.

In normal mode the DMP's authorization therefore decides whether consent is asked; the
journal's six-month rule gives the reason shown when it differs from the DMP's.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from cardbridge.cards.models import Practitioner, Situation
from cardbridge.dmp.access import (
    AccessDecision,
    AccessMode,
    decide_access,
    normal_reason,
)
from cardbridge.dmp.journal import JournalEntry, JournalKind, JournalRecord
from cardbridge.dmp.journal_details import AccessDetails
from cardbridge.dmp.patients import InsReference, PatientReference
from cardbridge.dmp.results import Authorization, DmpState, DmpStatus
from cardbridge.dmp.vihf_cache import SignedVihf
from cardbridge.dmp.workflow import check_secret_access
from cardbridge.errors import (
    ConsentRequiredError,
    DmpRefusedError,
    InvalidInputError,
    NotFoundError,
)
from cardbridge.messages import Text
from cardbridge.messages import inputs as say
from cardbridge.service.callers import Caller
from cardbridge.service.dmp_assembly import DmpSetup
from cardbridge.service.dmp_calls import DmpCall, DmpCalls, OnCard
from cardbridge.service.dmp_link import OpenedAccess

if TYPE_CHECKING:
    from cardbridge.dmp.transactions.hl7v3 import Hl7Sender


@dataclass(frozen=True, slots=True)
class AccessAsked:
    """What the clinician asked for."""

    caller: Caller
    situation: int
    patient: PatientReference
    mode: AccessMode
    consent: bool
    reason: str | None
    secret: bool = False


@dataclass(frozen=True, slots=True)
class AccessOpened:
    """An access the DMP allowed, traced in the journal."""

    decision: AccessDecision
    status: DmpStatus
    authorization_added: bool
    record: JournalRecord
    ins: InsReference
    vihf: SignedVihf
    situation: Situation


def patient_ins(patient: PatientReference) -> InsReference:
    """The INS a DMP transaction needs (a search by criteria gives candidates first)."""
    if patient.ins is None:
        raise InvalidInputError(say.PATIENT_INS_OR_CANDIDATE, field="patient")
    return patient.ins


def _refuse_unusable(status: DmpStatus) -> None:
    if status.state is DmpState.ABSENT:
        raise NotFoundError(say.NO_DMP)
    if status.state is DmpState.CLOSED:
        if status.closed_on is None:
            raise NotFoundError(say.DMP_CLOSED)
        raise NotFoundError(say.DMP_CLOSED_ON.format(day=f"{status.closed_on:%d/%m/%Y}"))


def _dmp_decision(
    asked: AccessAsked, local: AccessDecision | None, local_reason: Text | None, status: DmpStatus
) -> tuple[AccessDecision, bool]:
    """The decision once the DMP answered, and whether TD0.3 must add the authorization."""
    if asked.mode is not AccessMode.NORMAL:
        assert local is not None  # decide_access never asks consent outside normal mode
        return local, False
    if status.authorization is Authorization.FORBIDDEN:
        raise DmpRefusedError(
            Authorization.FORBIDDEN.value,
            "Le patient a interdit l'accès à son DMP à ce professionnel.",
            transaction="TD0.2",
            message=say.ACCESS_FORBIDDEN_BY_PATIENT,
        )
    if status.authorization is Authorization.VALID:  # authorized: no consent to ask
        return AccessDecision(asked.mode, asked.consent, False, None), False
    why = (
        say.CONSENT_AUTHORIZATION_EXPIRED
        if status.authorization is Authorization.EXPIRED
        else say.CONSENT_NO_AUTHORIZATION
    )
    if not asked.consent:
        raise ConsentRequiredError(local_reason or why)
    return AccessDecision(asked.mode, True, True, None), True


class DmpAccess:
    """Opens patients' DMPs: the guard, TD0.2, TD0.3 on consent, the journal."""

    def __init__(self, calls: DmpCalls, setup: DmpSetup) -> None:
        self.calls = calls
        self.workflow = setup.workflow
        self._setup = setup

    @cached_property
    def sender(self) -> Hl7Sender:
        """The software as HL7v3 messages name their sender (made at the first call)."""
        from cardbridge.dmp.transactions.hl7v3 import Hl7Sender  # noqa: PLC0415

        return Hl7Sender(self._setup.oid_root, self._setup.software_name)

    async def open(
        self, practitioner: Practitioner, asked: AccessAsked, reader: str | None
    ) -> AccessOpened:
        """Open the patient's DMP as ``asked`` (see the module's steps)."""
        from cardbridge.dmp.transactions.authorizations import (  # noqa: PLC0415
            AuthorizationAction,
            set_authorization,
        )
        from cardbridge.dmp.transactions.status import (  # noqa: PLC0415
            existence_test_with_traits,
        )

        ins = patient_ins(asked.patient)
        now = datetime.now(UTC)
        check_secret_access(asked.patient, asked.secret, now.astimezone().date())
        await asyncio.to_thread(self.workflow.journal.check_writable)
        history = await asyncio.to_thread(
            self.workflow.journal.records_of, practitioner.national_id, asked.patient.journal_key
        )
        local: AccessDecision | None
        local_reason: Text | None = None
        try:
            local = decide_access(
                asked.mode,
                consent_attested=asked.consent,
                reason=asked.reason,
                history=history,
                now=now,
            )
        except ConsentRequiredError as needed:  # the DMP's answer decides (step 3)
            local, local_reason = None, needed.reason_text
        reason = normal_reason(asked.mode, asked.reason)
        call = DmpCall(asked.caller, asked.situation, ins, asked.mode, reason, asked.secret)

        def on_card(card: OnCard) -> tuple[DmpStatus, AccessDecision, bool, OnCard]:
            status, traits = existence_test_with_traits(card.transport, card.vihf, ins, self.sender)
            _refuse_unusable(status)
            if traits is not None:  # a deposit's CDA header states them
                card.link.remember_candidates([traits])
            decision, add = _dmp_decision(asked, local, local_reason, status)
            if add:
                set_authorization(card.transport, card.vihf, AuthorizationAction.ADD)
            card.link.remember(
                asked.caller.id,
                OpenedAccess(asked.situation, ins, asked.mode, reason, now, asked.secret),
            )
            return status, decision, add, card

        status, decision, added, card = await self.calls.run(call, on_card, reader)
        record = await asyncio.to_thread(
            self.workflow.journal.append,
            JournalEntry(
                JournalKind.ACCESS,
                practitioner.national_id,
                asked.patient.journal_key,
                AccessDetails(
                    situation=asked.situation,
                    mode=decision.mode.value,
                    consent_attested=decision.consent_attested,
                    consent_needed=decision.consent_needed,
                    reason=reason,
                    secret=asked.secret,
                    patient_source=asked.patient.source,
                    structure_id=card.situation.structure_id,
                    sector=card.situation.sector,
                    vihf_id=card.signed.assertion_id,
                    vihf_reused=card.reused,
                    dmp_state=status.state.value,
                    dmp_authorization=status.authorization.value if status.authorization else None,
                    dmp_treating_physician=status.treating_physician,
                    authorization_added=added,
                    caller=asked.caller.label,
                    os_user=self.workflow.os_user,
                ).stored(),
            ),
            now=now,
        )
        return AccessOpened(decision, status, added, record, ins, card.signed, card.situation)
