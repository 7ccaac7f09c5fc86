"""TD0.5, finding a patient without INS: PDQv3 ``PRPA_IN201305UV02`` to the
``patientsPDQ`` service, answered by ``PRPA_IN201306UV02`` with at most 10 patients.

Each :class:`~cardbridge.dmp.patients.IdentityCriteria` field becomes a PDQv3 parameter
(names → ``livingSubjectName``, sex → ``livingSubjectAdministrativeGender``, birth date,
year, ranges and ages → ``livingSubjectBirthTime``, birth department →
``livingSubjectBirthPlaceAddress``). The rights matrix opens TD0.5 to most professionals
in centre 15 (régulation) mode only: the DMP's refusal says so.
Facts and sources: docs/dmp-client.md, "Patients and authorizations".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from lxml import etree

from cardbridge.dmp.patients import IdentityCriteria
from cardbridge.dmp.results import PatientCandidate
from cardbridge.dmp.transactions import hl7v3
from cardbridge.dmp.transactions.hl7v3 import INTERACTION_ROOT, Hl7Sender, h, sub
from cardbridge.dmp.transactions.values import dmp_bool, dmp_day, pick_ins, unreadable
from cardbridge.dmp.transport import Service, SoapCall, Transport
from cardbridge.errors import DmpRefusedError
from cardbridge.messages import inputs as say

TRANSACTION = "TD0.5"
ACTION = "urn:hl7-org:v3:PRPA_IN201305UV02"
REQUEST = "PRPA_IN201305UV02"
ANSWER = "PRPA_IN201306UV02"
ACCESS_DENIED = "DMPAccessDeniedByRightsService"
TOO_MANY = "QE"  # more patients match than the DMP returns (10)
_TOO_MANY = say.SEARCH_TOO_MANY
_CENTRE_15_ONLY = say.SEARCH_CENTRE_15_ONLY


def _days(text: str) -> date:
    return datetime.strptime(text, "%d/%m/%Y").date()


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _birth_range(criteria: IdentityCriteria, today: date) -> tuple[date | None, date | None]:
    """The birth dates the criteria allow, as an interval (either end may be open)."""
    if criteria.birth_year is not None:
        year = int(criteria.birth_year)
        return date(year, 1, 1), date(year, 12, 31)
    if criteria.birth_date_from is not None and criteria.birth_date_to is not None:
        return _days(criteria.birth_date_from), _days(criteria.birth_date_to)
    youngest = criteria.age if criteria.age is not None else criteria.age_min
    oldest = criteria.age if criteria.age is not None else criteria.age_max
    # Aged n today: born after today - (n + 1) years, on or before today - n years.
    low = _years_before(today, oldest + 1) + timedelta(days=1) if oldest is not None else None
    high = _years_before(today, youngest) if youngest is not None else None
    return low, high


def _parameter(parameters: etree._Element, name: str, semantics: str) -> etree._Element:
    parameter = sub(parameters, name)
    value = sub(parameter, "value")
    sub(parameter, "semanticsText", semantics)
    return value


def search_request(
    criteria: IdentityCriteria, sender: Hl7Sender, today: date | None = None
) -> etree._Element:
    """The ``PRPA_IN201305UV02`` of a TD0.5 (parameters in the schema's order)."""
    message = hl7v3.message(REQUEST, sender)
    control = sub(message, "controlActProcess", classCode="CACT", moodCode="EVN")
    sub(control, "code", code="PRPA_TE201305UV02", codeSystem=INTERACTION_ROOT)
    parameters = hl7v3.query(control, sender)
    gender = _parameter(
        parameters, "livingSubjectAdministrativeGender", "LivingSubject.administrativeGender"
    )
    gender.set("code", criteria.sex.value)
    if criteria.birth_department is not None:
        place = _parameter(
            parameters, "livingSubjectBirthPlaceAddress", "LivingSubject.birthPlace.addr"
        )
        sub(place, "county", criteria.birth_department)
    if criteria.birth_date is not None:
        birth = _parameter(parameters, "livingSubjectBirthTime", "LivingSubject.birthTime")
        birth.set("value", _days(criteria.birth_date).strftime("%Y%m%d"))
    else:
        low, high = _birth_range(criteria, today or date.today())
        if low is not None or high is not None:
            birth = _parameter(parameters, "livingSubjectBirthTime", "LivingSubject.birthTime")
            for end, day in (("low", low), ("high", high)):
                if day is not None:
                    sub(birth, end, value=day.strftime("%Y%m%d"))
    name = _parameter(parameters, "livingSubjectName", "LivingSubject.name")
    sub(name, "family", criteria.last_name)
    sub(name, "given", criteria.first_name)
    return message


def search_patients(
    transport: Transport, vihf: bytes, criteria: IdentityCriteria, sender: Hl7Sender
) -> list[PatientCandidate]:
    """TD0.5: the patients (at most 10) matching ``criteria``, each with its INS.

    The VIHF names no patient (docs/dmp-client.md). A refusal by the rights service comes
    back as :class:`DmpRefusedError` with the DMP's code and text and a message saying
    that this search is for centre 15 mode.
    """
    call = SoapCall(
        Service.PATIENTS_PDQ, ACTION, search_request(criteria, sender), transaction=TRANSACTION
    )
    try:
        answer = transport.call(call, vihf)
    except DmpRefusedError as refused:
        if refused.dmp_code != ACCESS_DENIED:
            raise
        told = f"{refused.dmp_code}: {refused.dmp_text}" if refused.dmp_text else ACCESS_DENIED
        raise DmpRefusedError(
            refused.dmp_code,
            refused.dmp_text,
            transaction=TRANSACTION,
            message=_CENTRE_15_ONLY.format(told=told),
        ) from refused
    return read_candidates(answer.payload)


def read_candidates(payload: etree._Element) -> list[PatientCandidate]:
    """Read a ``PRPA_IN201306UV02`` answer: ``NF`` is no patient, ``OK`` the patients."""
    answer = hl7v3.answer_root(payload, ANSWER, TRANSACTION)
    hl7v3.check_acknowledgement(answer, TRANSACTION)
    response = hl7v3.query_response_code(answer, TRANSACTION)
    if response == "NF":
        return []
    if response == TOO_MANY:
        text = hl7v3.detail_text(answer)
        raise DmpRefusedError(
            response,
            text,
            transaction=TRANSACTION,
            message=_TOO_MANY.format(told=f"{response}: {text}" if text else response),
        )
    if response != "OK":  # AE: a query error
        raise DmpRefusedError(response, hl7v3.detail_text(answer), transaction=TRANSACTION)
    path = f"{h('controlActProcess')}/{h('subject')}/{h('registrationEvent')}/{h('subject1')}"
    return [_candidate(patient) for patient in answer.iterfind(f"{path}/{h('patient')}")]


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find("/".join(h(part) for part in path.split("/")))
    text = " ".join((found.text or "").split()) if found is not None else ""
    return text or None


def _candidate(patient: etree._Element) -> PatientCandidate:
    return read_patient(patient, TRANSACTION)


def read_patient(patient: etree._Element, transaction: str) -> PatientCandidate:
    """An HL7v3 ``patient`` as the DMP states it (TD0.5's candidates, TD0.2's found
    patient [MSG]): its INS, names, sex, birth date and what else it gives."""
    ins, oid = pick_ins(
        ((i.get("extension", ""), i.get("root", "")) for i in patient.iterfind(h("id"))),
        transaction,
    )
    person = patient.find(h("patientPerson"))
    if person is None:
        raise unreadable(transaction, "a patient without patientPerson")
    families = {
        family.get("qualifier", ""): " ".join((family.text or "").split())
        for family in person.iterfind(f"{h('name')}/{h('family')}")
    }
    last_name = families.get("SP") or families.get("") or families.get("BR")
    if not last_name:
        raise unreadable(transaction, "a patient without a family name")
    gender = person.find(h("administrativeGenderCode"))
    birth = person.find(h("birthTime"))
    match = patient.find(f"{h('subjectOf1')}/{h('queryMatchObservation')}/{h('value')}")
    try:
        percent = int(match.get("value", "")) if match is not None else None
    except ValueError:
        raise unreadable(transaction, "a match percentage that is not a number") from None
    opposition = None
    for observation in patient.iterfind(f"{h('subjectOf2')}/{h('administrativeObservation')}"):
        code = observation.find(h("code"))
        value = observation.find(h("value"))
        if code is not None and code.get("code") == "OPPOSITION_ACCES_URGENCE":
            opposition = dmp_bool(value.get("value") if value is not None else None, transaction)
    return PatientCandidate(
        ins=ins,
        ins_oid=oid,
        last_name=last_name,
        birth_name=families.get("BR"),
        first_name=_text(person, "name/given"),
        sex=gender.get("code") if gender is not None else None,
        birth_date=dmp_day(birth.get("value") if birth is not None else None, transaction),
        city=_text(person, "addr/city"),
        postal_code=_text(person, "addr/postalCode"),
        match_percent=percent,
        emergency_access_opposed=opposition,
    )
