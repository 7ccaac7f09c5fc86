"""TD0.2, the existence and authorization test: HL7v3 ``PRPA_IN201307UV02`` (reasonCode
``TEST_EXST``) to the ``patients`` service, answered by ``PRPA_IN201308UV02``.

The answer says whether the DMP exists (``queryResponseCode`` ``OK``/``NF``), whether it
is open (the patient's ``statusCode`` ``active``/``terminated``, the closing date and
reason), the caller's authorization (attention line ``AUTORISATION``) and treating-physician
status (``STATUT_MT``), and the patient's administrative observations when given.
Facts and sources: docs/dmp-client.md, "Patients and authorizations".
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.results import Authorization, DmpState, DmpStatus, PatientCandidate
from cardbridge.dmp.transactions import hl7v3
from cardbridge.dmp.transactions.hl7v3 import Hl7Sender, h, sub
from cardbridge.dmp.transactions.names import XSI
from cardbridge.dmp.transactions.search import read_patient
from cardbridge.dmp.transactions.values import dmp_bool, dmp_time, unreadable
from cardbridge.dmp.transport import Service, SoapCall, Transport
from cardbridge.errors import DmpRefusedError

TRANSACTION = "TD0.2"
ACTION = "urn:hl7-org:v3:PRPA_IN201307UV02"
REQUEST = "PRPA_IN201307UV02"
ANSWER = "PRPA_IN201308UV02"
REASON_SYSTEM = "1.2.250.1.213.1.1.4.11"
AUTHORIZATION_KEYWORD = "AUTORISATION"  # values in 1.2.250.1.213.4.1.2.6.2
TREATING_KEYWORD = "STATUT_MT"
_STATES = {"active": DmpState.ACTIVE, "terminated": DmpState.CLOSED}
# administrativeObservation codes → DmpStatus fields.
_OBSERVATIONS = {
    "COMPTE_INTERNET_OUVERT": "web_access_open",
    "OPPOSITION_ACCES_URGENCE": "emergency_access_opposed",
    "OPPOSITION_BRIS_DE_GLACE": "break_glass_opposed",
    "RATTACHEMENT_ENS": "attached_to_mon_espace_sante",
}


def existence_request(ins: InsReference, sender: Hl7Sender) -> etree._Element:
    """The ``PRPA_IN201307UV02`` of a TD0.2 about ``ins``, as in the ANS sample."""
    message = hl7v3.message(REQUEST, sender)
    sub(message, "attentionLine").set(f"{{{XSI}}}nil", "true")
    control = sub(message, "controlActProcess", classCode="CACT", moodCode="EVN")
    sub(
        control,
        "reasonCode",
        code="TEST_EXST",
        codeSystem=REASON_SYSTEM,
        displayName="Test d'existence de dossier",
    )
    parameters = hl7v3.query(control, sender)
    sub(parameters, "dataSource").set(f"{{{XSI}}}nil", "true")
    identifier = sub(parameters, "patientIdentifier")
    sub(identifier, "value", root=ins.oid, extension=ins.value)
    sub(identifier, "semanticsText", "Patient.id")
    return message


def existence_test(
    transport: Transport, vihf: bytes, ins: InsReference, sender: Hl7Sender
) -> DmpStatus:
    """TD0.2: does ``ins`` have a DMP, is it open, and what may the VIHF's caller do there.

    The VIHF's resource-id must name the same INS (the DMP refuses a mismatch).
    """
    return existence_test_with_traits(transport, vihf, ins, sender)[0]


def existence_test_with_traits(
    transport: Transport, vihf: bytes, ins: InsReference, sender: Hl7Sender
) -> tuple[DmpStatus, PatientCandidate | None]:
    """TD0.2, and the patient's traits the DMP states with a found DMP (names, sex, birth
    date: ``patientPerson`` [MSG]), ``None`` when it states none for ``ins``."""
    call = SoapCall(
        Service.PATIENTS, ACTION, existence_request(ins, sender), transaction=TRANSACTION
    )
    payload = transport.call(call, vihf).payload
    status = read_status(payload)
    if status.state is DmpState.ABSENT:
        return status, None
    return status, read_traits(payload, ins)


def read_traits(payload: etree._Element, ins: InsReference) -> PatientCandidate | None:
    """The traits of the found patient of a ``PRPA_IN201308UV02`` answer, when it gives
    them (``patientPerson`` with a birth date and a given name) about ``ins`` itself."""
    answer = hl7v3.answer_root(payload, ANSWER, TRANSACTION)
    path = "/".join(h(p) for p in ("controlActProcess", "subject", "registrationEvent"))
    patient = answer.find(f"{path}/{h('subject1')}/{h('patient')}")
    if patient is None or patient.find(h("patientPerson")) is None:
        return None
    traits = read_patient(patient, TRANSACTION)
    if (traits.ins, traits.ins_oid) != (ins.value, ins.oid):
        raise unreadable(TRANSACTION, "the patient found is not the INS asked")
    if traits.birth_date is None or traits.first_name is None:
        return None
    return traits


def _attention(answer: etree._Element, keyword: str) -> etree._Element | None:
    for line in answer.iterfind(h("attentionLine")):
        word = line.find(h("keyWordText"))
        if word is not None and word.get("code") == keyword:
            return line.find(h("value"))
    return None


def _authorization(answer: etree._Element) -> Authorization:
    value = _attention(answer, AUTHORIZATION_KEYWORD)
    if value is None:
        raise unreadable(TRANSACTION, "no AUTORISATION attention line")
    try:
        return Authorization(value.get("code", ""))
    except ValueError:
        raise unreadable(TRANSACTION, f"unknown authorization {value.get('code')!r}") from None


def read_status(payload: etree._Element) -> DmpStatus:
    """Read a ``PRPA_IN201308UV02`` answer into a :class:`DmpStatus`."""
    answer = hl7v3.answer_root(payload, ANSWER, TRANSACTION)
    hl7v3.check_acknowledgement(answer, TRANSACTION)
    response = hl7v3.query_response_code(answer, TRANSACTION)
    if response == "NF":
        return DmpStatus(state=DmpState.ABSENT)
    if response != "OK":
        raise DmpRefusedError(response, hl7v3.detail_text(answer), transaction=TRANSACTION)
    event = answer.find(f"{h('controlActProcess')}/{h('subject')}/{h('registrationEvent')}")
    patient = event.find(f"{h('subject1')}/{h('patient')}") if event is not None else None
    if event is None or patient is None:
        raise unreadable(TRANSACTION, "a found DMP without its patient")
    status = patient.find(h("statusCode"))
    state = _STATES.get(status.get("code", "") if status is not None else "")
    if state is None:
        raise unreadable(TRANSACTION, "the patient's statusCode is not active nor terminated")
    treating = _attention(answer, TREATING_KEYWORD)
    found: dict[str, object] = {
        "state": state,
        "authorization": _authorization(answer),
        "treating_physician": dmp_bool(
            treating.get("value") if treating is not None else None, TRANSACTION, default=False
        ),
    }
    if state is DmpState.CLOSED:
        found["closed_on"] = _closing_date(event)
        reason = answer.find(
            f"{h('controlActProcess')}/{h('reasonOf')}/{h('detectedIssueEvent')}/{h('code')}"
        )
        found["closing_reason"] = reason.get("code") if reason is not None else None
    for observation in patient.iterfind(f"{h('subjectOf')}/{h('administrativeObservation')}"):
        code = observation.find(h("code"))
        value = observation.find(h("value"))
        field = _OBSERVATIONS.get(code.get("code", "") if code is not None else "")
        if field is not None and value is not None:
            found[field] = dmp_bool(value.get("value"), TRANSACTION)
    return DmpStatus.model_validate(found)


def _closing_date(event: etree._Element) -> datetime | None:
    # A point in time (@value, as a third-party parser reads it) or an interval's end.
    effective = event.find(h("effectiveTime"))
    if effective is None:
        return None
    high = effective.find(h("high"))
    value = effective.get("value") or (high.get("value") if high is not None else None)
    return dmp_time(value, TRANSACTION)
