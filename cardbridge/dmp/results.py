"""What the DMP's transactions give back, as typed results: the models the transactions
fill (cardbridge/dmp/transactions/) and the API, the CLI's ``--json`` and the Python
client show unchanged. Field meanings and sources: docs/dmp-client.md.

Times are aware UTC datetimes (the DMP writes ``YYYYMMDDhhmmss`` in UTC); codes keep the
DMP's own values next to our reading of them.
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from cardbridge.dmp import result_examples as examples


class Authorization(StrEnum):
    """The practitioner's authorization on a DMP (TD0.2 ``AUTORISATION``)."""

    VALID = "VALIDE"
    EXPIRED = "EXPIRE"
    FORBIDDEN = "INTERDIT"  # the patient blocked this practitioner
    NONE = "NON_EXISTE"


class DmpState(StrEnum):
    """Whether the patient has a DMP, and whether it is open."""

    ACTIVE = "active"
    CLOSED = "closed"
    ABSENT = "absent"


class DmpStatus(BaseModel):
    """TD0.2: the DMP's existence and the caller's rights on it."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.DMP_STATUS]})

    state: DmpState
    authorization: Authorization | None = Field(
        None, description="The caller's authorization; null when the patient has no DMP."
    )
    treating_physician: bool = Field(
        False, description="The caller is the patient's treating physician (médecin traitant DMP)."
    )
    closed_on: datetime | None = None
    closing_reason: str | None = Field(
        None, description="The DMP's code for why it was closed, when stated."
    )
    web_access_open: bool | None = Field(
        None, description="The patient's web access (COMPTE_INTERNET_OUVERT), when stated."
    )
    emergency_access_opposed: bool | None = Field(
        None, description="The patient opposed emergency access, when stated."
    )
    break_glass_opposed: bool | None = Field(
        None, description="The patient opposed break-the-glass access, when stated."
    )
    attached_to_mon_espace_sante: bool | None = Field(
        None, description="The DMP is attached to Mon espace santé (RATTACHEMENT_ENS), when stated."
    )


class PatientCandidate(BaseModel):
    """TD0.5: a patient matching identity criteria, with the INS to open the DMP with."""

    ins: str = Field(description="The INS (NIR or NIA with its key, 15 characters).")
    ins_oid: str
    last_name: str
    birth_name: str | None = None
    first_name: str | None = None
    sex: str | None = Field(None, description="M, F or U (administrativeGenderCode).")
    birth_date: date | None = None
    city: str | None = None
    postal_code: str | None = None
    match_percent: int | None = None
    emergency_access_opposed: bool | None = Field(
        None, description="The patient opposed emergency access, when stated."
    )


class AuthorizedPatient(BaseModel):
    """TD0.4: a DMP the practitioner is authorized on."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.AUTHORIZED_PATIENT]})

    ins: str
    ins_oid: str
    last_name: str
    birth_name: str | None = None
    first_name: str | None = None
    birth_date: date | None = None
    treating_physician: bool = False
    last_access: datetime | None = None
    last_update: datetime | None = None
    last_deposit: datetime | None = None


class AuthorizationMode(StrEnum):
    """TD1.6: an active authorization, or a practitioner the patient blocked."""

    ACTIVE = "ACTIVE"
    FORBIDDEN = "INTERDITE"


class PractitionerAuthorization(BaseModel):
    """TD1.6: one practitioner or structure authorized on (or blocked from) the DMP."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.PRACTITIONER_AUTHORIZATION]})

    national_id: str
    national_id_type: str
    last_name: str | None = None
    first_name: str | None = None
    specialties: list[str] = Field(
        default_factory=list, description="The specialties' labels (libSpeciality)."
    )
    specialty_codes: list[str] = Field(
        default_factory=list, description="The specialties' codes, e.g. G15_10/SM26."
    )
    since: datetime | None = None
    last_action: datetime | None = None
    mode: AuthorizationMode
    treating_physician: bool = False


class DocumentStatus(StrEnum):
    """A document's availability status (ebRIM's, and the DMP's own two)."""

    APPROVED = "approved"
    DEPRECATED = "deprecated"  # replaced by a newer version
    ARCHIVED = "archived"
    DELETED = "deleted"


class Visibility(BaseModel):
    """A document's visibility (its DMP confidentiality codes)."""

    masked_from_professionals: bool = False
    invisible_to_patient: bool = False
    invisible_to_guardians: bool = False


class CodeRef(BaseModel):
    """A coded value as the DMP states it."""

    code: str
    system: str
    label: str | None = None


class DocumentEntry(BaseModel):
    """TD3.1: one document's metadata (an XDS DocumentEntry)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.DOCUMENT_ENTRY]})

    unique_id: str = Field(description="The document's uniqueId: what TD3.2 and TD3.3 use.")
    entry_uuid: str
    status: DocumentStatus
    title: str | None = None
    comment: str | None = None
    type: CodeRef | None = None
    class_code: CodeRef | None = None
    format: CodeRef | None = None
    practice_setting: CodeRef | None = None
    healthcare_facility: CodeRef | None = None
    media_type: str
    created: datetime | None = None
    service_start: datetime | None = None
    service_stop: datetime | None = None
    submitted: datetime | None = None
    size: int | None = None
    sha1: str | None = None
    author_names: list[str] = Field(default_factory=list)
    author_structure: str | None = None
    visibility: Visibility
    version: str | None = None
    patient_document: bool = Field(False, description="Deposited by the patient (class 90).")


class DocumentContent(BaseModel):
    """TD3.2: a retrieved document, unwrapped from its CDA when it is one."""

    unique_id: str
    media_type: str = Field(description="The content's media type (of the embedded document).")
    content: bytes = Field(
        repr=False, description="The document's bytes; in JSON, base64 (RFC 4648 §4, padded)."
    )
    wrapped_in_cda: bool = Field(
        description="True when the DMP's document is a CDA wrapper and ``content`` its body."
    )
    filename: str | None = None

    @field_serializer("content", when_used="json")
    def _content_base64(self, content: bytes) -> str:
        # The standard alphabet every base64 decoder reads (pydantic's own is URL-safe).
        return base64.b64encode(content).decode("ascii")


class DepositReceipt(BaseModel):
    """TD2.1: what the DMP now holds."""

    unique_id: str
    entry_uuid: str | None = None
    submission_set_unique_id: str
    replaced: str | None = Field(None, description="The uniqueId of the version replaced.")
