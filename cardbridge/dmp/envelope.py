"""SOAP 1.2 envelopes of the DMP: the request's headers, the answer's reading.

Request header, in the order of the ANS samples (docs/dmp-client.md, "Transport"):
``wsa:MessageID``, ``wsa:To`` (the service URL), ``wsa:ReplyTo`` (anonymous,
``mustUnderstand``), ``wsa:Action`` (``mustUnderstand``), then ``wsse:Security`` holding
the VIHF alone. The VIHF and the payload are spliced in as bytes: a signed assertion is
never re-serialized (that can break its signature).

Answers are parsed from bytes with a parser that resolves no entity and fetches nothing.
A SOAP fault becomes :class:`DmpRefusedError` with its subcode and text; an answer that
is not a SOAP envelope, or that relates to another message, :class:`DmpAnswerError`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from lxml import etree

from cardbridge.dmp.transport import SoapAnswer, SoapCall
from cardbridge.errors import DmpAnswerError, DmpRefusedError

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
ANONYMOUS = f"{WSA}/anonymous"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_xml(data: bytes) -> etree._Element:
    """``data`` parsed safely; :class:`etree.XMLSyntaxError` when it is not XML."""
    return etree.fromstring(data, _PARSER)


def _fragment(data: bytes) -> bytes:
    """An XML document's bytes without their declaration, to splice into another."""
    if data.startswith(b"<?xml"):
        return data[data.index(b"?>") + 2 :].lstrip()
    return data


def build_request(call: SoapCall, vihf: bytes, to: str) -> tuple[str, bytes]:
    """``(MessageID, envelope bytes)`` of ``call`` for the service at ``to``."""
    try:
        assertion = parse_xml(vihf)
    except etree.XMLSyntaxError:
        raise ValueError("the VIHF is not XML") from None
    if assertion.tag != f"{{{SAML}}}Assertion":
        raise ValueError("the VIHF is not a saml2:Assertion")
    message_id = f"urn:uuid:{uuid.uuid4()}"
    marker = f"cardbridge-splice-{uuid.uuid4().hex}"
    envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap": SOAP, "wsa": WSA})
    header = etree.SubElement(envelope, f"{{{SOAP}}}Header")
    etree.SubElement(header, f"{{{WSA}}}MessageID").text = message_id
    etree.SubElement(header, f"{{{WSA}}}To").text = to
    reply_to = etree.SubElement(header, f"{{{WSA}}}ReplyTo")
    reply_to.set(f"{{{SOAP}}}mustUnderstand", "true")
    etree.SubElement(reply_to, f"{{{WSA}}}Address").text = ANONYMOUS
    action = etree.SubElement(header, f"{{{WSA}}}Action")
    action.set(f"{{{SOAP}}}mustUnderstand", "true")
    action.text = call.action
    security = etree.SubElement(header, f"{{{WSSE}}}Security", nsmap={"wsse": WSSE})
    security.text = f"{marker}-vihf"
    etree.SubElement(envelope, f"{{{SOAP}}}Body").text = f"{marker}-body"
    text = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
    text = text.replace(f"{marker}-vihf".encode(), _fragment(vihf), 1)
    payload = etree.tostring(call.payload, encoding="UTF-8", xml_declaration=False)
    return message_id, text.replace(f"{marker}-body".encode(), payload, 1)


def _fault(fault: etree._Element, transaction: str) -> DmpRefusedError:
    code = fault.findtext(f"{{{SOAP}}}Code/{{{SOAP}}}Subcode/{{{SOAP}}}Value") or fault.findtext(
        f"{{{SOAP}}}Code/{{{SOAP}}}Value"
    )
    text = fault.findtext(f"{{{SOAP}}}Reason/{{{SOAP}}}Text") or ""
    return DmpRefusedError(
        (code or "").strip().rpartition(":")[2] or "Fault", text.strip(), transaction=transaction
    )


def read_answer(
    data: bytes, attachments: Mapping[str, bytes], message_id: str, transaction: str
) -> SoapAnswer:
    """The answer to ``message_id``; raises :class:`DmpRefusedError` for a SOAP fault,
    :class:`DmpAnswerError` for what is not an answer to it."""
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError:
        raise DmpAnswerError(
            "The DMP's answer is not XML. Try again; report it if it persists."
        ) from None
    body = root.find(f"{{{SOAP}}}Body")
    if root.tag != f"{{{SOAP}}}Envelope" or body is None:
        raise DmpAnswerError("The DMP's answer is not a SOAP 1.2 envelope.")
    payload = next(body.iterchildren(tag=etree.Element), None)
    if payload is None:
        raise DmpAnswerError("The DMP's answer has an empty body.")
    relates_to = root.findtext(f"{{{SOAP}}}Header/{{{WSA}}}RelatesTo")
    if payload.tag == f"{{{SOAP}}}Fault":
        # A fault raised before addressing was read (a CXF WS-Addressing fault) may
        # relate to nothing; one that relates to another message is not ours.
        if relates_to is not None and relates_to.strip() != message_id:
            raise DmpAnswerError("The DMP's fault answers another message.")
        raise _fault(payload, transaction)
    if relates_to is None or relates_to.strip() != message_id:
        raise DmpAnswerError("The DMP's answer does not relate to the request sent.")
    action = (root.findtext(f"{{{SOAP}}}Header/{{{WSA}}}Action") or "").strip()
    return SoapAnswer(action, payload, dict(attachments))
