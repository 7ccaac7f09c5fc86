"""TD0.2, the existence and authorization test: HL7v3 ``PRPA_IN201307UV02`` → ``…308UV02``.

The answer carries two attention lines — ``AUTORISATION`` (``VALIDE``, ``EXPIRE``,
``INTERDIT``, ``NON_EXISTE``) and ``STATUT_MT`` (is the caller a treating physician) —,
``queryResponseCode`` ``OK`` or ``NF`` (no DMP), and the patient with ``statusCode``
``active`` or ``terminated`` (closed DMP, closing date in ``registrationEvent``)
(docs/dmp-sandbox.md, "TD0.2 and TD0.3").
"""

from __future__ import annotations

import uuid

from lxml import etree

from cardbridge.sandbox.access import Access, access_for
from cardbridge.sandbox.faults import Fault, ServiceFault
from cardbridge.sandbox.service import Exchange, Reply
from cardbridge.sandbox.store import Row, Store
from cardbridge.sandbox.wire import HL7, XSI

DMP_OID = "1.2.250.1.213.4.1.1.1"
INTERACTION_OID = "2.16.840.1.113883.1.6"
REASON_SYSTEM = "1.2.250.1.213.1.1.4.11"
AUTHORIZATION_KEYWORD = ("AUTORISATION", "1.2.250.1.213.4.1.2.6.1")
AUTHORIZATION_VALUES = "1.2.250.1.213.4.1.2.6.2"
TREATING_KEYWORD = ("STATUT_MT", "1.2.250.1.213.4.1.2.6.3")
_NSMAP = {"hl7": HL7, "xsi": XSI}
_PATIENT_ID = "controlActProcess/queryByParameter/parameterList/patientIdentifier/value"


def _h(tag: str) -> str:
    return f"{{{HL7}}}{tag}"


def _sub(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, _h(tag), attributes)


def _device(parent: etree._Element, role: str, type_code: str, root: str) -> None:
    device = _sub(_sub(parent, role, typeCode=type_code), "device")
    device.set("classCode", "DEV")
    device.set("determinerCode", "INSTANCE")
    _sub(device, "id", root=root)
    if root == DMP_OID:
        etree.SubElement(device, _h("softwareName")).text = "DMP"


def _attention_line(
    message: etree._Element, keyword: tuple[str, str], value: etree._Element
) -> None:
    line = _sub(message, "attentionLine")
    _sub(line, "keyWordText", code=keyword[0], codeSystem=keyword[1])
    line.append(value)


def _patient(registration: etree._Element, dmp: Row) -> None:
    patient = _sub(_sub(registration, "subject1", typeCode="SBJ"), "patient", classCode="PAT")
    _sub(patient, "id", root=dmp["oid"], extension=dmp["ins"])
    _sub(patient, "statusCode", code="active" if dmp["status"] == "active" else "terminated")
    person = _sub(patient, "patientPerson", classCode="PSN", determinerCode="INSTANCE")
    name = _sub(person, "name")
    etree.SubElement(name, _h("given")).text = dmp["given"]
    etree.SubElement(name, _h("family"), qualifier="SP").text = dmp["family"]
    etree.SubElement(name, _h("family"), qualifier="BR").text = dmp["birth_family"]
    _sub(person, "administrativeGenderCode", code=dmp["sex"])
    _sub(person, "birthTime", value=dmp["birth_date"].replace("-", ""))


def _requested_patient(exchange: Exchange) -> etree._Element:
    message = exchange.request.payload
    if message is None or message.tag != _h("PRPA_IN201307UV02"):
        raise ServiceFault(Fault.INVALID_REQUEST, "/Envelope/Body", "PRPA_IN201307UV02 attendu")
    reason = message.find(f"{_h('controlActProcess')}/{_h('reasonCode')}")
    if reason is None or reason.get("code") != "TEST_EXST":
        raise ServiceFault(
            Fault.INVALID_REQUEST, "controlActProcess/reasonCode", "seul TEST_EXST est servi"
        )
    identifier = message.find("/".join(_h(part) for part in _PATIENT_ID.split("/")))
    patient = exchange.caller.claims.patient
    if (
        identifier is None
        or patient is None
        or (identifier.get("extension"), identifier.get("root")) != (patient.ins, patient.oid)
    ):
        raise ServiceFault(Fault.PATIENT_MISMATCH, _PATIENT_ID)
    return message


