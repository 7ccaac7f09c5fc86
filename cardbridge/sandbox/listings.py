"""TD1.6 (professionals authorized or blocked on a DMP) and TD0.4 (the DMPs one is
authorized on): the ``output`` lists of the habilitations and patientsSpecific services
(docs/dmp-sandbox.md, "Lists")."""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from cardbridge.domain import terminologies
from cardbridge.domain.identifiers import NATIONAL_ID_OID, STRUCTURE_ID_OID
from cardbridge.sandbox.access import access_for, authorization_status
from cardbridge.sandbox.faults import Fault, ServiceFault
from cardbridge.sandbox.rights import Actor, cell
from cardbridge.sandbox.service import Exchange, Reply
from cardbridge.sandbox.store import Store
from cardbridge.sandbox.wire import HABILITATIONS, PATIENTS

_MODES = {"ACTIVE": ("VALIDE",), "INTERDITE": ("INTERDIT",), "TOUTE": ("VALIDE", "INTERDIT")}


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element.iterchildren(tag=etree.Element):
        if etree.QName(child).localname == name:
            return (child.text or "").strip()
    return None


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    # Every element in the answer's namespace: the WSDLs' form="qualified" (MSG, WSDL).
    element = etree.SubElement(parent, f"{{{etree.QName(parent).namespace}}}{name}")
    element.text = text
    return element


def _date(iso: str) -> str:
    return iso.replace("-", "").replace(":", "").replace("T", "").rstrip("Z")


def list_authorizations(exchange: Exchange, store: Store) -> Reply:
    """Answer TD1.6 (``listAuthorizationByPatient{mode}``)."""
    body = exchange.request.payload
    if body is None or body.tag != f"{{{HABILITATIONS}}}listAuthorizationByPatient":
        raise ServiceFault(Fault.INVALID_REQUEST, "/Envelope/Body", "listAuthorizationByPatient")
    mode = _child_text(body, "mode") or ""
    if mode not in _MODES:
        raise ServiceFault(
            Fault.INVALID_REQUEST, "listAuthorizationByPatient/mode", "ACTIVE, INTERDITE ou TOUTE"
        )
    access = access_for(exchange.caller, store, exchange.now)
    access.require("TD1.6", "listAuthorizationByPatient")
    access.require_document_access("listAuthorizationByPatient")
    assert access.dmp is not None
    answer = etree.Element(
        f"{{{HABILITATIONS}}}listAuthorizationByPatientResponse", nsmap={"hab": HABILITATIONS}
    )
    output = _add(answer, "output")
    statuses = _MODES[mode]
    rows = store.all(
        "SELECT a.*, p.first_name, p.last_name, p.profession, p.specialty, "
        "s.name AS structure_name "
        "FROM authorization_ a LEFT JOIN professional p ON p.national_id = a.actor_id "
        "LEFT JOIN structure s ON s.structure_id = a.actor_id WHERE a.ins = ? ORDER BY a.started",
        access.dmp["ins"],
    )
    for row in rows:
        if row["status"] not in statuses:
            continue
        item = _add(output, "listOfAuthorizationByPatient")
        person = row["last_name"] is not None
        _add(item, "nationalId", row["actor_id"])
        _add(item, "nationalIdType", NATIONAL_ID_OID if person else STRUCTURE_ID_OID)
        _add(item, "firstName", row["first_name"] or "")
        _add(item, "lastName", row["last_name"] or row["structure_name"] or "")
        if person:
            speciality = f"G15_{row['profession']}" + (
                f"/{row['specialty']}" if row["specialty"] else ""
            )
            _add(item, "codeSpeciality", speciality)
            _add(
                item,
                "libSpeciality",
                terminologies.SPECIALTIES.get(
                    row["specialty"] or "", terminologies.PROFESSIONS[row["profession"]]
                ),
            )
        _add(item, "startOfAuthorization", _date(row["started"]))
        _add(item, "lastActionDate", _date(row["last_action"]))
        _add(item, "mode", "ACTIVE" if row["status"] == "VALIDE" else "INTERDITE")
        if row["treating"]:
            _add(item, "specificRight", "MEDECIN_TRAITANT")
    _add(output, "status", "DMPOk")
    _add(output, "context", "")
    return Reply(answer)


def list_patients(exchange: Exchange, store: Store) -> Reply:
    """Answer TD0.4 (``patientList{startDate, dateType}``): the DMPs the caller (a
    professional, or a structure in indirect mode) holds a valid authorization on."""
    body = exchange.request.payload
    if body is None or body.tag != f"{{{PATIENTS}}}patientList":
        raise ServiceFault(Fault.INVALID_REQUEST, "/Envelope/Body", "patientList attendu")
    start, kind = _child_text(body, "startDate") or "", _child_text(body, "dateType") or ""
    try:
        since = datetime.strptime(start, "%Y%m%d%H%M%S")
    except ValueError:
        raise ServiceFault(
            Fault.INVALID_REQUEST, "patientList/startDate", "AAAAMMJJhhmmss"
        ) from None
    if kind not in ("LASTAUTORIZATION", "LASTDOC"):
        raise ServiceFault(
            Fault.INVALID_REQUEST, "patientList/dateType", "LASTAUTORIZATION ou LASTDOC"
        )
    caller = exchange.caller
    if not caller.claims.authentication_mode.direct:
        actor = Actor.STRUCTURE
    elif caller.claims.profession == "10":
        actor = Actor.DOCTOR
    else:
        actor = Actor.PROFESSIONAL
    if not cell("TD0.4", actor, caller.claims.purpose).allowed:
        raise ServiceFault(Fault.ACCESS_DENIED, "patientList", f"TD0.4 refusé ({actor})")
    answer = etree.Element(f"{{{PATIENTS}}}patientListResponse", nsmap={"pat": PATIENTS})
    output = _add(answer, "output")
    bound = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = store.all(
        "SELECT d.*, a.started, a.last_action, a.treating, a.status AS grant_status, "
        "(SELECT max(creation_time) FROM document WHERE ins = d.ins) AS last_doc "
        "FROM authorization_ a JOIN dmp d ON d.ins = a.ins "
        "WHERE a.actor_id = ? AND d.status = 'active' "
        "ORDER BY d.family, d.given",
        caller.actor_id,
    )
    for row in rows:
        if authorization_status(row, exchange.now) != "VALIDE" or row["grant_status"] != "VALIDE":
            continue
        reference = row["started"] if kind == "LASTAUTORIZATION" else _iso_doc(row["last_doc"])
        if reference is None or reference < bound:
            continue
        item = _add(output, "patientlistData")
        identifier = _add(item, "patientIdentifier")
        _add(identifier, "nationalId", row["ins"])
        _add(identifier, "nationalIdType", row["oid"])
        _add(item, "lastName", row["family"])
        _add(item, "patronymicalName", row["birth_family"])
        _add(item, "firstName", row["given"])
        _add(item, "dateOfBirth", row["birth_date"].replace("-", ""))
        _add(item, "MT", "true" if row["treating"] else "false")
        _add(item, "message", "false")
        _add(item, "lastAccessDate", _date(row["last_action"]))
        _add(item, "lastUpdateDate", row["last_doc"] or "")
        _add(item, "lastAddDate", row["last_doc"] or "")
    _add(output, "status", "DMPOk")
    _add(output, "context", "")
    return Reply(answer)


def _iso_doc(creation_time: str | None) -> str | None:
    if not creation_time:
        return None
    t = creation_time
    return f"{t[:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"
