"""What a verified token proves: the practitioner named by the card's authentication certificate.

A certificate says less than the card: no civility, no speciality, no practice
situations. The profession is the certificate's label (``title``), with its G15 code
when the label is one of the table's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cardbridge.cards.certificates import PractitionerCertificate
from cardbridge.domain.codes import PROFESSIONS
from cardbridge.domain.identifiers import PractitionerIdType, StructureIdType

_PROFESSION_CODES = {label.casefold(): code for code, label in PROFESSIONS.items()}


@dataclass(frozen=True)
class AuthenticatedPractitioner:
    """The holder of a verified authentication certificate, and that certificate's identity.

    ``national_id`` (idNat_PS) is set for personal cards; CPA/CPE cards name a structure
    (``structure_id``, the Struct_IdNat) and an ``internal_id`` instead.
    ``certificate_serial`` is the serial number in lowercase hexadecimal.
    """

    national_id: str | None
    id_type: PractitionerIdType | None
    rpps: str | None
    adeli: str | None
    # Kept out of repr so that a logged object never shows a person's name.
    last_name: str = field(repr=False)
    first_name: str = field(repr=False)
    profession_code: str | None
    profession_label: str | None
    structure_id: str | None
    structure_id_type: StructureIdType | None
    internal_id: str | None
    certificate_serial: str
    certificate_expires: datetime
    certificate_issuer: str | None

    @classmethod
    def from_certificate(cls, certificate: PractitionerCertificate) -> AuthenticatedPractitioner:
        """The practitioner named by a parsed (and already verified) certificate."""
        holder = certificate.holder
        label = holder.profession
        return cls(
            national_id=holder.national_id,
            id_type=holder.id_type,
            rpps=holder.rpps,
            adeli=holder.adeli,
            last_name=holder.last_name,
            first_name=holder.first_name,
            profession_code=_PROFESSION_CODES.get(label.casefold()) if label else None,
            profession_label=label,
            structure_id=holder.structure_id,
            structure_id_type=holder.structure_id_type,
            internal_id=holder.internal_id,
            certificate_serial=f"{certificate.serial_number:x}",
            certificate_expires=certificate.not_after,
            certificate_issuer=certificate.issuer_common_name,
        )

    def to_json(self) -> dict[str, object]:
        """The ``practitioner`` object of ``POST /v1/auth/verify`` and ``token verify --json``.

        Field names are those of the API's Practitioner where the certificate has them.
        """
        return {
            "national_id": self.national_id,
            "id_type": self.id_type.value if self.id_type else None,
            "rpps": self.rpps,
            "adeli": self.adeli,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "profession": {"code": self.profession_code, "label": self.profession_label},
            "structure_id": self.structure_id,
            "structure_id_type": self.structure_id_type.value if self.structure_id_type else None,
            "internal_id": self.internal_id,
            "certificate": {
                "serial": self.certificate_serial,
                "expires": self.certificate_expires.isoformat(),
                "issuer": self.certificate_issuer,
            },
        }
