"""What a journal record details, one model per kind of record.

The journal stores details as canonical JSON under its MAC (:mod:`cardbridge.dmp.journal`);
these models say which details each kind carries. The workflows write them
(:meth:`RecordDetails.stored`), and the access rules, the API, the CLI and the status page
read them through :func:`details_of` (the page gets their order from
``/static/journal_details.js``, written from :data:`DETAIL_ORDER`).

Details that older versions of cardbridge did not record are optional (``None`` when a
record does not have them), and a record keeps any other detail it was written with, so
that every record of an existing journal can still be read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cardbridge.dmp.journal import JournalKind, JournalRecord
from cardbridge.errors import JournalError


class RecordDetails(BaseModel):
    """The details of a record: the fields of its kind, and any other it was written with."""

    model_config = ConfigDict(frozen=True, extra="allow")

    def stored(self) -> dict[str, Any]:
        """The details as the journal stores them: the fields given, in JSON types."""
        return self.model_dump(mode="json", exclude_unset=True)


class AccessDetails(RecordDetails):
    """A DMP access (kind ``access``), its fields in the order the page shows them."""

    situation: int | None = Field(None, description="Practice situation on the CPS (0 to 15)")
    mode: str = Field(description="normal, bris_de_glace or centre_15", examples=["normal"])
    consent_needed: bool
    consent_attested: bool
    reason: str | None = Field(None, description="The emergency or centre 15 reason")
    secret: bool | None = Field(None, description="A minor's secret access")
    dmp_state: str | None = Field(None, description="What the DMP answered on the record")
    dmp_authorization: str | None = None
    dmp_treating_physician: bool | None = None
    authorization_added: bool | None = None
    patient_source: str = Field(examples=["vitale"])
    structure_id: str
    sector: str
    vihf_id: str
    vihf_reused: bool | None = None
    caller: str | None = Field(None, description="Who asked: the page, a paired site, the CLI")
    os_user: str | None = None


class DepositDetails(RecordDetails):
    """A document deposit (kind ``deposit``), its fields in the order the page shows them."""

    structure_id: str
    type: str = Field(description="The document's type code (LOINC)")
    visibility: str
    document_id: str
    size: int
    sha256: str
    caller: str | None = None
    os_user: str | None = None


DETAILS_BY_KIND: Mapping[JournalKind, type[AccessDetails] | type[DepositDetails]] = {
    JournalKind.ACCESS: AccessDetails,
    JournalKind.DEPOSIT: DepositDetails,
}


def details_of(record: JournalRecord) -> AccessDetails | DepositDetails:
    """The typed details of ``record``, by its kind."""
    try:
        return DETAILS_BY_KIND[record.kind].model_validate(record.details)
    except ValidationError as error:
        fields = ", ".join(sorted({str(e["loc"][0]) for e in error.errors() if e["loc"]}))
        raise JournalError(
            f"Record {record.seq} of the DMP access journal lacks details or has wrong ones "
            f"({fields}), so the journal cannot be read. Run `cardbridge journal verify` and "
            "show its answer to your administrator."
        ) from None


def _detail_order() -> tuple[str, ...]:
    """Every field of every kind, each kind's in its own order (a field new to a kind
    goes right after the field before it in that kind)."""
    order: list[str] = []
    for model in DETAILS_BY_KIND.values():
        previous = -1
        for name in model.model_fields:
            if name in order:
                previous = order.index(name)
            else:
                previous += 1
                order.insert(previous, name)
    return tuple(order)


DETAIL_ORDER = _detail_order()
"""The order in which the page lists a record's details."""
