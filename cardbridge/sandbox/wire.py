"""Names on the wire: namespaces, service paths and WS-Addressing actions.

Sources: docs/dmp-sandbox.md, "Transport" (the ANS message samples and WSDL).
"""

from __future__ import annotations

from dataclasses import dataclass

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
HABILITATIONS = "urn:si-dmp-habilitations"
PATIENTS = "urn:si-dmp-patients"
XDSB = "urn:ihe:iti:xds-b:2007"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
XOP = "http://www.w3.org/2004/08/xop/include"
# The namespace of the service's own fault subcodes is not in the sources: ours.
DMP_FAULTS = "urn:cardbridge:dmp-sandbox:faults"

ANONYMOUS = "http://www.w3.org/2005/08/addressing/anonymous"

BASE_PATH = "/si-dmp-server/v2/services/"
SERVICES = (
    "patients",
    "patientsPDQ",
    "patientsSpecific",
    "habilitations",
    "registry",
    "repository",
)


@dataclass(frozen=True, slots=True)
class Operation:
    """One transaction: the service path it is served at, its request and response actions."""

    transaction: str
    service: str
    action: str
    response_action: str


def _op(transaction: str, service: str, action: str, response: str | None = None) -> Operation:
    return Operation(transaction, service, action, response or f"{action}Response")


OPERATIONS: tuple[Operation, ...] = (
    _op(
        "TD0.2", "patients", "urn:hl7-org:v3:PRPA_IN201307UV02", "urn:hl7-org:v3:PRPA_IN201308UV02"
    ),
    _op(
        "TD0.3", "habilitations", "urn:si-dmp-habilitations:HabilitationsEndPoint:setAuthorization"
    ),
    _op("TD0.4", "patientsSpecific", "urn:si-dmp-patients:PatientSpecificEndPoint:patientList"),
    _op(
        "TD0.5",
        "patientsPDQ",
        "urn:hl7-org:v3:PRPA_IN201305UV02",
        "urn:hl7-org:v3:PRPA_IN201306UV02",
    ),
    _op(
        "TD1.6",
        "habilitations",
        "urn:si-dmp-habilitations:HabilitationsEndPoint:listAuthorizationByPatient",
    ),
    _op(
        "TD2.1",
        "repository",
        "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b",
        "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse",
    ),
    _op(
        "TD3.1",
        "registry",
        "urn:ihe:iti:2007:RegistryStoredQuery",
        "urn:ihe:iti:2007:RegistryStoredQueryResponse",
    ),
    _op(
        "TD3.2",
        "repository",
        "urn:ihe:iti:2007:RetrieveDocumentSet",
        "urn:ihe:iti:2007:RetrieveDocumentSetResponse",
    ),
    _op(
        "TD3.3",
        "registry",
        "urn:ihe:iti:2010:UpdateDocumentSet",
        "urn:ihe:iti:2010:UpdateDocumentSet-Response",
    ),
)


def operation_for(service: str, action: str) -> Operation | None:
    """The operation served at ``service`` for ``action``, or None."""
    for operation in OPERATIONS:
        if operation.service == service and operation.action == action:
            return operation
    return None
