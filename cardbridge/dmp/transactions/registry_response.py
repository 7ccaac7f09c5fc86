"""Reading the ``rs:RegistryResponse`` an XDS transaction answers with (IHE ITI TF-3
§4.2.4): Success, or the DMP's refusal with its error code and text
(docs/dmp-client.md, "Deposit (TD2.1)")."""

from __future__ import annotations

from lxml import etree

from cardbridge.dmp.transactions.names import RS
from cardbridge.errors import DmpAnswerError, DmpRefusedError

SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"


def check_registry_response(payload: etree._Element, transaction: str) -> None:
    """Return if ``payload`` is a successful RegistryResponse; otherwise raise
    :class:`DmpRefusedError` with the first error's code and text (``codeContext``, with
    its ``location`` when given), or :class:`DmpAnswerError` for something else."""
    if payload.tag != f"{{{RS}}}RegistryResponse":
        raise DmpAnswerError(f"{transaction}: the DMP answered {etree.QName(payload).localname}")
    status = payload.get("status", "")
    if status == SUCCESS:
        return
    errors = payload.findall(f"{{{RS}}}RegistryErrorList/{{{RS}}}RegistryError")
    if not errors:
        raise DmpRefusedError(status.rsplit(":", 1)[-1] or "Failure", transaction=transaction)
    first = errors[0]
    text = first.get("codeContext", "")
    location = first.get("location")
    if location:
        text = f"{text} ({location})" if text else location
    raise DmpRefusedError(first.get("errorCode", "") or "Failure", text, transaction=transaction)
