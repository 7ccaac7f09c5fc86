"""Request models of the DMP transaction routes (``/v1/dmp``: status, search, documents,
authorizations); the answers are the transactions' own results
(:mod:`cardbridge.dmp.results`), shown unchanged."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from fastapi import Query
from pydantic import Field, model_validator

from cardbridge.api import dmp_examples as demo
from cardbridge.api.models import StrictModel
from cardbridge.dmp.access import MAX_REASON_LENGTH, AccessMode
from cardbridge.dmp.fields import field_error
from cardbridge.dmp.patients import PatientSelector

SituationQuery = Annotated[
    int, Query(ge=0, le=15, description="Index of the CPS practice situation (default 0)")
]
PatientQuery = Annotated[
    str,
    Query(
        min_length=15,
        max_length=32,
        description="The patient's INS: NIR or NIA with its key, 15 characters (spaces "
        "allowed), as `POST /v1/dmp/patient` gives it",
        examples=[demo.DEMO_INS],
    ),
]


class PatientSearch(PatientSelector):
    """``POST /v1/dmp/patient``: the patient by a Vitale beneficiary, an INS or identity
    criteria. With ``criteria`` and a ``situation``, the DMP is searched (TD0.5) and its
    candidates come back with their INS; the DMP allows that search in centre 15 mode
    only (``mode: centre_15`` with a ``reason``)."""

    situation: int | None = Field(
        None, ge=0, le=15, description="Search the DMP (TD0.5) as this CPS practice situation"
    )
    mode: AccessMode | None = Field(
        None, description="The access mode of the search: `centre_15` (the only one allowed)"
    )
    reason: str | None = Field(
        None, max_length=MAX_REASON_LENGTH, description="Why (centre 15), kept by the DMP"
    )

    @model_validator(mode="after")
    def _search_needs_criteria(self) -> Self:
        if self.situation is not None and self.criteria is None:
            raise field_error(
                self,
                "situation",
                "a DMP search (situation given) is by identity criteria (criteria); a Vitale "
                "beneficiary or an INS designates the patient without a search",
            )
        return self


class DocumentStatusFilter(StrEnum):
    """Which documents ``GET /v1/dmp/documents`` lists, by their status."""

    APPROVED = "approved"
    ARCHIVED = "archived"
    DEPRECATED = "deprecated"
    ALL = "all"


class DocumentChange(StrictModel):
    """``PATCH /v1/dmp/documents/{unique_id}``: what to change (TD3.3), one thing or several."""

    patient: str = Field(min_length=15, max_length=32, examples=[demo.DEMO_INS])
    situation: int = Field(0, ge=0, le=15)
    masked_from_professionals: bool | None = Field(
        None, description="Mask the document from other professionals, or unmask it"
    )
    visible_to_patient: bool | None = Field(
        None, description="`true`: make the document visible to the patient"
    )
    archived: bool | None = Field(None, description="Archive (`true`) or unarchive (`false`)")

    @model_validator(mode="after")
    def _something(self) -> Self:
        if (
            self.masked_from_professionals is None
            and self.visible_to_patient is None
            and self.archived is None
        ):
            raise field_error(
                self,
                "archived",
                "say what to change: masked_from_professionals, visible_to_patient or archived",
            )
        if self.visible_to_patient is False:
            raise field_error(
                self,
                "visible_to_patient",
                "the DMP can make a document visible to the patient, not hide it again",
            )
        return self
