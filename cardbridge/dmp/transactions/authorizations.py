"""TD0.3 (``setAuthorization``: add or remove one's own authorization, become or stop
being the treating physician) and TD1.6 (``listAuthorizationByPatient``: who is authorized
on, or blocked from, the DMP), both on the ``habilitations`` service, every element in
``urn:si-dmp-habilitations``. The patient is the VIHF's resource-id: the bodies name none.
Facts and sources: docs/dmp-client.md, "Patients and authorizations".
"""

from __future__ import annotations

from enum import StrEnum

from lxml import etree

from cardbridge.dmp.results import AuthorizationMode, PractitionerAuthorization
from cardbridge.dmp.transactions.names import HABILITATIONS
from cardbridge.dmp.transactions.output import child_text, read_output
from cardbridge.dmp.transactions.values import dmp_time, unreadable
from cardbridge.dmp.transport import Service, SoapCall, Transport
from cardbridge.errors import InvalidInputError

SET_ACTION = "urn:si-dmp-habilitations:HabilitationsEndPoint:setAuthorization"
LIST_ACTION = "urn:si-dmp-habilitations:HabilitationsEndPoint:listAuthorizationByPatient"
TREATING_ROLE = "MEDECIN_TRAITANT"


class AuthorizationAction(StrEnum):
    """TD0.3's action. ``ADD`` without the role, by a treating physician, stops that
    status and keeps the access."""

    ADD = "AJOUT"
    REMOVE = "SUPPRESSION"


class AuthorizationListMode(StrEnum):
    """TD1.6's mode: active authorizations, blocked professionals, or both."""

    ACTIVE = "ACTIVE"
    FORBIDDEN = "INTERDITE"
    ALL = "TOUTE"


def _hab(tag: str) -> str:
    return f"{{{HABILITATIONS}}}{tag}"


def set_authorization_request(
    action: AuthorizationAction, *, treating_physician: bool = False
) -> etree._Element:
    """The ``setAuthorization`` body."""
    body = etree.Element(_hab("setAuthorization"), nsmap={"hab": HABILITATIONS})
    etree.SubElement(body, _hab("action")).text = AuthorizationAction(action).value
    if treating_physician:
        etree.SubElement(body, _hab("role")).text = TREATING_ROLE
    return body


def set_authorization(
    transport: Transport,
    vihf: bytes,
    action: AuthorizationAction,
    *,
    treating_physician: bool = False,
) -> str:
    """TD0.3 on the VIHF's patient; returns the DMP's context text (e.g. "Autorisation
    déjà présente aucune action effectuée"). A status other than ``DMPOk`` is a
    :class:`~cardbridge.errors.DmpRefusedError` with the DMP's status and text."""
    if treating_physician and action is AuthorizationAction.REMOVE:
        raise InvalidInputError(
            "the treating-physician role goes with adding an authorization (AJOUT); to stop "
            "being treating physician and keep access, add without the role",
            field="treating_physician",
        )
    call = SoapCall(
        Service.HABILITATIONS,
        SET_ACTION,
        set_authorization_request(action, treating_physician=treating_physician),
        transaction="TD0.3",
    )
    return read_set_authorization(transport.call(call, vihf).payload)


def read_set_authorization(payload: etree._Element) -> str:
    """The context text of a ``setAuthorizationResponse`` whose status is ``DMPOk``."""
    output = read_output(payload, HABILITATIONS, "setAuthorizationResponse", "TD0.3")
    return child_text(output, HABILITATIONS, "context") or ""


def list_authorizations(
    transport: Transport, vihf: bytes, mode: AuthorizationListMode
) -> list[PractitionerAuthorization]:
    """TD1.6: the professionals and structures authorized on (or blocked from) the VIHF's
    patient's DMP."""
    body = etree.Element(_hab("listAuthorizationByPatient"), nsmap={"hab": HABILITATIONS})
    etree.SubElement(body, _hab("mode")).text = AuthorizationListMode(mode).value
    call = SoapCall(Service.HABILITATIONS, LIST_ACTION, body, transaction="TD1.6")
    return read_authorizations(transport.call(call, vihf).payload)


def read_authorizations(payload: etree._Element) -> list[PractitionerAuthorization]:
    """Read a ``listAuthorizationByPatientResponse`` whose status is ``DMPOk``."""
    output = read_output(payload, HABILITATIONS, "listAuthorizationByPatientResponse", "TD1.6")
    return [_authorization(item) for item in output.iterfind(_hab("listOfAuthorizationByPatient"))]


def _texts(item: etree._Element, name: str) -> list[str]:
    return [
        " ".join(element.text.split())
        for element in item.iterfind(_hab(name))
        if element.text and element.text.strip()
    ]


def _authorization(item: etree._Element) -> PractitionerAuthorization:
    national_id = child_text(item, HABILITATIONS, "nationalId")
    id_type = child_text(item, HABILITATIONS, "nationalIdType")
    if national_id is None or id_type is None:
        raise unreadable("TD1.6", "an authorization without nationalId and nationalIdType")
    try:
        mode = AuthorizationMode(child_text(item, HABILITATIONS, "mode") or "")
    except ValueError:
        raise unreadable("TD1.6", f"mode {child_text(item, HABILITATIONS, 'mode')!r}") from None
    return PractitionerAuthorization(
        national_id=national_id,
        national_id_type=id_type,
        last_name=child_text(item, HABILITATIONS, "lastName"),
        first_name=child_text(item, HABILITATIONS, "firstName"),
        specialties=_texts(item, "libSpeciality"),
        specialty_codes=_texts(item, "codeSpeciality"),
        since=dmp_time(child_text(item, HABILITATIONS, "startOfAuthorization"), "TD1.6"),
        last_action=dmp_time(child_text(item, HABILITATIONS, "lastActionDate"), "TD1.6"),
        mode=mode,
        treating_physician=TREATING_ROLE in _texts(item, "specificRight"),
    )
