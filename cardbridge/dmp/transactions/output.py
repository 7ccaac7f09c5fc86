"""The answers of the habilitations and patientsSpecific services (TD0.3, TD0.4, TD1.6):
``<response><output>…<status/><context/></output></response>``, every element in the
service's namespace (their WSDL: ``form="qualified"``; the ANS samples).

``status`` other than ``DMPOk`` is a refusal keeping the DMP's status and context text
(docs/dmp-client.md, "Errors").
"""

from __future__ import annotations

from lxml import etree

from cardbridge.dmp.transactions.values import unreadable
from cardbridge.errors import DmpRefusedError

DMP_OK = "DMPOk"


def read_output(
    payload: etree._Element, namespace: str, response: str, transaction: str
) -> etree._Element:
    """The ``output`` of a ``response`` answer whose status is ``DMPOk``."""
    if payload.tag != f"{{{namespace}}}{response}":
        raise unreadable(transaction, f"{response} expected, got {etree.QName(payload).localname}")
    output = payload.find(f"{{{namespace}}}output")
    if output is None:
        raise unreadable(transaction, "no output")
    status = (output.findtext(f"{{{namespace}}}status") or "").strip()
    if not status:
        raise unreadable(transaction, "no status")
    context = " ".join((output.findtext(f"{{{namespace}}}context") or "").split())
    if status != DMP_OK:
        raise DmpRefusedError(status, context, transaction=transaction)
    return output


def child_text(element: etree._Element, namespace: str, name: str) -> str | None:
    """The stripped text of ``element``'s child ``name``; ``None`` when absent or empty."""
    text = element.findtext(f"{{{namespace}}}{name}")
    return text.strip() or None if text is not None else None
