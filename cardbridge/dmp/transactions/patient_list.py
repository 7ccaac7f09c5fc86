"""TD0.4, the DMPs one is authorized on: ``patientList{startDate, dateType}`` to the
``patientsSpecific`` service, answered by ``patientListResponse/output`` (every element in
``urn:si-dmp-patients``). The VIHF names no patient.
Facts and sources: docs/dmp-client.md, "Patients and authorizations".
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from lxml import etree

from cardbridge.dmp.results import AuthorizedPatient
from cardbridge.dmp.transactions.names import PATIENTS
from cardbridge.dmp.transactions.output import child_text, read_output
from cardbridge.dmp.transactions.values import dmp_bool, dmp_day, dmp_time, pick_ins, unreadable
from cardbridge.dmp.transport import Service, SoapCall, Transport

TRANSACTION = "TD0.4"
ACTION = "urn:si-dmp-patients:PatientSpecificEndPoint:patientList"


class PatientListDate(StrEnum):
    """Which date ``since`` bounds: the caller's authorization, or the last document."""

    LAST_AUTHORIZATION = "LASTAUTORIZATION"  # the DMP's spelling
    LAST_DOCUMENT = "LASTDOC"


def _p(tag: str) -> str:
    return f"{{{PATIENTS}}}{tag}"


def patient_list_request(since: datetime, date_type: PatientListDate) -> etree._Element:
    """The ``patientList`` body: ``startDate`` in UTC, ``YYYYMMDDhhmmss``."""
    body = etree.Element(_p("patientList"), nsmap={"pat": PATIENTS})
    etree.SubElement(body, _p("startDate")).text = since.astimezone(UTC).strftime("%Y%m%d%H%M%S")
    etree.SubElement(body, _p("dateType")).text = PatientListDate(date_type).value
    return body


def authorized_patients(
    transport: Transport, vihf: bytes, since: datetime, date_type: PatientListDate
) -> list[AuthorizedPatient]:
    """TD0.4: the DMPs the VIHF's caller is authorized on, whose authorization
    (``LAST_AUTHORIZATION``) or last document (``LAST_DOCUMENT``) is newer than ``since``
    (an aware datetime)."""
    if since.tzinfo is None:
        raise ValueError("since must be an aware datetime")
    call = SoapCall(
        Service.PATIENTS_SPECIFIC,
        ACTION,
        patient_list_request(since, date_type),
        transaction=TRANSACTION,
    )
    return read_patient_list(transport.call(call, vihf).payload)


def read_patient_list(payload: etree._Element) -> list[AuthorizedPatient]:
    """Read a ``patientListResponse`` whose status is ``DMPOk``."""
    output = read_output(payload, PATIENTS, "patientListResponse", TRANSACTION)
    return [_patient(item) for item in output.iterfind(_p("patientlistData"))]


def _patient(item: etree._Element) -> AuthorizedPatient:
    ins, oid = pick_ins(
        (
            (
                child_text(i, PATIENTS, "nationalId") or "",
                child_text(i, PATIENTS, "nationalIdType") or "",
            )
            for i in item.iterfind(_p("patientIdentifier"))
        ),
        TRANSACTION,
    )
    last_name = child_text(item, PATIENTS, "lastName")
    if last_name is None:
        raise unreadable(TRANSACTION, "a patient without a last name")
    return AuthorizedPatient(
        ins=ins,
        ins_oid=oid,
        last_name=last_name,
        birth_name=child_text(item, PATIENTS, "patronymicalName"),
        first_name=child_text(item, PATIENTS, "firstName"),
        birth_date=dmp_day(child_text(item, PATIENTS, "dateOfBirth"), TRANSACTION),
        treating_physician=bool(
            dmp_bool(child_text(item, PATIENTS, "MT"), TRANSACTION, default=False)
        ),
        last_access=dmp_time(child_text(item, PATIENTS, "lastAccessDate"), TRANSACTION),
        last_update=dmp_time(child_text(item, PATIENTS, "lastUpdateDate"), TRANSACTION),
        last_deposit=dmp_time(child_text(item, PATIENTS, "lastAddDate"), TRANSACTION),
    )
