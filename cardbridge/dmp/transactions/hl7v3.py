"""The HL7v3 message shell shared by TD0.2 (``PRPA_IN201307UV02``) and TD0.5
(``PRPA_IN201305UV02``), and the reading of an answer's acknowledgement.

The header follows the ANS samples: the sender device is the software (its OID root and
name), the receiver the DMP; message ids go under the OID root + ``.1.1``, query ids
under + ``.2``. An acknowledgement other than ``AA`` is a refusal that keeps the DMP's
code and text. Facts and sources: docs/dmp-client.md, "Patients and authorizations".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from cardbridge.dmp.transactions.names import HL7, XSI
from cardbridge.dmp.transactions.values import unreadable
from cardbridge.errors import DmpRefusedError

DMP_DEVICE = "1.2.250.1.213.4.1.1.1"  # the DMP, as receiver and custodian
INTERACTION_ROOT = "2.16.840.1.113883.1.6"  # HL7 interaction identifiers
# What every known client sends (the ANS samples, two open-source clients): D(ebugging),
# T (current processing), AL (always acknowledge). The production value of the first is
# not in our sources (docs/dmp-client.md).
PROCESSING_CODE = "D"
PROCESSING_MODE_CODE = "T"
ACCEPT_ACK_CODE = "AL"
ACCEPTED = "AA"


@dataclass(frozen=True, slots=True)
class Hl7Sender:
    """The software as the sender of HL7v3 messages: its OID root and name (the callers
    build it from the settings ``lps_oid_root`` and ``lps_name``)."""

    oid_root: str
    software_name: str

    @property
    def message_root(self) -> str:
        """The root of the messages' ids."""
        return f"{self.oid_root}.1.1"

    @property
    def query_root(self) -> str:
        """The root of the queries' ids."""
        return f"{self.oid_root}.2"


def h(tag: str) -> str:
    """The HL7v3 name of ``tag``."""
    return f"{{{HL7}}}{tag}"


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    """A new HL7v3 child of ``parent``."""
    element = etree.SubElement(parent, h(tag), attrib)
    if text is not None:
        element.text = text
    return element


def _device(message: etree._Element, role: str, type_code: str, root: str, name: str) -> None:
    device = sub(sub(message, role, typeCode=type_code), "device")
    device.set("classCode", "DEV")
    device.set("determinerCode", "INSTANCE")
    sub(device, "id", root=root)
    sub(device, "softwareName", name)


def message(interaction: str, sender: Hl7Sender, now: datetime | None = None) -> etree._Element:
    """The shell of an HL7v3 request: ids, interaction, processing codes, receiver, sender."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    root = etree.Element(h(interaction), ITSVersion="XML_1.0", nsmap={"hl7": HL7, "xsi": XSI})
    sub(root, "id", root=sender.message_root, extension=str(uuid.uuid4()))
    sub(root, "creationTime", value=moment.strftime("%Y%m%d%H%M%S"))
    sub(root, "interactionId", root=INTERACTION_ROOT, extension=interaction)
    sub(root, "processingCode", code=PROCESSING_CODE)
    sub(root, "processingModeCode", code=PROCESSING_MODE_CODE)
    sub(root, "acceptAckCode", code=ACCEPT_ACK_CODE)
    _device(root, "receiver", "RCV", DMP_DEVICE, "DMP")
    _device(root, "sender", "SND", sender.oid_root, sender.software_name)
    return root


def query(control: etree._Element, sender: Hl7Sender) -> etree._Element:
    """A ``queryByParameter`` under ``control`` with a new query id; its parameter list."""
    by_parameter = sub(control, "queryByParameter")
    sub(by_parameter, "queryId", root=sender.query_root, extension=str(uuid.uuid4()))
    sub(by_parameter, "statusCode", code="new")
    return sub(by_parameter, "parameterList")


def answer_root(payload: etree._Element, interaction: str, transaction: str) -> etree._Element:
    """``payload`` when it is the expected HL7v3 answer, else :class:`DmpAnswerError`."""
    if payload.tag != h(interaction):
        raise unreadable(
            transaction, f"{interaction} expected, got {etree.QName(payload).localname}"
        )
    return payload


def check_acknowledgement(answer: etree._Element, transaction: str) -> None:
    """Go on when the answer's acknowledgement is ``AA``; otherwise raise
    :class:`DmpRefusedError` with the acknowledgementDetail's code and text.

    The type code is an attribute in the TD0.2 sample and a ``typeCode`` child in the
    TD0.5 sample (docs/dmp-client.md): both are read.
    """
    acknowledgement = answer.find(h("acknowledgement"))
    if acknowledgement is None:
        raise unreadable(transaction, "no acknowledgement")
    type_code = acknowledgement.get("typeCode")
    if type_code is None:
        child = acknowledgement.find(h("typeCode"))
        type_code = child.get("code") if child is not None else None
    if not type_code:
        raise unreadable(transaction, "no acknowledgement type code")
    if type_code == ACCEPTED:
        return
    codes = [
        code.get("code", "")
        for code in acknowledgement.iterfind(f"{h('acknowledgementDetail')}/{h('code')}")
        if code.get("code")
    ]
    raise DmpRefusedError(
        codes[0] if codes else type_code, detail_text(answer), transaction=transaction
    )


def query_response_code(answer: etree._Element, transaction: str) -> str:
    """The ``queryAck/queryResponseCode`` of an answer (``OK``, ``NF``, ``QE``…)."""
    code = answer.find(f"{h('controlActProcess')}/{h('queryAck')}/{h('queryResponseCode')}")
    if code is None or not code.get("code"):
        raise unreadable(transaction, "no queryResponseCode")
    return code.get("code", "")


def detail_text(answer: etree._Element) -> str:
    """The acknowledgement details' texts, joined (the DMP explains a query error there)."""
    texts = (
        " ".join((text.text or "").split())
        for text in answer.iterfind(
            f"{h('acknowledgement')}/{h('acknowledgementDetail')}/{h('text')}"
        )
    )
    return "; ".join(text for text in texts if text)
