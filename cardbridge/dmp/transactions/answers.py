"""Reading the registry's answers (TD3.1, TD3.2, TD3.3): a safe XML parser for the bytes
the DMP sends, ebRIM slots, classifications and external identifiers, the DMP's times,
and its refusals (docs/dmp-client.md, "Documents"). Writing ebRIM is
:mod:`cardbridge.dmp.transactions.ebrim`'s."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from cardbridge.dmp.transactions import names
from cardbridge.dmp.transactions.ebrim import rim
from cardbridge.errors import DmpAnswerError, DmpRefusedError

FAILURE = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"
SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"

# No entities, no network, no huge trees: the DMP's bytes are data, never instructions.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def parse_xml(data: bytes, what: str) -> etree._Element:
    """``data`` parsed safely; :class:`DmpAnswerError` naming ``what`` when it is not XML."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        raise DmpAnswerError(f"The DMP sent {what} that is not well-formed XML.") from None
    if root is None:
        raise DmpAnswerError(f"The DMP sent an empty {what}.")
    return root


def slot_values(element: etree._Element, name: str) -> list[str]:
    """The values of the slot ``name`` of ``element``."""
    return [
        (value.text or "").strip()
        for slot in element.iterfind(rim("Slot"))
        if slot.get("name") == name
        for value in slot.iterfind(f"{rim('ValueList')}/{rim('Value')}")
    ]


def slot_value(element: etree._Element, name: str) -> str | None:
    """The first value of the slot ``name``, or None."""
    values = slot_values(element, name)
    return values[0] if values else None


def localized_value(element: etree._Element, tag: str) -> str | None:
    """The ``LocalizedString/@value`` of ``element``'s ``Name`` or ``Description``."""
    found = element.find(f"{rim(tag)}/{rim('LocalizedString')}")
    return None if found is None else found.get("value")


def classifications(element: etree._Element, scheme_name: str) -> list[etree._Element]:
    """The classifications of ``element`` under the XDS scheme ``scheme_name``."""
    scheme = names.CLASSIFICATION_SCHEMES[scheme_name]
    return [
        c
        for c in element.iterfind(rim("Classification"))
        if c.get("classificationScheme") == scheme
    ]


def external_id(element: etree._Element, name: str) -> str | None:
    """The value of the external identifier ``name`` (``documentUniqueId``…)."""
    scheme = names.EXTERNAL_IDENTIFIERS[name]
    for identifier in element.iterfind(rim("ExternalIdentifier")):
        if identifier.get("identificationScheme") == scheme:
            return identifier.get("value")
    return None


def read_time(value: str | None) -> datetime | None:
    """A DMP time (``YYYY[MM[DD[hh[mm[ss]]]]]``, UTC) as an aware datetime; None when
    absent; :class:`DmpAnswerError` when it is not a time."""
    if not value:
        return None
    if not value.isdigit() or len(value) not in (4, 6, 8, 10, 12, 14):
        raise DmpAnswerError(f"The DMP sent a time that cannot be read ({value[:20]!r}).")
    padded = value + "0101000000"[len(value) - 4 :] if len(value) < 14 else value
    try:
        return datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        raise DmpAnswerError(f"The DMP sent a time that cannot be read ({value!r}).") from None


def raise_for_errors(response: etree._Element, transaction: str) -> None:
    """Raise :class:`DmpRefusedError` with the first ``RegistryError``'s code and text when
    ``response`` (a RegistryResponse or AdhocQueryResponse) is not a success."""
    status = response.get("status", "")
    errors = response.findall(f"{{{names.RS}}}RegistryErrorList/{{{names.RS}}}RegistryError")
    if status == SUCCESS:
        return
    if not errors:
        if status == FAILURE:
            raise DmpRefusedError("XDSRegistryError", "", transaction=transaction)
        raise DmpAnswerError(f"The DMP's {transaction} answer has no status the client knows.")
    first = errors[0]
    raise DmpRefusedError(
        first.get("errorCode", "XDSRegistryError"),
        first.get("codeContext", ""),
        transaction=transaction,
    )
