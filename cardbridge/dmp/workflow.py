"""DMP access workflows: open a patient's DMP with a signed VIHF, prepare a deposit.

Each step refuses clearly rather than producing something the DMP would reject:
the practice situation must be one of the card's (so the PIN was verified), the
patient must be identified by an INS (the VIHF's resource), the speciality must be on
the card for doctors and pharmacists, a secret access is for a minor. An access is
traced in the journal after the card signed its VIHF and before the VIHF is handed out:
no access without a trace. A VIHF still valid for the same patient, mode, caller,
practitioner and situation is reused rather than signed again (:mod:`.vihf_cache`).
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from cardbridge.cards.cps_card import CpsCard
from cardbridge.cards.models import Practitioner, Situation
from cardbridge.dmp.access import AccessDecision, AccessMode, decide_access, normal_reason
from cardbridge.dmp.documents import (
    CodedValue,
    DepositForm,
    DocumentAuthor,
    DocumentMetadata,
    prepare_metadata,
)
from cardbridge.dmp.journal import Journal, JournalEntry, JournalKind, JournalRecord
from cardbridge.dmp.journal_details import AccessDetails, DepositDetails
from cardbridge.dmp.patients import InsReference, PatientReference
from cardbridge.dmp.vihf import (
    LabelledCode,
    LpsInfo,
    VihfRequest,
    build_assertion,
    issuer_from_certificate,
    sign_assertion,
)
from cardbridge.dmp.vihf_cache import SignedVihf, VihfCache, VihfKey
from cardbridge.domain.terminologies import (
    PROFESSION_OID,
    PROFESSIONS_REQUIRING_SPECIALTY,
    SPECIALTY_OID,
)
from cardbridge.errors import CardDataError, InvalidInputError, PinRequiredError
from cardbridge.messages import inputs as say


class VihfSigner(Protocol):
    """What signs a VIHF: the CPS (its signature key), or a structure's SIGN key."""

    def signature_certificate(self) -> bytes:
        """The signing certificate (DER)."""
        ...

    def sign(self, message: bytes) -> bytes:
        """RSA-SHA256 signature of ``message``."""
        ...


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """What the clinician chose: situation, patient, mode, consent or reason."""

    situation_index: int
    patient: PatientReference
    mode: AccessMode
    consent_attested: bool = False
    reason: str | None = None
    # Who asked, for the journal: "native", "page" (the status page) or a web origin.
    caller: str = "native"
    # Secret access to a minor's DMP ("connexion secrète"): the DMP hides this access from
    # the patient's legal representatives.
    secret: bool = False
    # The caller's own PIN session (``Caller.id``): its VIHFs serve it alone. Default: caller.
    caller_id: str | None = None


@dataclass(frozen=True, slots=True)
class AccessGrant:
    """A DMP access allowed and traced: the signed VIHF and the journal record."""

    vihf: bytes
    assertion_id: str
    not_on_or_after: datetime
    decision: AccessDecision
    record: JournalRecord
    issuer: str
    situation: Situation
    patient_cx: str
    reused: bool = False


def chosen_situation(practitioner: Practitioner, index: int) -> Situation:
    """The practice situation ``index`` of the card (read after the PIN)."""
    if practitioner.situations is None:
        raise PinRequiredError(say.SITUATIONS_NEED_PIN)
    for situation in practitioner.situations:
        if situation.index == index:
            return situation
    known = ", ".join(str(s.index) for s in practitioner.situations)
    raise InvalidInputError(
        say.SITUATION_UNKNOWN.format(index=index, known=known), field="situation"
    )


def _patient_ins(patient: PatientReference) -> InsReference:
    if patient.ins is None:
        raise InvalidInputError(say.PATIENT_WITHOUT_INS, field="patient")
    return patient.ins


def _check_specialty(practitioner: Practitioner) -> None:
    if practitioner.profession.code in PROFESSIONS_REQUIRING_SPECIALTY and not (
        practitioner.specialty
    ):
        profession = practitioner.profession.label or practitioner.profession.code
        raise CardDataError(
            f"This CPS ({profession}) gives no speciality, which the DMP requires for doctors "
            "and pharmacists: contact your card manager to have the card replaced."
        )


