"""What a verified token proves: the practitioner named by the card's authentication certificate.

These are JSON models, like those of :mod:`cardbridge.cards.models`: the verifier returns
them, ``POST /v1/auth/verify`` and ``cardbridge token verify --json`` print them. A
certificate says less than the card: no civility, no speciality, no practice situations.
The profession is the certificate's ``title`` (``OU`` on older certificates), with its G15
code when the text is one of the table's labels.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cardbridge.cards.certificates import PractitionerCertificate
from cardbridge.cards.models import Coded
from cardbridge.domain.identifiers import PractitionerIdType, StructureIdType
from cardbridge.domain.terminologies import PROFESSIONS

_PROFESSION_CODES = {label.casefold(): code for code, label in PROFESSIONS.items()}
_ID_TYPES: dict[PractitionerIdType, Literal["RPPS", "ADELI", "STRUCTURE"]] = {
    PractitionerIdType.RPPS: "RPPS",
    PractitionerIdType.ADELI: "ADELI",
    PractitionerIdType.STRUCTURE_BOUND: "STRUCTURE",
}


class CertificateInfo(BaseModel):
    """The authentication certificate that was verified."""

    model_config = ConfigDict(frozen=True)

    serial: str = Field(description="Serial number, lowercase hexadecimal")
    expires: datetime = Field(description="End of validity (notAfter), UTC")
    issuer: str | None = Field(
        description="Common name of the issuing CA",
        examples=["AC IGC-SANTE FORT PERSONNES"],
    )


class AuthenticatedPractitioner(BaseModel):
    """The holder of a verified CPS authentication certificate.

    Personal cards name an idNat_PS (``national_id``); CPA/CPE cards name a structure
    (``structure_id``, the Struct_IdNat) and an ``internal_id`` instead, with ``id_type``
    ``STRUCTURE``.
    """

    model_config = ConfigDict(frozen=True)

    national_id: str | None = Field(
        description="idNat_PS: 8 + RPPS, or 0 + ADELI; null on CPA/CPE cards",
        examples=["810002813839"],
    )
    id_type: Literal["RPPS", "ADELI", "STRUCTURE"]
    rpps: str | None = Field(examples=["10002813839"])
    adeli: str | None
    # Kept out of repr so that a logged object never shows a person's name.
    last_name: str = Field(repr=False)
    first_name: str = Field(repr=False)
    title: str | None = Field(
        description="The profession as the certificate writes it", examples=["Médecin"]
    )
    profession: Coded | None = Field(description="G15 code of the title; null if none matches")
    structure_id: str | None = Field(examples=["499700735741008"])
    structure_id_type: StructureIdType | None
    internal_id: str | None = Field(description="CPA/CPE cards: the holder's id in the structure")
    certificate: CertificateInfo

    @classmethod
    def from_certificate(cls, certificate: PractitionerCertificate) -> AuthenticatedPractitioner:
        """The practitioner named by a parsed (and already verified) certificate."""
        holder = certificate.holder
        code = _PROFESSION_CODES.get(holder.profession.casefold()) if holder.profession else None
        return cls(
            national_id=holder.national_id,
            id_type=_ID_TYPES[holder.id_type] if holder.id_type else "STRUCTURE",
            rpps=holder.rpps,
            adeli=holder.adeli,
            last_name=holder.last_name,
            first_name=holder.first_name,
            title=holder.profession,
            profession=Coded(code=code, label=PROFESSIONS[code]) if code else None,
            structure_id=holder.structure_id,
            structure_id_type=holder.structure_id_type,
            internal_id=holder.internal_id,
            certificate=CertificateInfo(
                serial=f"{certificate.serial_number:x}",
                expires=certificate.not_after,
                issuer=certificate.issuer_common_name,
            ),
        )


class TokenVerification(BaseModel):
    """The answer of ``POST /v1/auth/verify`` and ``cardbridge token verify --json``."""

    model_config = ConfigDict(frozen=True)

    valid: bool
    practitioner: AuthenticatedPractitioner | None = Field(
        description="The practitioner proven by the token; null when it is not valid"
    )
