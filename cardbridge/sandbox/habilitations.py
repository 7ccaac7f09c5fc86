"""TD0.3, ``setAuthorization``: add or remove one's own authorization, become or stop being
the patient's treating physician (docs/dmp-sandbox.md, "TD0.2 and TD0.3").

``AJOUT`` grants (or renews) the caller's access; ``AJOUT`` with ``MEDECIN_TRAITANT`` also
makes a doctor a treating physician; ``AJOUT`` without the role by a treating physician
stops that status and keeps the access; ``SUPPRESSION`` removes the caller's access. The
patient is the VIHF's resource-id. Answer: ``output{status: DMPOk, context}``.
"""

from __future__ import annotations

from lxml import etree

from cardbridge.sandbox.access import DOCTOR, Access, access_for, iso
from cardbridge.sandbox.faults import Fault, ServiceFault
from cardbridge.sandbox.service import Exchange, Reply
from cardbridge.sandbox.store import Store
from cardbridge.sandbox.wire import HABILITATIONS

TREATING_ROLE = "MEDECIN_TRAITANT"
ALREADY = "Autorisation déjà présente aucune action effectuée"


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element.iterchildren(tag=etree.Element):
        if etree.QName(child).localname == name:
            return (child.text or "").strip()
    return None


def _output(status: str, context: str) -> etree._Element:
    answer = etree.Element(
        f"{{{HABILITATIONS}}}setAuthorizationResponse", nsmap={"hab": HABILITATIONS}
    )
    # Every element in the service's namespace: the WSDL's form="qualified" (MSG, WSDL).
    output = etree.SubElement(answer, f"{{{HABILITATIONS}}}output")
    etree.SubElement(output, f"{{{HABILITATIONS}}}status").text = status
    etree.SubElement(output, f"{{{HABILITATIONS}}}context").text = context
    return answer


def set_authorization(exchange: Exchange, store: Store) -> Reply:
    """Answer TD0.3."""
    body = exchange.request.payload
    if body is None or body.tag != f"{{{HABILITATIONS}}}setAuthorization":
        raise ServiceFault(Fault.INVALID_REQUEST, "/Envelope/Body", "setAuthorization attendu")
    action = _child_text(body, "action")
    role = _child_text(body, "role")
    if action not in ("AJOUT", "SUPPRESSION") or role not in (None, "", TREATING_ROLE):
        raise ServiceFault(Fault.INVALID_REQUEST, "setAuthorization/action", "AJOUT ou SUPPRESSION")
    access = access_for(exchange.caller, store, exchange.now)
    access.require_open_dmp()
    if access.status == "INTERDIT":
        raise ServiceFault(Fault.ACCESS_DENIED, "setAuthorization", "accès interdit par le patient")
    if action == "SUPPRESSION":
        return _remove(access, store)
    return _add(access, store, treating=role == TREATING_ROLE)


def _remove(access: Access, store: Store) -> Reply:
    access.require("TD0.3.remove", "setAuthorization/action")
    assert access.dmp is not None
    with store.transaction() as db:
        db.execute(
            "DELETE FROM authorization_ WHERE ins = ? AND actor_id = ?",
            (access.dmp["ins"], access.caller.actor_id),
        )
    return Reply(_output("DMPOk", "Autorisation supprimée"))


def _add(access: Access, store: Store, *, treating: bool) -> Reply:
    assert access.dmp is not None
    if access.treating and not treating:
        access.require("TD0.3.stop_treating", "setAuthorization/role")
    else:
        access.require("TD0.3.add", "setAuthorization/action")
    if treating and access.caller.claims.profession != DOCTOR:
        raise ServiceFault(
            Fault.ACCESS_DENIED,
            "setAuthorization/role",
            "seul un médecin peut être médecin traitant",
        )
    if access.status == "VALIDE" and access.treating == treating:
        return Reply(_output("DMPOk", ALREADY))
    now = iso(access.now)
    # A renewed authorization starts again; a change of role keeps its start.
    kept = access.authorization if access.status == "VALIDE" else None
    started = kept["started"] if kept is not None else now
    with store.transaction() as db:
        db.execute(
            "INSERT OR REPLACE INTO authorization_ VALUES (?, ?, 'VALIDE', ?, ?, ?)",
            (access.dmp["ins"], access.caller.actor_id, int(treating), started, now),
        )
    return Reply(_output("DMPOk", "Autorisation ajoutée"))
