"""Preparing a document for deposit in a patient's DMP.

Checks what the deposit form checks (docs/domain.md §4) — file of at most 5 MB
(5,000,000 bytes) in an accepted format *recognised and opened by its content*
(:mod:`cardbridge.dmp.formats`; the file name does not decide it), title and document
date, comment of at most 1000 characters, event start date (and end date not before it),
none of the dates in the future, a type of the catalogue with a known code, a
visibility — then returns the XDS-style metadata ready for submission. Every refusal
names its field.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from cardbridge.dmp.catalogue import (
    CLASS_OID,
    CLASSES,
    TYPES_BY_CODE,
    TYPES_BY_LABEL,
    VISIBILITY_OID,
    DocumentFormat,
    DocumentType,
    Visibility,
)
from cardbridge.dmp.fields import field_error
from cardbridge.dmp.formats import DetectedFormat, TextEncoding, detect_format, named_format
from cardbridge.dmp.period import strict_date
from cardbridge.errors import InvalidInputError
from cardbridge.messages import Text
from cardbridge.messages import inputs as say

# The DMP's "5 Mo" read as 5,000,000 bytes, the stricter of its two readings: what we
# accept, the DMP accepts whichever it means (docs/domain.md §4).
MAX_DOCUMENT_BYTES = 5_000_000
MAX_DOCUMENT_TEXT = say.MAX_DOCUMENT
MAX_COMMENT = 1000
# A date of the form: YYYY-MM-DD only (pydantic alone would read "0" as 1970-01-01).
FormDate = Annotated[date, BeforeValidator(strict_date)]


def check_file(content: bytes) -> DetectedFormat:
    """The format of the file, from its content; refuse empty, too large or unknown ones."""
    if not content:
        raise InvalidInputError(say.FILE_EMPTY, field="file")
    if len(content) > MAX_DOCUMENT_BYTES:
        megabytes, size = f"{len(content) / 1_000_000:.1f}", f"{len(content):,}"
        raise InvalidInputError(
            say.FILE_TOO_LARGE.format(
                # French writes 5,2 and 5 200 000 (a narrow no-break space between groups).
                megabytes=Text(megabytes.replace(".", ","), megabytes),
                size=Text(size.replace(",", "\u202f"), size),
                maximum=MAX_DOCUMENT_TEXT,
            ),
            field="file",
        )
    return detect_format(content)


def document_type(code: str) -> DocumentType:
    """The catalogue entry for a type code (or exact label); refuse unknown codes."""
    entry = TYPES_BY_CODE.get(code) or TYPES_BY_LABEL.get(code)
    if entry is None:
        raise InvalidInputError(say.TYPE_UNKNOWN.format(code=code), field="type")
    if not entry.known:
        raise InvalidInputError(say.TYPE_CODE_UNKNOWN.format(label=entry.label), field="type")
    return entry


class DepositForm(BaseModel):
    """The fields of the deposit form, besides the file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1, max_length=255, examples=["Compte rendu de consultation"])
    document_date: FormDate = Field(description="Date of the document, not in the future")
    type: str = Field(description="Type code (LOINC or TRE_A05)", examples=["11488-4"])
    event_start: FormDate = Field(
        description="Start of the care event (mandatory), not in the future"
    )
    event_end: FormDate | None = Field(
        None, description="End of the care event, not before its start nor in the future"
    )
    comment: str | None = Field(None, max_length=MAX_COMMENT)
    visibility: Visibility = Visibility.NORMAL

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(say.TITLE_MANDATORY)
        return value.strip()

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        try:
            document_type(value)
        except InvalidInputError as error:
            raise ValueError(error.problem) from None
        return value

    @field_validator("document_date", "event_start", "event_end")
    @classmethod
    def _not_future(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is not None and value > date.today():
            what = {"document_date": say.DOCUMENT_DATE, "event_start": say.EVENT_START}.get(
                info.field_name or "", say.EVENT_END
            )
            raise ValueError(say.DATE_IN_FUTURE.format(what=what, day=f"{value:%d/%m/%Y}"))
        return value

    @model_validator(mode="after")
    def _event_dates(self) -> Self:
        if self.event_end is not None and self.event_end < self.event_start:
            raise field_error(self, "event_end", "the event ends before it starts (event_start)")
        return self


class CodedValue(BaseModel):
    """A code with its system and display name, as XDS metadata carries them."""

    code: str
    system: str | None
    display: str


class DocumentAuthor(BaseModel):
    """The depositing practitioner in the chosen practice situation."""

    national_id: str
    last_name: str
    first_name: str
    profession: CodedValue
    specialty: CodedValue | None
    structure_id: str
    structure_name: str | None
    sector: str | None


class DocumentMetadata(BaseModel):
    """XDS-style metadata of a prepared deposit (ready for a submission set)."""

    unique_id: str
    title: str
    comment: str | None
    creation_time: date = Field(description="The document date")
    prepared_at: datetime
    service_start: date
    service_stop: date | None
    type_code: CodedValue
    class_code: CodedValue
    format_code: CodedValue
    confidentiality_codes: list[CodedValue]
    mime_type: str
    detected_format: DocumentFormat = Field(
        description="The format recognised from the content, which alone decides it"
    )
    named_format: DocumentFormat | None = Field(
        description="The format the file name's extension suggests (null: none); when it "
        "differs from detected_format, the file is misnamed"
    )
    text_encoding: TextEncoding | None = Field(
        description="How a plain-text document is encoded (utf-8 or windows-1252)"
    )
    language: str = "fr-FR"
    patient_id: str = Field(description="The patient's INS in CX form")
    author: DocumentAuthor
    hash: str = Field(description="SHA-1 of the content, as XDS requires")
    sha256: str
    size: int


def prepare_metadata(
    form: DepositForm,
    filename: str,
    content: bytes,
    *,
    patient_cx: str,
    author: DocumentAuthor,
    now: datetime,
) -> DocumentMetadata:
    """Check the file and build the metadata of the deposit."""
    detected = check_file(content)
    file_format = detected.format
    doc_type = document_type(form.type)
    assert doc_type.code is not None  # document_type() refuses unknown codes
    return DocumentMetadata(
        unique_id=f"2.25.{uuid.uuid4().int}",
        title=form.title,
        comment=form.comment,
        creation_time=form.document_date,
        prepared_at=now,
        service_start=form.event_start,
        service_stop=form.event_end,
        type_code=CodedValue(code=doc_type.code, system=doc_type.system, display=doc_type.label),
        class_code=CodedValue(
            code=doc_type.class_code, system=CLASS_OID, display=CLASSES[doc_type.class_code]
        ),
        format_code=CodedValue(
            code=file_format.format_code, system=None, display=file_format.value.upper()
        ),
        confidentiality_codes=[
            CodedValue(
                code=form.visibility.value, system=VISIBILITY_OID, display=form.visibility.name
            )
        ],
        mime_type=file_format.mime_type,
        detected_format=file_format,
        named_format=named_format(filename),
        text_encoding=detected.text_encoding,
        patient_id=patient_cx,
        author=author,
        # XDS DocumentEntry.hash is SHA-1 by the standard; SHA-256 is given beside it.
        hash=hashlib.sha1(content, usedforsecurity=False).hexdigest(),
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )
