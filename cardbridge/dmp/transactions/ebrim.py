"""Writing ebRIM 3.0 registry objects, as the XDS transactions send them: slots, names,
classifications, external identifiers and associations (IHE ITI TF-3 §4.2.3; the DMP's
forms in docs/dmp-client.md, "Deposit (TD2.1)").

Shared by the transactions that submit metadata (TD2.1, TD3.3). Every function appends to
``parent`` and returns the new element.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from cardbridge.dmp.transactions.names import RIM

LANGUAGE = "FR"  # the xml:lang of the DMP samples' LocalizedString
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True, slots=True)
class Code:
    """A coded value as ebRIM classifications carry it: code, coding scheme, label."""

    code: str
    scheme: str
    label: str


def rim(tag: str) -> str:
    """The ebRIM (rim:3.0) qualified name of ``tag``."""
    return f"{{{RIM}}}{tag}"


def child(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    """Append the ebRIM element ``tag`` with ``attributes`` to ``parent``."""
    element = parent.makeelement(rim(tag), attributes)
    parent.append(element)
    return element


def slot(parent: etree._Element, name: str, *values: str) -> etree._Element:
    """A ``Slot`` with its ``ValueList``."""
    element = child(parent, "Slot", name=name)
    value_list = child(element, "ValueList")
    for value in values:
        child(value_list, "Value").text = value
    return element


def localized(parent: etree._Element, tag: str, text: str) -> etree._Element:
    """A ``Name`` or ``Description`` holding one ``LocalizedString``."""
    element = child(parent, tag)
    string = child(element, "LocalizedString", charset="UTF8", value=text)
    string.set(XML_LANG, LANGUAGE)
    return element


def classification(
    parent: etree._Element, scheme: str, object_id: str, local_id: str, code: Code | None = None
) -> etree._Element:
    """A ``Classification`` of ``object_id`` under ``scheme``; with ``code``, its
    ``nodeRepresentation``, ``codingScheme`` slot and label."""
    element = child(
        parent,
        "Classification",
        classificationScheme=scheme,
        classifiedObject=object_id,
        id=local_id,
        nodeRepresentation=code.code if code is not None else "",
    )
    if code is not None:
        slot(element, "codingScheme", code.scheme)
        localized(element, "Name", code.label)
    return element


def external_identifier(
    parent: etree._Element, scheme: str, object_id: str, local_id: str, *, value: str, name: str
) -> etree._Element:
    """An ``ExternalIdentifier`` (patientId, uniqueId, sourceId) named as IHE names it."""
    element = child(
        parent,
        "ExternalIdentifier",
        id=local_id,
        identificationScheme=scheme,
        registryObject=object_id,
        value=value,
    )
    localized(element, "Name", name)
    return element


def association(
    parent: etree._Element, kind: str, source: str, target: str, local_id: str
) -> etree._Element:
    """An ``Association`` of type ``kind`` from ``source`` to ``target``."""
    return child(
        parent,
        "Association",
        associationType=kind,
        sourceObject=source,
        targetObject=target,
        id=local_id,
    )
