"""The DMP's records about patients and practitioners (``/v1/dmp``): a patient's DMP status
(TD0.2), who is authorized on it (TD1.6), and the practitioner's patients (TD0.4).

Each is a real DMP transaction in the caller's own PIN session: the VIHF is signed by the
CPS (and reused within its validity), and the DMP's refusals come back as
``dmp_refused`` with the DMP's own code and text.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from cardbridge.api.deps import BridgeDep, CallerDep, ReaderQuery
from cardbridge.api.dmp_workflow_models import PatientQuery, SituationQuery
from cardbridge.api.routes.common import CARD_CODES, responses
from cardbridge.dmp.results import AuthorizedPatient, DmpStatus, PractitionerAuthorization

router = APIRouter(prefix="/v1/dmp", tags=["DMP"])

# What a DMP transaction may answer besides the card's errors.
DMP_TRANSACTION_CODES = (
    "pin_required",
    "dmp_refused",
    "dmp_unavailable",
    "dmp_server_untrusted",
    "dmp_answer_invalid",
)
# TD0.4 lists the authorizations of this many days, unless told otherwise.
DEFAULT_PATIENT_DAYS = 365


@router.get(
    "/status",
    summary="A patient's DMP: exists, closed, your authorization, treating physician (TD0.2)",
    responses=responses(*CARD_CODES, *DMP_TRANSACTION_CODES),
)
async def status(
    patient: PatientQuery,
    bridge: BridgeDep,
    caller: CallerDep,
    situation: SituationQuery = 0,
    reader: ReaderQuery = None,
) -> DmpStatus:
    """The DMP's existence test (TD0.2) in normal mode, before opening it: `state`
    (`active`, `closed`, `absent`), this practitioner's `authorization` (`VALIDE`,
    `EXPIRE`, `INTERDIT`, `NON_EXISTE`) and whether they are the `treating_physician`.
    Needs the caller's own PIN session (403 `pin_required`)."""
    ins = bridge.dmp.ins_of(patient, reader)
    return await bridge.dmp.status(situation=situation, ins=ins, reader=reader, caller=caller)


@router.get(
    "/authorizations",
    summary="Who is authorized on, or blocked from, an opened DMP (TD1.6)",
    responses=responses(*CARD_CODES, *DMP_TRANSACTION_CODES, "dmp_access_required"),
)
async def authorizations(
    patient: PatientQuery, bridge: BridgeDep, caller: CallerDep, reader: ReaderQuery = None
) -> list[PractitionerAuthorization]:
    """The professionals and structures authorized on the patient's DMP, and those the
    patient blocked (`mode: INTERDITE`). The DMP must have been opened first in this PIN
    session (409 `dmp_access_required`: `POST /v1/dmp/access`)."""
    ins = bridge.dmp.ins_of(patient, reader)
    return await bridge.dmp.authorizations(ins=ins, reader=reader, caller=caller)


@router.get(
    "/patients",
    summary="The DMPs you are authorized on (TD0.4)",
    responses=responses(*CARD_CODES, *DMP_TRANSACTION_CODES),
)
async def patients(
    bridge: BridgeDep,
    caller: CallerDep,
    situation: SituationQuery = 0,
    since: Annotated[
        datetime | None,
        Query(description="Authorized since this moment (default: a year ago)"),
    ] = None,
    reader: ReaderQuery = None,
) -> list[AuthorizedPatient]:
    """The patients whose DMP this practitioner was authorized on since `since`, with the
    dates of the last access, update and deposit."""
    start = since or datetime.combine(
        datetime.now(UTC).date() - timedelta(days=DEFAULT_PATIENT_DAYS), time(), UTC
    )
    if start.tzinfo is None:
        start = start.astimezone()
    return await bridge.dmp.patients(situation=situation, since=start, reader=reader, caller=caller)
