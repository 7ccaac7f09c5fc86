"""What each certificate of the test PKI contains: names, subjects and extensions (the card
profiles themselves are in profiles.py).

CA names and card certificates follow the IGC-Santé conventions of docs/domain.md §1
"Certificates": issuer DN form ``C=FR, O=ASIP-SANTE, OU=0002 187512751, OU=IGC-SANTE…, CN=…``
[spec] with TEST in every CA name, as in the real test hierarchy; holder subject
``CN=<idNat_PS>+SN=<NOM>+GN=<PRÉNOM>``, ``title``, ``C=FR`` and the key usages of the
authentication and signature certificates [spec/field]. Like real IGC-Santé card
certificates, they carry certificatePolicies, a CRL distribution point and authority
information access (OCSP). The rest is ours: path
lengths, the URLs on loopback (nothing serves them unless a test does), an optional
e-mail in subjectAltName, and the policy OIDs, taken under the ``2.999`` example arc
because the real IGC-Santé ones were not found in public sources (docs/certificates.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from cardbridge.domain.identifiers import (
    is_structure_bound_card,
    practitioner_id_type,
    structure_id_type,
)
from cardbridge.errors import InvalidInputError

CRL_URL = "http://127.0.0.1/cardbridge-test-pki/test-ac-igc-sante-elementaire-personnes.crl"
ARL_URL = "http://127.0.0.1/cardbridge-test-pki/test-ac-racine-igc-sante-elementaire.crl"
DEFAULT_OCSP_URL = "http://127.0.0.1/cardbridge-test-pki/ocsp"

# Test policy OIDs (ours): 2.999 is the arc ITU-T X.660 / ISO/IEC 9834-1 reserve for
# examples, so they can never be mistaken for a real IGC-Santé policy.
TEST_POLICY_ARC = "2.999.250.1.71"
AUTHENTICATION_POLICY = x509.ObjectIdentifier(f"{TEST_POLICY_ARC}.1.1")
SIGNATURE_POLICY = x509.ObjectIdentifier(f"{TEST_POLICY_ARC}.1.2")

Extensions = Sequence[tuple[x509.ExtensionType, bool]]
"""Extensions with their criticality."""


def _ca_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ASIP-SANTE"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "0002 187512751"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "IGC-SANTE TEST"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


ROOT_NAME = _ca_name("TEST AC RACINE IGC-SANTE ELEMENTAIRE")
ISSUING_CA_NAME = _ca_name("TEST AC IGC-SANTE ELEMENTAIRE PERSONNES")
OCSP_RESPONDER_NAME = _ca_name("TEST OCSP AC IGC-SANTE ELEMENTAIRE PERSONNES")


@dataclass(frozen=True)
class CardHolderIdentity:
    """Who a card's certificates name.

    ``profession`` is the label written in ``title`` (e.g. ``Médecin``). Cards bound to a
    structure (CPE, CPA) name ``<structure_id>/<internal_id>`` in CN instead of
    ``national_id``; ``structure_id`` is the Struct_IdNat of that structure.

    ``email``, when given, goes in subjectAltName (rfc822Name). Without it the
    certificates have no subjectAltName, which the default WebPKI policy of
    ``cryptography.x509.verification`` requires: a verifier of such certificates must
    relax that policy (``ExtensionPolicy``).
    """

    national_id: str
    # Kept out of repr so that a logged object never shows a person's name.
    last_name: str = field(repr=False)
    first_name: str = field(repr=False)
    profession: str
    structure_id: str | None = None
    internal_id: str | None = None
    email: str | None = field(default=None, repr=False)


def card_subject(holder: CardHolderIdentity, card_type: int) -> x509.Name:
    """The IGC-Santé subject of a card holder: C, title, then ONE RDN ``CN+SN+GN``.

    Raises :class:`InvalidInputError` naming the field that cannot be put in a certificate.
    """
    structure_bound = is_structure_bound_card(card_type)
    if structure_bound:
        if not holder.structure_id or structure_id_type(holder.structure_id) is None:
            raise InvalidInputError(
                "must be a Struct_IdNat for a CPE/CPA card", field="structure_id"
            )
        if not holder.internal_id:
            raise InvalidInputError("is needed for a CPE/CPA card", field="internal_id")
        common_name = f"{holder.structure_id}/{holder.internal_id}"
    else:
        if practitioner_id_type(holder.national_id) is None:
            raise InvalidInputError("is not a valid idNat_PS", field="national_id")
        common_name = holder.national_id
    checks = {
        "internal_id" if structure_bound else "national_id": common_name,
        "last_name": holder.last_name,
        "first_name": holder.first_name,
        "profession": holder.profession,
    }
    for name, value in checks.items():
        # 64 characters is the X.520 upper bound of these attributes.
        if not 1 <= len(value) <= 64:
            raise InvalidInputError("must have 1 to 64 characters", field=name)
    return x509.Name(
        [
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR")]),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.TITLE, holder.profession)]),
            x509.RelativeDistinguishedName(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                    x509.NameAttribute(NameOID.SURNAME, holder.last_name),
                    x509.NameAttribute(NameOID.GIVEN_NAME, holder.first_name),
                ]
            ),
        ]
    )


def root_ca_extensions() -> Extensions:
    """Root CA: may sign one level of CA below it."""
    return [
        (x509.BasicConstraints(ca=True, path_length=1), True),
        (_key_usage(key_cert_sign=True, crl_sign=True), True),
    ]


def issuing_ca_extensions() -> Extensions:
    """Issuing CA: signs end-entity certificates only."""
    return [
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (_key_usage(key_cert_sign=True, crl_sign=True), True),
        (_crl_distribution_point(ARL_URL), False),
    ]


def ocsp_responder_extensions() -> Extensions:
    """OCSP responder delegated by the issuing CA (RFC 6960 §4.2.2.2)."""
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_key_usage(digital_signature=True), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), False),
        # Clients need not check the responder's own revocation (RFC 6960 §4.2.2.2.1).
        (x509.OCSPNoCheck(), False),
    ]


def authentication_extensions(holder: CardHolderIdentity, ocsp_url: str) -> Extensions:
    """Card authentication certificate: digitalSignature, EKU clientAuth."""
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_key_usage(digital_signature=True), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False),
        (_policies(AUTHENTICATION_POLICY), False),
        *_card_common_extensions(holder, ocsp_url),
    ]


def signature_extensions(holder: CardHolderIdentity, ocsp_url: str) -> Extensions:
    """Card signature certificate: nonRepudiation and digitalSignature, no EKU."""
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_key_usage(digital_signature=True, content_commitment=True), True),
        (_policies(SIGNATURE_POLICY), False),
        *_card_common_extensions(holder, ocsp_url),
    ]


def build_certificate(
    subject: x509.Name,
    public_key: rsa.RSAPublicKey,
    *,
    issuer: x509.Certificate | None,
    signing_key: rsa.RSAPrivateKey,
    serial_number: int,
    validity: tuple[datetime, datetime],
    extensions: Extensions,
) -> x509.Certificate:
    """A certificate signed (SHA-256) by ``issuer``'s key, or self-signed when ``issuer`` is None.

    Adds the subject key identifier, and the authority key identifier taken from the
    issuer's subject key identifier.
    """
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(public_key)
        .serial_number(serial_number)
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer is not None:
        issuer_ski = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski),
            critical=False,
        )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())


def _card_common_extensions(holder: CardHolderIdentity, ocsp_url: str) -> Extensions:
    ocsp = x509.AccessDescription(
        AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
    )
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (_crl_distribution_point(CRL_URL), False),
        (x509.AuthorityInformationAccess([ocsp]), False),
    ]
    if holder.email:
        alternative_name = x509.SubjectAlternativeName([x509.RFC822Name(holder.email)])
        extensions.append((alternative_name, False))
    return extensions


def _key_usage(
    *,
    digital_signature: bool = False,
    content_commitment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _policies(policy: x509.ObjectIdentifier) -> x509.CertificatePolicies:
    return x509.CertificatePolicies([x509.PolicyInformation(policy, None)])


def _crl_distribution_point(url: str) -> x509.CRLDistributionPoints:
    point = x509.DistributionPoint(
        full_name=[x509.UniformResourceIdentifier(url)],
        relative_name=None,
        reasons=None,
        crl_issuer=None,
    )
    return x509.CRLDistributionPoints([point])
