"""The contract between the DMP transactions and the transport that carries them.

A transaction module (TD0.2, TD3.1…) builds the payload of a SOAP body as an lxml
element and reads the payload of the answer; it never sees HTTP, TLS, the envelope or
MTOM. A :class:`Transport` wraps the payload in a SOAP 1.2 envelope with the
WS-Addressing headers and the VIHF in ``wsse:Security``, sends it to the service's path
over mutual TLS, and gives back the answer's payload and attachments — or raises one
of the DMP errors of :mod:`cardbridge.errors` (a SOAP fault becomes
:class:`~cardbridge.errors.DmpRefusedError` with the service's code and text).

Binary parts go both ways as MTOM/XOP: a payload refers to an attachment with
``xop:Include href="cid:<content id>"`` and the bytes travel in ``attachments`` under that
content id (without angle brackets, not URL-encoded). The services and their paths are in
docs/dmp-client.md ("Transport").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote

if TYPE_CHECKING:
    from lxml import etree

XOP = "http://www.w3.org/2004/08/xop/include"


class Service(StrEnum):
    """A DMP web service, by its path under the base URL (``…/si-dmp-server/v2/services/``)."""

    PATIENTS = "patients"  # TD0.2 (and TD1.1–TD1.4)
    PATIENTS_PDQ = "patientsPDQ"  # TD0.5
    PATIENTS_SPECIFIC = "patientsSpecific"  # TD0.4
    HABILITATIONS = "habilitations"  # TD0.3, TD1.6
    REGISTRY = "registry"  # TD3.1, TD3.3
    REPOSITORY = "repository"  # TD2.1, TD3.2


@dataclass(frozen=True)
class SoapCall:
    """One request: the service, the ``wsa:Action``, the body's payload and its attachments."""

    service: Service
    action: str
    payload: etree._Element
    attachments: Mapping[str, bytes] = field(default_factory=dict)
    # The transaction's name (``"TD3.1"``): errors and traces say which one failed.
    transaction: str = ""


@dataclass(frozen=True)
class SoapAnswer:
    """One answer: its ``wsa:Action``, the body's payload and the MTOM attachments."""

    action: str
    payload: etree._Element
    attachments: Mapping[str, bytes] = field(default_factory=dict)

    def attachment(self, href: str) -> bytes | None:
        """The bytes an ``xop:Include/@href`` (``cid:…``, possibly URL-encoded) points at."""
        if not href.startswith("cid:"):
            return None
        return self.attachments.get(unquote(href[4:]))


class Transport(Protocol):
    """Carries one :class:`SoapCall` with a signed VIHF (the serialized
    ``saml2:Assertion``, inserted as is: re-serializing would break its signature)."""

    def call(self, call: SoapCall, vihf: bytes) -> SoapAnswer:
        """Send ``call`` and return the answer, or raise a DMP error."""
        ...