# Civil majority in France; the DMP's own majority age is a parameter of the service that
# the client cannot read (docs/dmp-client.md, "VIHF"). Ours.
MAJORITY_AGE = 18


def _birth_date(patient: PatientReference) -> date | None:
    """The birth date from a Vitale card (``YYYYMMDD``), when real (not lunar)."""
    raw = patient.birth_date or ""
    if patient.source != "vitale" or len(raw) != 8 or not raw.isdigit():
        return None
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return None


def _check_secret(request: AccessRequest, today: date) -> None:
    check_secret_access(request.patient, request.secret, today)


def check_secret_access(patient: PatientReference, secret: bool, today: date) -> None:
    """A secret access is for a minor: refused when the card says the patient is an adult
    (a typed INS gives no birth date: the DMP, which knows it, decides)."""
    born = _birth_date(patient)
    if not secret or born is None:
        return
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age >= MAJORITY_AGE:
        raise InvalidInputError(
            say.SECRET_FOR_MINORS.format(age=age, born=f"{born:%d/%m/%Y}"), field="secret"
        )


def _os_user() -> str:
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # an account without a name (containers)
        return str(uid)


class DmpWorkflow:
    """DMP access and deposit preparation, traced in ``journal``."""

    def __init__(
        self,
        journal: Journal,
        lps: LpsInfo,
        *,
        vihf_validity: timedelta,
        os_user: str | None = None,
    ) -> None:
        self.journal = journal
        self.lps = lps
        self.vihf_validity = vihf_validity
        # Signed VIHFs reused within their validity; cleared on card removal or when the
        # PIN session ends (by whoever owns those events).
        self.vihfs = VihfCache()
        # The OS account the bridge serves (it serves no other): recorded with each access.
        self.os_user = os_user or _os_user()

    def vihf_key(self, practitioner: Practitioner, request: AccessRequest) -> VihfKey:
        """The key under which the VIHF of ``request`` is kept and reused."""
        return VihfKey(
            patient_cx=_patient_ins(request.patient).cx,
            mode=request.mode,
            reason=normal_reason(request.mode, request.reason),
            secret=request.secret,
            caller=request.caller_id or request.caller,
            practitioner=practitioner.national_id,
            situation=request.situation_index,
        )

    def open_access(
        self,
        session: CpsCard,
        practitioner: Practitioner,
        request: AccessRequest,
        *,
        now: datetime,
    ) -> AccessGrant:
        """Decide, have the CPS sign the VIHF with its signature key (unless one for the
        same key is still valid), trace, return it."""
        situation = chosen_situation(practitioner, request.situation_index)
        ins = _patient_ins(request.patient)
        _check_specialty(practitioner)
        _check_secret(request, now.date())
        decision = decide_access(
            request.mode,
            consent_attested=request.consent_attested,
            reason=request.reason,
            history=self.journal.records_of(practitioner.national_id, request.patient.journal_key),
            now=now,
        )
        key = self.vihf_key(practitioner, request)
        vihf = self.vihfs.get(key, now, card=session)
        reused = vihf is not None
        if vihf is None:
            vihf = self.sign_vihf(session, practitioner, situation, key, now)
            self.vihfs.put(key, vihf, now, card=session)
        record = self.journal.append(
            JournalEntry(
                JournalKind.ACCESS,
                practitioner.national_id,
                request.patient.journal_key,
                AccessDetails(
                    structure_id=situation.structure_id,
                    sector=situation.sector,
                    mode=decision.mode.value,
                    consent_attested=decision.consent_attested,
                    consent_needed=decision.consent_needed,
                    reason=key.reason,
                    secret=request.secret,
                    vihf_id=vihf.assertion_id,
                    vihf_reused=reused,
                    patient_source=request.patient.source,
                    caller=request.caller,
                    os_user=self.os_user,
                ).stored(),
            ),
            now=now,
        )
        return AccessGrant(
            vihf=vihf.xml,
            assertion_id=vihf.assertion_id,
            not_on_or_after=vihf.not_on_or_after,
            decision=decision,
            record=record,
            issuer=vihf.issuer,
            situation=situation,
            patient_cx=ins.cx,
            reused=reused,
        )

    def sign_vihf(
        self,
        session: VihfSigner,
        practitioner: Practitioner,
        situation: Situation,
        key: VihfKey,
        now: datetime,
        *,
        authentication_mode: str = "DIRECTE",
    ) -> SignedVihf:
        """Build the VIHF of ``key`` and have ``session`` sign it: the card's signature
        key in direct mode, the structure's SIGN key in indirect mode
        (``authentication_mode`` ``INDIRECTE``)."""
        certificate = session.signature_certificate()
        issuer = issuer_from_certificate(certificate)
        assertion = build_assertion(
            VihfRequest(
                national_id=practitioner.national_id,
                last_name=practitioner.last_name,
                first_name=practitioner.first_name,
                profession=LabelledCode(
                    practitioner.profession.code, practitioner.profession.label or ""
                ),
                specialty=(
                    LabelledCode(practitioner.specialty.code, practitioner.specialty.label or "")
                    if practitioner.specialty
                    else None
                ),
                structure_id=situation.structure_id,
                sector=situation.sector,
                patient_cx=key.patient_cx,
                mode=key.mode,
                issuer=issuer,
                lps=self.lps,
                reason=key.reason,
                secret=key.secret,
                authentication_mode=authentication_mode,
            ),
            now=now,
            validity=self.vihf_validity,
        )
        assertion_id = assertion.get("ID", "")
        xml = sign_assertion(assertion, session.sign, certificate)
        return SignedVihf(xml, assertion_id, issuer, now + self.vihf_validity)

    def describe_deposit(
        self,
        practitioner: Practitioner,
        situation_index: int,
        patient: PatientReference,
        form: DepositForm,
        *,
        filename: str,
        content: bytes,
        now: datetime,
    ) -> DocumentMetadata:
        """Check the document and build its metadata (nothing is traced)."""
        situation = chosen_situation(practitioner, situation_index)
        ins = _patient_ins(patient)
        author = DocumentAuthor(
            national_id=practitioner.national_id,
            last_name=practitioner.last_name,
            first_name=practitioner.first_name,
            profession=CodedValue(
                code=practitioner.profession.code,
                system=PROFESSION_OID,
                display=practitioner.profession.label or practitioner.profession.code,
            ),
            specialty=(
                CodedValue(
                    code=practitioner.specialty.code,
                    system=SPECIALTY_OID,
                    display=practitioner.specialty.label or practitioner.specialty.code,
                )
                if practitioner.specialty
                else None
            ),
            structure_id=situation.structure_id,
            structure_name=situation.name,
            sector=situation.sector,
        )
        return prepare_metadata(form, filename, content, patient_cx=ins.cx, author=author, now=now)

    def trace_deposit(
        self,
        practitioner: Practitioner,
        patient: PatientReference,
        metadata: DocumentMetadata,
        visibility: str,
        *,
        now: datetime,
        caller: str = "native",
    ) -> JournalRecord:
        """Trace a deposit: ``metadata.unique_id`` is the document's id in the DMP."""
        return self.journal.append(
            JournalEntry(
                JournalKind.DEPOSIT,
                practitioner.national_id,
                patient.journal_key,
                DepositDetails(
                    structure_id=metadata.author.structure_id,
                    document_id=metadata.unique_id,
                    type=metadata.type_code.code,
                    visibility=visibility,
                    sha256=metadata.sha256,
                    size=metadata.size,
                    caller=caller,
                    os_user=self.os_user,
                ).stored(),
            ),
            now=now,
        )

    def prepare_deposit(
        self,
        practitioner: Practitioner,
        situation_index: int,
        patient: PatientReference,
        form: DepositForm,
        *,
        filename: str,
        content: bytes,
        now: datetime,
        caller: str = "native",
    ) -> tuple[DocumentMetadata, JournalRecord]:
        """Check the document, build its metadata, trace the deposit."""
        metadata = self.describe_deposit(
            practitioner,
            situation_index,
            patient,
            form,
            filename=filename,
            content=content,
            now=now,
        )
        record = self.trace_deposit(
            practitioner, patient, metadata, form.visibility.value, now=now, caller=caller
        )
        return metadata, record
