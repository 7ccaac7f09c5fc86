"""Access to one DMP: its state, the caller's authorization and column of the rights matrix.

Authorization states (docs/dmp-sandbox.md, "Rights"): ``NON_EXISTE`` (none), ``VALIDE``,
``EXPIRE`` — here: no action by that professional on the DMP for more than six months,
a choice of ours —, ``INTERDIT`` (blocked by the patient). Normal-mode access to
documents needs ``VALIDE``; emergency and centre 15 access need none but are refused when
the patient opposed them; ``INTERDIT`` refuses every mode (ours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cardbridge.sandbox.authentication import Caller
from cardbridge.sandbox.faults import Fault, ServiceFault
from cardbridge.sandbox.rights import Actor, Cell, cell
from cardbridge.sandbox.store import Row, Store
from cardbridge.sandbox.vihf import Purpose

AUTHORIZATION_LIFETIME = timedelta(days=183)  # "six months", ours
OCCUPATIONAL_MEDICINE = "SM25"  # R01 "Médecine du travail"
DOCTOR = "10"
CPE_CARD = 2
_RESOURCE = (
    "Assertion/AttributeStatement/Attribute"
    "[@Name='urn:oasis:names:tc:xacml:2.0:resource:resource-id']"
)


@dataclass(frozen=True)
class Access:
    """The caller facing one DMP."""

    caller: Caller
    dmp: Row | None
    authorization: Row | None
    status: str
    now: datetime

    @property
    def treating(self) -> bool:
        return self.status == "VALIDE" and bool(
            self.authorization and self.authorization["treating"]
        )

    @property
    def actor(self) -> Actor:
        """The caller's column in the rights matrix."""
        claims = self.caller.claims
        if not claims.authentication_mode.direct:
            return Actor.STRUCTURE
        if self.caller.client.identifier and "/" in self.caller.client.identifier:
            return Actor.CPE
        if self.treating:
            return Actor.TREATING_PHYSICIAN
        if claims.profession == DOCTOR:
            if claims.specialty == OCCUPATIONAL_MEDICINE:
                return Actor.OCCUPATIONAL_DOCTOR
            return Actor.DOCTOR
        return Actor.PROFESSIONAL

    def cell(self, right: str) -> Cell:
        return cell(right, self.actor, self.caller.claims.purpose)

    def require(self, right: str, location: str) -> Cell:
        """The matrix's cell for ``right``; :class:`ServiceFault` when it says no."""
        found = self.cell(right)
        if not found.allowed:
            raise ServiceFault(
                Fault.ACCESS_DENIED,
                location,
                f"{right} refusé ({self.actor}, {self.caller.claims.purpose})",
            )
        return found

    def require_open_dmp(self) -> Row:
        """The DMP, active; :class:`ServiceFault` when there is none or it is closed."""
        if self.dmp is None:
            raise ServiceFault(Fault.DMP_NOT_FOUND, _RESOURCE)
        if self.dmp["status"] != "active":
            raise ServiceFault(Fault.DMP_CLOSED, _RESOURCE)
        return self.dmp

    def require_document_access(self, location: str) -> None:
        """What reading or writing documents needs beyond the matrix: an authorization in
        normal mode, no opposition of the patient to the emergency modes."""
        dmp = self.require_open_dmp()
        purpose = self.caller.claims.purpose
        if self.status == "INTERDIT":
            raise ServiceFault(Fault.ACCESS_DENIED, location, "accès interdit par le patient")
        if (
            purpose is Purpose.NORMAL
            and self.actor is not Actor.STRUCTURE
            and self.status != "VALIDE"
        ):
            raise ServiceFault(Fault.ACCESS_DENIED, location, f"autorisation d'accès {self.status}")
        if purpose is Purpose.EMERGENCY and dmp["opposition_emergency"]:
            raise ServiceFault(
                Fault.ACCESS_DENIED, location, "le patient s'oppose au bris de glace"
            )
        if purpose is Purpose.CENTRE_15 and dmp["opposition_centre_15"]:
            raise ServiceFault(
                Fault.ACCESS_DENIED, location, "le patient s'oppose à l'accès centre 15"
            )


def authorization_status(row: Row | None, now: datetime) -> str:
    """``NON_EXISTE``, ``VALIDE``, ``EXPIRE`` or ``INTERDIT``."""
    if row is None:
        return "NON_EXISTE"
    if row["status"] == "INTERDIT":
        return "INTERDIT"
    last = datetime.fromisoformat(row["last_action"].replace("Z", "+00:00"))
    return "EXPIRE" if now - last > AUTHORIZATION_LIFETIME else "VALIDE"


def access_for(caller: Caller, store: Store, now: datetime) -> Access:
    """The caller facing the DMP of the VIHF's resource-id."""
    patient = caller.claims.patient
    dmp = store.one("SELECT * FROM dmp WHERE ins = ?", patient.ins) if patient else None
    if dmp is not None and patient is not None and dmp["oid"] != patient.oid:
        dmp = None
    authorization = (
        store.one(
            "SELECT * FROM authorization_ WHERE ins = ? AND actor_id = ?",
            dmp["ins"],
            caller.actor_id,
        )
        if dmp is not None
        else None
    )
    return Access(caller, dmp, authorization, authorization_status(authorization, now), now)


def iso(moment: datetime) -> str:
    """The store's form of a moment (UTC, seconds)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def record_action(access: Access, store: Store) -> None:
    """Note that an authorized caller acted on the DMP (keeps the authorization alive)."""
    if access.dmp is None or access.status != "VALIDE":
        return
    with store.transaction() as db:
        db.execute(
            "UPDATE authorization_ SET last_action = ? WHERE ins = ? AND actor_id = ?",
            (iso(access.now), access.dmp["ins"], access.caller.actor_id),
        )
