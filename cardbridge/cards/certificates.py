"""Practitioner certificates (IGC-Santé and older GIP-CPS forms) read from DER.

The subject of a CPS certificate is ONE multi-valued RDN ``CN=<idNat_PS>+SN=<NOM>+GN=<PRÉNOM>``
followed by ``title=<profession>`` and ``C=FR`` (docs/domain.md §1 "Certificates"). String
forms of such names are ambiguous (``+``, ``,`` and escapes in names; libraries that keep
one attribute per RDN), so the DER is walked with asn1crypto, attribute by attribute.
Forms handled:

- ``CN`` is an idNat_PS (RPPS or ADELI based, or bound to a structure);
- CPA/CPE cards: ``CN=<Struct_IdNat>/<internal id>``, no personal national id [spec/field];
- the profession is ``title``; on older GIP-CPS certificates, which have no ``title``, it is
  an ``OU`` (see :func:`_older_form_profession`) [field, not checked against a real card yet].
  ``O`` is never taken for it: it names the organisation (the structure, or GIP-CPS).

Any certificate that cannot be read this way raises :class:`CardDataError` naming what is
wrong; messages never repeat names or identifiers. :func:`check_card_certificates` checks
that a card's two certificates and its holder data name the same practitioner.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import x509 as asn1_x509

from cardbridge.domain.identifiers import (
    PractitionerIdType,
    StructureIdType,
    practitioner_id_type,
    structure_id_type,
)
from cardbridge.domain.terminologies import PROFESSIONS
from cardbridge.errors import CardDataError

# What asn1crypto's parser raises on malformed input, lazily, at first access to a field.
# AttributeError: asn1crypto reads `.native` of an attribute value it could not type.
_ASN1_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)


def _label_key(text: str) -> str:
    """A profession label compared without case or accents (``MEDECIN`` is ``Médecin``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


_PROFESSION_LABELS = frozenset(_label_key(label) for label in PROFESSIONS.values())


@dataclass(frozen=True)
class CertificateHolder:
    """Who a practitioner certificate names.

    Either ``national_id`` (the idNat_PS in CN) is set, or, for CPA/CPE cards,
    ``structure_id`` (Struct_IdNat) and ``internal_id`` are; ``structure_id_type`` is
    ``None`` when the structure id has no known Struct_IdNat form, which is kept rather
    than refused until real CPA/CPE certificates confirm the form. ``profession`` is a
    label (``Médecin``), not a G15 code.
    """

    national_id: str | None
    id_type: PractitionerIdType | None
    structure_id: str | None
    structure_id_type: StructureIdType | None
    internal_id: str | None
    # Kept out of repr so that a logged object never shows a person's name.
    last_name: str = field(repr=False)
    first_name: str = field(repr=False)
    profession: str | None

    @property
    def rpps(self) -> str | None:
        """The RPPS number (11 digits) when the national id is RPPS based."""
        if self.national_id and self.id_type is PractitionerIdType.RPPS:
            return self.national_id[1:]
        return None

    @property
    def adeli(self) -> str | None:
        """The ADELI number (9 characters) when the national id is ADELI based."""
        if self.national_id and self.id_type is PractitionerIdType.ADELI:
            return self.national_id[1:]
        return None


@dataclass(frozen=True)
class PractitionerCertificate:
    """What cardbridge uses of a CPS certificate.

    ``key_usage`` and ``extended_key_usage`` hold asn1crypto's names (``digital_signature``,
    ``non_repudiation``, ``client_auth``…; unknown purposes as dotted OIDs).
    """

    holder: CertificateHolder
    serial_number: int
    not_before: datetime
    not_after: datetime
    issuer_common_name: str | None
    key_usage: frozenset[str]
    extended_key_usage: frozenset[str]

    @property
    def for_authentication(self) -> bool:
        """Key usage digitalSignature and EKU clientAuth, as on the CPS authentication one."""
        return "digital_signature" in self.key_usage and "client_auth" in self.extended_key_usage

    @property
    def for_signature(self) -> bool:
        """Key usage nonRepudiation, as on the CPS signature certificate."""
        return "non_repudiation" in self.key_usage

    def valid_at(self, moment: datetime) -> bool:
        """Whether ``moment`` (timezone-aware) lies in the validity period."""
        return self.not_before <= moment <= self.not_after


def parse_practitioner_certificate(der: bytes) -> PractitionerCertificate:
    """Read a practitioner certificate from its DER encoding.

    Raises :class:`CardDataError` when the bytes are not one well-formed certificate or
    its subject does not name a practitioner in a known form.
    """
    try:
        certificate = asn1_x509.Certificate.load(der, strict=True)
        tbs = certificate["tbs_certificate"]
        subject = _attributes(tbs["subject"])
        issuer = _attributes(tbs["issuer"])
        serial_number = tbs["serial_number"].native
        not_before = tbs["validity"]["not_before"].native
        not_after = tbs["validity"]["not_after"].native
        key_usage = certificate.key_usage_value
        extended_key_usage = certificate.extended_key_usage_value
        usages = frozenset(key_usage.native) if key_usage else frozenset()
        purposes = frozenset(extended_key_usage.native) if extended_key_usage else frozenset()
    except _ASN1_ERRORS:
        # asn1crypto's message may quote the bytes around the fault: names, identifiers.
        raise CardDataError("The certificate is not a well-formed DER X.509 certificate.") from None
    if not isinstance(not_before, datetime) or not isinstance(not_after, datetime):
        raise CardDataError("The certificate validity dates are not readable.")
    return PractitionerCertificate(
        holder=_holder(subject),
        serial_number=serial_number,
        not_before=not_before,
        not_after=not_after,
        issuer_common_name=_single(issuer, "common_name", "issuer"),
        key_usage=usages,
        extended_key_usage=purposes,
    )


def _attributes(name: asn1_x509.Name) -> dict[str, list[str]]:
    """Every attribute of a name, whatever RDN it sits in, by asn1crypto type name."""
    found: dict[str, list[str]] = defaultdict(list)
    for rdn in name.chosen:
        for type_and_value in rdn:
            value = type_and_value["value"].native
            if not isinstance(value, str):
                continue  # not a string attribute: none that cardbridge reads
            found[type_and_value["type"].native].append(value)
    return found


def _single(attributes: dict[str, list[str]], kind: str, where: str) -> str | None:
    values = attributes.get(kind, [])
    if len(values) > 1:
        raise CardDataError(f"The certificate {where} has {len(values)} {kind} attributes.")
    return values[0] if values else None


def _older_form_profession(units: list[str]) -> str | None:
    """The profession of an older GIP-CPS certificate (no ``title``): one of its ``OU``.

    A single ``OU`` is the profession. With several, the ``OU`` may also name the
    structure or a unit of the issuer (as in the IGC-Santé issuer names,
    ``OU=0002 187512751``), so their order proves nothing: the profession is the one
    ``OU`` that is a G15 profession label; when none or several are, there is no telling
    which is the profession and ``None`` is answered rather than a guess.
    """
    if len(units) == 1:
        return units[0]
    professions = {unit for unit in units if _label_key(unit) in _PROFESSION_LABELS}
    return professions.pop() if len(professions) == 1 else None


def _holder(subject: dict[str, list[str]]) -> CertificateHolder:
    common_name = _single(subject, "common_name", "subject")
    last_name = _single(subject, "surname", "subject")
    first_name = _single(subject, "given_name", "subject")
    if not common_name or not last_name or not first_name:
        raise CardDataError(
            "The certificate subject lacks its CN, SN or GN: it does not name a practitioner."
        )
    profession = _single(subject, "title", "subject")
    if profession is None:
        profession = _older_form_profession(subject.get("organizational_unit_name", []))
    national_id = structure_id = internal_id = None
    id_type = structure_type = None
    if "/" in common_name:
        structure_id, _, internal_id = common_name.partition("/")
        if not structure_id or not internal_id:
            raise CardDataError(
                "The certificate CN has the CPA/CPE form <structure>/<id> with an empty part."
            )
        structure_type = structure_id_type(structure_id)
    else:
        national_id = common_name
        id_type = practitioner_id_type(national_id)
        if id_type is None:
            raise CardDataError(
                "The certificate CN is not a valid national id of a health professional "
                "(idNat_PS: 8 + RPPS with its key, 0 + ADELI, or a structure-bound id)."
            )
    return CertificateHolder(
        national_id=national_id,
        id_type=id_type,
        structure_id=structure_id,
        structure_id_type=structure_type,
        internal_id=internal_id,
        last_name=last_name,
        first_name=first_name,
        profession=profession,
    )


def _named(holder: CertificateHolder) -> tuple[str | None, str | None, str | None]:
    return holder.national_id, holder.structure_id, holder.internal_id


def check_card_certificates(
    national_id: str,
    authentication: PractitionerCertificate,
    signature: PractitionerCertificate,
    *,
    reader: str | None = None,
) -> None:
    """Check that a CPS's holder data (``national_id``, the idNat_PS of its data objects)
    and both its certificates name the same practitioner, and that the signature
    certificate is one (key usage nonRepudiation); raise :class:`CardDataError` otherwise.

    On CPA/CPE cards the certificates name ``<structure>/<internal id>`` and the data
    objects' national id is the internal id.
    """
    named = authentication.holder.national_id or authentication.holder.internal_id
    if named != national_id:
        raise CardDataError(
            "The card's holder data and its authentication certificate name different "
            "practitioners. The card may be damaged: contact your card manager.",
            reader=reader,
        )
    if _named(signature.holder) != _named(authentication.holder):
        raise CardDataError(
            "The card's signature certificate names another practitioner than its "
            "authentication certificate. The card may be damaged: contact your card manager.",
            reader=reader,
        )
    if not signature.for_signature:
        raise CardDataError(
            "The card's signature certificate is not made for signatures (no non-repudiation "
            "key usage), so what it signs would be refused. Contact your card manager.",
            reader=reader,
        )
