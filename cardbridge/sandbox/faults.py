"""The faults the service answers, as data: SOAP 1.2 subcode, text, and whether it is ours.

Two kinds of refusal leave the sandbox, as they leave the real service
(docs/dmp-sandbox.md, "Errors"):

- :class:`ServiceFault`: an HTTP 500 SOAP 1.2 fault (``soap:Sender`` + a subcode such as
  ``DMPInvalidCertificate``) for what is wrong with the envelope, the addressing headers,
  the certificates, the VIHF or the rights;
- :class:`RegistryError`: an XDS ``RegistryResponse`` of status Failure with IHE error codes
  (``XDSDocumentUniqueIdError``…), for what is wrong inside an XDS transaction.

Both carry the location of what was refused. These are the service's wire vocabulary, not
cardbridge errors: they never reach the bridge's API as such.

Where the sources give a text or code it is used as is; where they do not, the entry is
marked ``ours=True`` and the docs list it among the choices of ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from cardbridge.sandbox.wire import DMP_FAULTS, WSA


@dataclass(frozen=True, slots=True)
class FaultKind:
    """One kind of SOAP fault: subcode (namespace, local name), text, and its origin."""

    namespace: str
    subcode: str
    text: str
    ours: bool


class Fault(Enum):
    """Every SOAP fault of the sandbox."""

    ADDRESSING_HEADER_MISSING = FaultKind(
        WSA,
        "MessageAddressingHeaderRequired",
        "A required header representing a Message Addressing Property is not present",
        ours=False,
    )
    ACTION_NOT_SUPPORTED = FaultKind(
        WSA, "ActionNotSupported", "The action cannot be processed at the receiver", ours=True
    )
    NOT_SOAP = FaultKind(
        DMP_FAULTS,
        "DMPInvalidMessage",
        "Message illisible : enveloppe SOAP 1.2 attendue",
        ours=True,
    )
    VIHF_MISSING = FaultKind(
        DMP_FAULTS, "DMPInvalidVihf", "VIHF absent de l'en-tête wsse:Security", ours=True
    )
    VIHF_INVALID = FaultKind(DMP_FAULTS, "DMPInvalidVihf", "VIHF invalide", ours=True)
    SPECIALTY_MISSING = FaultKind(
        DMP_FAULTS,
        "DMPInvalidVihf",
        "Aucune spécialité dans le vihf. Spécialité obligatoire pour les Médecins et les "
        "Pharmaciens",
        ours=False,
    )
    SIGNATURE_CERTIFICATE = FaultKind(
        DMP_FAULTS,
        "DMPInvalidCertificate",
        "Le certificat ayant signé le VIHF est invalide : Not a valid signature certificate",
        ours=False,
    )
    SIGNATURE_INVALID = FaultKind(
        DMP_FAULTS, "DMPInvalidSignature", "La signature du VIHF est invalide", ours=True
    )
    TLS_CERTIFICATE = FaultKind(
        DMP_FAULTS,
        "DMPInvalidCertificate",
        "Le certificat d'authentification ne correspond pas à l'utilisateur du VIHF",
        ours=True,
    )
    STRUCTURE_UNKNOWN = FaultKind(
        DMP_FAULTS, "DMPInvalidVihf", "Structure introuvable ou Inactive", ours=False
    )
    PS_STRUCTURE_UNLINKED = FaultKind(
        DMP_FAULTS, "DMPInvalidVihf", "PS et Structure non liés", ours=False
    )
    LEGAL_PERSON = FaultKind(
        DMP_FAULTS,
        "DMPInvalidCertificate",
        "Erreur d'authentification de la personne morale",
        ours=False,
    )
    ACCESS_DENIED = FaultKind(
        DMP_FAULTS,
        "DMPAccessDeniedByRightsService",
        "Accès refusé par le service de gestion des droits",
        ours=False,
    )
    PATIENT_MISMATCH = FaultKind(
        DMP_FAULTS,
        "DMPPatientIdDoesNotMatch",
        "L'INS de la requête ne correspond pas au resource-id du VIHF",
        ours=True,
    )
    DMP_CLOSED = FaultKind(DMP_FAULTS, "DMPClosed", "Le DMP du patient est fermé", ours=True)
    DMP_NOT_FOUND = FaultKind(
        DMP_FAULTS, "DMPNotFound", "Aucun DMP n'existe pour cet INS", ours=True
    )
    INVALID_REQUEST = FaultKind(DMP_FAULTS, "DMPInvalidRequest", "Requête invalide", ours=True)


class ServiceFault(Exception):  # noqa: N818 - the wire's word
    """A refusal answered as an HTTP 500 SOAP 1.2 fault.

    ``detail`` completes the kind's text; ``location`` names what was refused (an
    element or attribute of the request).
    """

    def __init__(self, kind: Fault, location: str, detail: str | None = None) -> None:
        self.kind = kind
        self.location = location
        self.detail = detail
        super().__init__(self.text)

    @property
    def text(self) -> str:
        base = self.kind.value.text
        return f"{base} : {self.detail}" if self.detail else base


class RegistryError(Exception):
    """A refusal answered as an XDS ``RegistryResponse`` of status Failure.

    ``code`` is an IHE ITI TF-3 §4.2.4 error code (``XDSRegistryMetadataError``…).
    """

    def __init__(self, code: str, context: str, location: str) -> None:
        self.code = code
        self.context = context
        self.location = location
        super().__init__(f"{code}: {context}")
