"""Request and response models of the DMP routes (``/v1/dmp``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, PlainValidator, StrictBool, WithJsonSchema

from cardbridge.api import dmp_examples as demo
from cardbridge.api.models import StrictModel, with_examples
from cardbridge.dmp.access import MAX_REASON_LENGTH, AccessMode
from cardbridge.dmp.catalogue import DocumentType
from cardbridge.dmp.documents import DocumentMetadata
from cardbridge.dmp.journal import JournalRecord
from cardbridge.dmp.journal_details import AccessDetails, DepositDetails, details_of
from cardbridge.dmp.patients import PatientReference, PatientSelector, Sex
from cardbridge.dmp.period import MOMENT_EXAMPLES, MOMENT_PATTERN, parse_moment
from cardbridge.dmp.results import DepositReceipt, DmpStatus, PatientCandidate

# A journal filter's date or date-time, read strictly (never a number as a timestamp).
Moment = Annotated[
    date | datetime,
    PlainValidator(parse_moment),
    WithJsonSchema(
        {"type": "string", "pattern": MOMENT_PATTERN, "examples": list(MOMENT_EXAMPLES)}
    ),
]


class DocumentTypeInfo(StrictModel):
    """An entry of the deposit form's list; ``known: false`` entries are refused."""

    model_config = with_examples(demo.DOCUMENT_TYPE)

    label: str = Field(examples=["CR de consultation"])
    code: str | None = Field(examples=["11488-4"])
    system: str = Field(examples=["2.16.840.1.113883.6.1"])
    class_code: str = Field(examples=["10"])
    known: bool

    @classmethod
    def of(cls, entry: DocumentType) -> DocumentTypeInfo:
        return cls(
            label=entry.label,
            code=entry.code,
            system=entry.system,
            class_code=entry.class_code,
            known=entry.known,
        )


class InsInfo(StrictModel):
    """An INS: matricule, OID of its registry, and both in CX form."""

    model_config = with_examples(demo.INS)

    value: str
    oid: str
    cx: str


class Patient(StrictModel):
    """The patient an access or deposit is about."""

    model_config = with_examples(demo.PATIENT)

    source: Literal["vitale", "ins", "criteria"]
    ins: InsInfo | None = Field(description="null when the patient has no INS at hand")
    last_name: str | None
    first_name: str | None
    sex: Sex | None
    birth_date: str | None = Field(description="As given: YYYYMMDD from a Vitale card")
    journal_key: str = Field(description="How the access journal names this patient")
    candidates: list[PatientCandidate] | None = Field(
        None,
        description="A DMP search by identity criteria (TD0.5): the patients it found, each "
        "with the INS to open the DMP with; null when no search was made",
    )

    @classmethod
    def of(
        cls, reference: PatientReference, candidates: list[PatientCandidate] | None = None
    ) -> Patient:
        ins = reference.ins
        return cls(
            candidates=candidates,
            source=reference.source,
            ins=InsInfo(value=ins.value, oid=ins.oid, cx=ins.cx) if ins else None,
            last_name=reference.last_name,
            first_name=reference.first_name,
            sex=reference.sex,
            birth_date=reference.birth_date,
            journal_key=reference.journal_key,
        )


class AccessBody(StrictModel):
    """Opening a patient's DMP."""

    model_config = with_examples(*demo.ACCESS_BODIES)

    situation: int = Field(ge=0, le=15, description="Index of the CPS practice situation")
    patient: PatientSelector
    mode: AccessMode = AccessMode.NORMAL
    # Strict: only JSON true attests consent, never "yes", 1 or "on".
    consent: StrictBool = Field(
        False,
        description="The patient, or their legal representative, informed beforehand, gave "
        "their consent (normal access). JSON `true` only",
    )
    reason: str | None = Field(
        None,
        max_length=MAX_REASON_LENGTH,
        description="Mandatory for `bris_de_glace` and `centre_15`; kept in the history "
        "the patient can read",
    )
    # Strict, as consent: only JSON true asks for it.
    secret: StrictBool = Field(
        False,
        description='Secret access to a minor\'s DMP ("connexion secrète"): the VIHF '
        "states the confidentiality code `INVISIBLE_REPRESENTANTS_LEGAUX`, and the DMP "
        "hides this access, and the document transactions made in it, from the patient's "
        "legal representatives. Refused (422, field `secret`) when the Vitale card shows "
        "an adult; with a typed INS the DMP decides. JSON `true` only",
    )


class AccessAnswer(StrictModel):
    """An access the DMP allowed (TD0.2, and TD0.3 on consent), signed and traced."""

    model_config = with_examples(demo.ACCESS_ANSWER)

    assertion_id: str
    not_on_or_after: datetime
    mode: AccessMode
    consent_needed: bool = Field(description="Whether the consent rule applied to this access")
    consent_attested: bool
    secret: bool = Field(
        False, description="A secret access: hidden from the minor's legal representatives"
    )
    journal_seq: int
    issuer: str = Field(description="Subject of the CPS signature certificate (RFC 2253)")
    structure_id: str
    sector: str
    patient: Patient
    vihf: str = Field(description="The SAML 2.0 assertion, signed by the CPS signature key")
    dmp: DmpStatus = Field(description="What the DMP answered to the existence test (TD0.2)")
    authorization_added: bool = Field(
        description="With the patient's consent, the DMP added this practitioner's "
        "authorization (TD0.3)"
    )


class JournalEntryModel(StrictModel):
    """A record of the DMP access journal."""

    model_config = with_examples(demo.JOURNAL_ENTRY)

    seq: int
    recorded_at: datetime
    kind: Literal["access", "deposit"]
    practitioner: str
    patient: str
    details: AccessDetails | DepositDetails = Field(
        description="By kind: an access's or a deposit's details, as recorded (a detail older "
        "versions did not record is left out)"
    )

    @classmethod
    def of(cls, record: JournalRecord) -> JournalEntryModel:
        return cls(
            seq=record.seq,
            recorded_at=record.recorded_at,
            kind=record.kind.value,
            practitioner=record.practitioner,
            patient=record.patient,
            details=details_of(record),
        )


class JournalCheck(StrictModel):
    """The journal's integrity check: ``problems`` says what was tampered with."""

    model_config = with_examples(*demo.JOURNAL_CHECKS)

    ok: bool
    records: int
    problems: list[str]


class DepositAnswer(StrictModel):
    """A document ready for submission, and its journal record."""

    model_config = with_examples(demo.DEPOSIT_ANSWER)

    metadata: DocumentMetadata
    journal_seq: int
    receipt: DepositReceipt = Field(description="What the DMP now holds (TD2.1)")