def _wrapper(message: etree._Element, exchange: Exchange, access: Access) -> etree._Element:
    answer = etree.Element(_h("PRPA_IN201308UV02"), ITSVersion="XML_1.0", nsmap=_NSMAP)
    _sub(answer, "id", root=DMP_OID, extension=str(uuid.uuid4()))
    _sub(answer, "creationTime", value=exchange.now.strftime("%Y%m%d%H%M%S"))
    _sub(answer, "interactionId", root=INTERACTION_OID, extension="PRPA_IN201308UV02")
    _sub(answer, "processingCode", code="P")
    _sub(answer, "processingModeCode", code="T")
    _sub(answer, "acceptAckCode", code="NE")
    sender = message.find(f"{_h('sender')}/{_h('device')}/{_h('id')}")
    _device(answer, "receiver", "RCV", sender.get("root", "") if sender is not None else "")
    _device(answer, "sender", "SND", DMP_OID)
    status = etree.Element(_h("value"), code=access.status, codeSystem=AUTHORIZATION_VALUES)
    status.set(f"{{{XSI}}}type", "CV")
    _attention_line(answer, AUTHORIZATION_KEYWORD, status)
    treating = etree.Element(_h("value"), value="true" if access.treating else "false")
    treating.set(f"{{{XSI}}}type", "BL")
    _attention_line(answer, TREATING_KEYWORD, treating)
    acknowledgement = _sub(answer, "acknowledgement", typeCode="AA")
    request_id = message.find(_h("id"))
    target = _sub(_sub(acknowledgement, "targetMessage"), "id")
    if request_id is not None:
        for key in ("root", "extension"):
            if request_id.get(key):
                target.set(key, request_id.get(key, ""))
    return answer


def _registration(control: etree._Element, dmp: Row) -> None:
    registration = _sub(_sub(control, "subject", typeCode="SUBJ"), "registrationEvent")
    registration.set("classCode", "REG")
    registration.set("moodCode", "EVN")
    _sub(registration, "statusCode", code="completed")
    if dmp["closed_at"]:
        closed = dmp["closed_at"].replace("-", "").replace(":", "").replace("T", "")
        # The closing date as registrationEvent/effectiveTime/@value: where a third-party
        # parser of the real answers reads it (docs/dmp-sandbox.md, "TD0.2 and TD0.3").
        _sub(registration, "effectiveTime", value=closed.rstrip("Z"))
    _patient(registration, dmp)
    custodian = _sub(_sub(registration, "custodian", typeCode="CST"), "assignedEntity")
    custodian.set("classCode", "ASSIGNED")
    _sub(custodian, "id", root=DMP_OID)


def existence_test(exchange: Exchange, store: Store) -> Reply:
    """Answer TD0.2."""
    message = _requested_patient(exchange)
    access = access_for(exchange.caller, store, exchange.now)
    access.require("TD0.2", "/Envelope/Body")
    answer = _wrapper(message, exchange, access)
    control = _sub(answer, "controlActProcess", classCode="CACT", moodCode="EVN")
    _sub(control, "code", code="PRPA_TE201308UV02", codeSystem=INTERACTION_OID)
    if access.dmp is not None:
        _registration(control, access.dmp)
    query_ack = _sub(control, "queryAck")
    query_id = message.find(f"{_h('controlActProcess')}/{_h('queryByParameter')}/{_h('queryId')}")
    if query_id is not None:
        query_ack.append(
            etree.Element(_h("queryId"), {str(k): str(v) for k, v in query_id.attrib.items()})
        )
    _sub(query_ack, "queryResponseCode", code="OK" if access.dmp is not None else "NF")
    return Reply(answer, result="OK" if access.dmp is not None else "NF")
