"""Reading and writing ebRIM 3.0 objects: slots, classifications, external identifiers,
and the ``RegistryResponse`` every XDS transaction answers with."""

from __future__ import annotations

from lxml import etree

from cardbridge.sandbox.faults import RegistryError
from cardbridge.sandbox.wire import RIM, RS

SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
FAILURE = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"
ERROR_SEVERITY = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"


def r(tag: str) -> str:
    return f"{{{RIM}}}{tag}"


def slot_values(element: etree._Element, name: str) -> list[str]:
    """The values of the slot ``name`` of ``element``."""
    return [
        (value.text or "").strip()
        for slot in element.iterfind(r("Slot"))
        if slot.get("name") == name
        for value in slot.iterfind(f"{r('ValueList')}/{r('Value')}")
    ]


def slot(element: etree._Element, name: str) -> str | None:
    values = slot_values(element, name)
    return values[0] if values else None


def classifications(element: etree._Element, scheme: str) -> list[etree._Element]:
    return [
        c for c in element.iterfind(r("Classification")) if c.get("classificationScheme") == scheme
    ]


def coded(element: etree._Element, scheme: str, name: str) -> list[tuple[str, str]]:
    """``(code, codingScheme)`` of each classification of ``scheme``."""
    found = []
    for classification in classifications(element, scheme):
        found.append(
            (
                classification.get("nodeRepresentation", ""),
                slot(classification, "codingScheme") or "",
            )
        )
    if not found:
        raise RegistryError(
            "XDSRegistryMetadataError", f"{name} absent", f"{element.get('id')}/{name}"
        )
    return found


def external_id(element: etree._Element, scheme: str) -> str | None:
    for identifier in element.iterfind(r("ExternalIdentifier")):
        if identifier.get("identificationScheme") == scheme:
            return identifier.get("value")
    return None


def add_slot(parent: etree._Element, name: str, *values: str) -> None:
    element = etree.SubElement(parent, r("Slot"), name=name)
    value_list = etree.SubElement(element, r("ValueList"))
    for value in values:
        etree.SubElement(value_list, r("Value")).text = value


def registry_response(
    errors: list[RegistryError] | None = None, tag: str = "RegistryResponse"
) -> etree._Element:
    """A ``rs:RegistryResponse`` (or ``tag`` in the rs namespace): Success, or Failure with
    each error's code, context and location."""
    response = etree.Element(f"{{{RS}}}{tag}", nsmap={"rs": RS, "rim": RIM})
    response.set("status", FAILURE if errors else SUCCESS)
    if errors:
        error_list = etree.SubElement(response, f"{{{RS}}}RegistryErrorList")
        for error in errors:
            etree.SubElement(
                error_list,
                f"{{{RS}}}RegistryError",
                errorCode=error.code,
                codeContext=error.context,
                location=error.location,
                severity=ERROR_SEVERITY,
            )
    return response
