"""SOAP 1.2 envelopes: reading a request's addressing headers, writing answers and faults.

Every request must carry ``wsa:MessageID``, ``wsa:To``, ``wsa:ReplyTo`` and ``wsa:Action``
(the real server, Apache CXF, answers a missing one with a WS-Addressing fault); answers
carry ``Action`` (the response action), a new ``MessageID``, ``To`` anonymous and
``RelatesTo`` = the request's MessageID (docs/dmp-sandbox.md, "Envelopes").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from lxml import etree

from cardbridge.sandbox.faults import Fault, ServiceFault
from cardbridge.sandbox.wire import ANONYMOUS, SOAP, WSA, WSSE

# A parser that resolves no entity, reads no DTD and fetches nothing.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
)
_REQUIRED_ADDRESSING = ("MessageID", "To", "ReplyTo", "Action")


@dataclass(frozen=True)
class Request:
    """A parsed SOAP 1.2 request."""

    envelope: etree._Element
    header: etree._Element
    body: etree._Element
    message_id: str
    action: str

    @property
    def security(self) -> etree._Element | None:
        """The ``wsse:Security`` header, or None."""
        return self.header.find(f"{{{WSSE}}}Security")

    @property
    def payload(self) -> etree._Element | None:
        """The first element of the body, or None."""
        return next(iter(self.body.iterchildren(tag=etree.Element)), None)


def parse_xml(data: bytes, location: str = "/") -> etree._Element:
    """Parse XML safely; :class:`ServiceFault` when it is not well-formed."""
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        raise ServiceFault(Fault.NOT_SOAP, location, str(error)) from error


def read_request(root: etree._Element) -> Request:
    """Check the envelope and its WS-Addressing headers; :class:`ServiceFault` else."""
    if root.tag != f"{{{SOAP}}}Envelope":
        raise ServiceFault(Fault.NOT_SOAP, "/Envelope")
    header = root.find(f"{{{SOAP}}}Header")
    body = root.find(f"{{{SOAP}}}Body")
    if body is None:
        raise ServiceFault(Fault.NOT_SOAP, "/Envelope/Body")
    if header is None:
        raise ServiceFault(Fault.ADDRESSING_HEADER_MISSING, "/Envelope/Header")
    values: dict[str, str] = {}
    for name in _REQUIRED_ADDRESSING:
        element = header.find(f"{{{WSA}}}{name}")
        if element is None:
            raise ServiceFault(Fault.ADDRESSING_HEADER_MISSING, f"/Envelope/Header/wsa:{name}")
        values[name] = (element.text or "").strip()
    for name in ("MessageID", "Action"):
        if not values[name]:
            raise ServiceFault(Fault.ADDRESSING_HEADER_MISSING, f"/Envelope/Header/wsa:{name}")
    return Request(root, header, body, values["MessageID"], values["Action"])


def _envelope(action: str, relates_to: str | None) -> tuple[etree._Element, etree._Element]:
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP, "wsa": WSA})
    header = etree.SubElement(envelope, f"{{{SOAP}}}Header")
    etree.SubElement(header, f"{{{WSA}}}Action").text = action
    etree.SubElement(header, f"{{{WSA}}}MessageID").text = f"urn:uuid:{uuid.uuid4()}"
    etree.SubElement(header, f"{{{WSA}}}To").text = ANONYMOUS
    if relates_to:
        etree.SubElement(header, f"{{{WSA}}}RelatesTo").text = relates_to
    body = etree.SubElement(envelope, f"{{{SOAP}}}Body")
    return envelope, body


def answer(action: str, relates_to: str, payload: etree._Element) -> bytes:
    """A response envelope around ``payload``."""
    envelope, body = _envelope(action, relates_to)
    body.append(payload)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


FAULT_ACTION = "http://www.w3.org/2005/08/addressing/soap/fault"


def fault(error: ServiceFault, relates_to: str | None) -> bytes:
    """A SOAP 1.2 fault: ``soap:Sender``, the kind's subcode, its text, the location."""
    kind = error.kind.value
    envelope, body = _envelope(FAULT_ACTION, relates_to)
    fault_element = etree.SubElement(body, f"{{{SOAP}}}Fault")
    code = etree.SubElement(fault_element, f"{{{SOAP}}}Code")
    etree.SubElement(code, f"{{{SOAP}}}Value").text = "soap:Sender"
    subcode = etree.SubElement(code, f"{{{SOAP}}}Subcode")
    value = etree.SubElement(subcode, f"{{{SOAP}}}Value", nsmap={"sub": kind.namespace})
    value.text = f"sub:{kind.subcode}"
    reason = etree.SubElement(fault_element, f"{{{SOAP}}}Reason")
    text = etree.SubElement(reason, f"{{{SOAP}}}Text")
    text.set("{http://www.w3.org/XML/1998/namespace}lang", "fr")
    text.text = error.text
    detail = etree.SubElement(fault_element, f"{{{SOAP}}}Detail")
    etree.SubElement(detail, "location").text = error.location
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
