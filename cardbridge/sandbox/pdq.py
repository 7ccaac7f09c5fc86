"""TD0.5, patient search without INS (PDQv3): ``PRPA_IN201305UV02`` → ``…306UV02``.

Traits: family name (at least two characters, a prefix, case and accents ignored), given
name, birth time (a day, a year, or an interval), sex. At most 10 patients are returned,
"a limitation of the DMP" (the MagicDMP connector's documentation); beyond, the answer is
``QE`` with no patient and a text asking for more traits (ours). Allowed in centre 15
mode only for most professionals, per the rights matrix (docs/dmp-sandbox.md, "TD0.5").
"""

from __future__ import annotations

import unicodedata
import uuid

from lxml import etree

from cardbridge.sandbox.faults import Fault, ServiceFault
from cardbridge.sandbox.hl7v3 import DMP_OID, INTERACTION_OID
from cardbridge.sandbox.rights import Actor, cell
from cardbridge.sandbox.service import Exchange, Reply
from cardbridge.sandbox.store import Row, Store
from cardbridge.sandbox.wire import HL7, XSI

MAX_MATCHES = 10
_NSMAP = {"hl7": HL7, "xsi": XSI}


def _h(tag: str) -> str:
    return f"{{{HL7}}}{tag}"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper().strip()


def _traits(message: etree._Element) -> dict[str, str]:
    parameters = message.find(
        f"{_h('controlActProcess')}/{_h('queryByParameter')}/{_h('parameterList')}"
    )
    if parameters is None:
        raise ServiceFault(
            Fault.INVALID_REQUEST, "queryByParameter/parameterList", "critères absents"
        )
    traits = {
        "family": parameters.findtext(f"{_h('livingSubjectName')}/{_h('value')}/{_h('family')}")
        or "",
        "given": parameters.findtext(f"{_h('livingSubjectName')}/{_h('value')}/{_h('given')}")
        or "",
    }
    birth = parameters.find(f"{_h('livingSubjectBirthTime')}/{_h('value')}")
    gender = parameters.find(f"{_h('livingSubjectAdministrativeGender')}/{_h('value')}")
    # An IVL_TS: a point (to the day, or less precise: a year) or an interval low/high.
    traits["birth"] = birth.get("value", "") if birth is not None else ""
    for end in ("low", "high"):
        bound = birth.find(_h(end)) if birth is not None else None
        traits[end] = bound.get("value", "")[:8] if bound is not None else ""
    traits["sex"] = gender.get("code", "") if gender is not None else ""
    if len(_fold(traits["family"])) < 2:
        raise ServiceFault(
            Fault.INVALID_REQUEST, "livingSubjectName/value/family", "au moins 2 caractères"
        )
    return traits


def _matches(row: Row, traits: dict[str, str]) -> bool:
    family = _fold(traits["family"])
    if not (
        _fold(row["family"]).startswith(family) or _fold(row["birth_family"]).startswith(family)
    ):
        return False
    if traits["given"] and not _fold(row["given"]).startswith(_fold(traits["given"])):
        return False
    born = row["birth_date"].replace("-", "")
    if traits["birth"] and not born.startswith(traits["birth"][:8]):
        return False
    if traits["low"] and born < traits["low"].ljust(8, "0"):
        return False
    if traits["high"] and born > traits["high"].ljust(8, "9"):
        return False
    return not (traits["sex"] and row["sex"] != traits["sex"])


def find_patients(exchange: Exchange, store: Store) -> Reply:
    """Answer TD0.5."""
    message = exchange.request.payload
    if message is None or message.tag != _h("PRPA_IN201305UV02"):
        raise ServiceFault(Fault.INVALID_REQUEST, "/Envelope/Body", "PRPA_IN201305UV02 attendu")
    claims = exchange.caller.claims
    if not claims.authentication_mode.direct:
        actor = Actor.STRUCTURE
    else:
        actor = Actor.DOCTOR if claims.profession == "10" else Actor.PROFESSIONAL
    if not cell("TD0.5", actor, claims.purpose).allowed:
        raise ServiceFault(
            Fault.ACCESS_DENIED, "PRPA_IN201305UV02", f"TD0.5 refusé ({claims.purpose})"
        )
    traits = _traits(message)
    found = [
        row
        for row in store.all("SELECT * FROM dmp ORDER BY family, given")
        if _matches(row, traits)
    ]
    answer = etree.Element(_h("PRPA_IN201306UV02"), ITSVersion="XML_1.0", nsmap=_NSMAP)
    etree.SubElement(answer, _h("id"), root=DMP_OID, extension=str(uuid.uuid4()))
    etree.SubElement(answer, _h("creationTime"), value=exchange.now.strftime("%Y%m%d%H%M%S"))
    etree.SubElement(
        answer, _h("interactionId"), root=INTERACTION_OID, extension="PRPA_IN201306UV02"
    )
    etree.SubElement(answer, _h("processingCode"), code="P")
    etree.SubElement(answer, _h("processingModeCode"), code="T")
    etree.SubElement(answer, _h("acceptAckCode"), code="NE")
    # The TD0.5 sample writes the type code as a child element (TD0.2's as an attribute).
    acknowledgement = etree.SubElement(answer, _h("acknowledgement"))
    etree.SubElement(acknowledgement, _h("typeCode"), code="AA")
    control = etree.SubElement(answer, _h("controlActProcess"), classCode="CACT", moodCode="EVN")
    etree.SubElement(control, _h("code"), code="PRPA_TE201306UV02", codeSystem=INTERACTION_OID)
    too_many = len(found) > MAX_MATCHES
    if too_many:
        detail = etree.SubElement(acknowledgement, _h("acknowledgementDetail"))
        etree.SubElement(detail, _h("text")).text = "Trop de résultats : précisez la recherche"
    for row in [] if too_many else found:
        event = etree.SubElement(
            etree.SubElement(control, _h("subject"), typeCode="SUBJ"), _h("registrationEvent")
        )
        patient = etree.SubElement(
            etree.SubElement(event, _h("subject1"), typeCode="SBJ"), _h("patient")
        )
        etree.SubElement(patient, _h("id"), root=row["oid"], extension=row["ins"])
        etree.SubElement(
            patient, _h("statusCode"), code="active" if row["status"] == "active" else "terminated"
        )
        person = etree.SubElement(patient, _h("patientPerson"))
        name = etree.SubElement(person, _h("name"))
        etree.SubElement(name, _h("given")).text = row["given"]
        etree.SubElement(name, _h("family"), qualifier="SP").text = row["family"]
        etree.SubElement(name, _h("family"), qualifier="BR").text = row["birth_family"]
        etree.SubElement(person, _h("administrativeGenderCode"), code=row["sex"])
        etree.SubElement(person, _h("birthTime"), value=row["birth_date"].replace("-", ""))
    query_ack = etree.SubElement(control, _h("queryAck"))
    code = "QE" if too_many else ("OK" if found else "NF")
    etree.SubElement(query_ack, _h("queryResponseCode"), code=code)
    shown = 0 if too_many else len(found)
    etree.SubElement(query_ack, _h("resultTotalQuantity"), value=str(len(found)))
    etree.SubElement(query_ack, _h("resultCurrentQuantity"), value=str(shown))
    etree.SubElement(query_ack, _h("resultRemainingQuantity"), value=str(len(found) - shown))
    return Reply(answer, result=code)
