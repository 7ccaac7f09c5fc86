"""The emulator's test PKI: a TEST root and issuing CA, and the certificates of emulated cards.

CA names and card certificates follow the IGC-Santé conventions of DOMAIN.md §1
"Certificates" (issuer DN form [spec]; holder subject ``CN=<idNat_PS>+SN=<NOM>+GN=<PRÉNOM>``,
``title``, ``C=FR`` [spec/field]). Every CA name says TEST, like the real test hierarchy,
so that nobody can take them for production CAs. Extensions beyond key usages and EKU
(CRL and OCSP URLs on loopback, path lengths) are ours.

The CAs are generated once per data dir, in ``<data_dir>/emulator-pki/``, and reused: the
directory appears atomically under a lock (:mod:`cardbridge.emulator.pki_storage`), so
concurrent first starts end with one PKI. Private keys are unencrypted PKCS#8 PEM files
of mode 0600: they protect nothing real, but they are keys all the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from cardbridge.domain.identifiers import (
    is_structure_bound_card,
    practitioner_id_type,
    structure_id_type,
)
from cardbridge.emulator.pki_storage import FileContents, create_once
from cardbridge.errors import ConfigError, InvalidInputError

PKI_DIRNAME = "emulator-pki"
CRL_URL = "http://127.0.0.1/cardbridge-test-pki/test-ac-igc-sante-elementaire-personnes.crl"
ARL_URL = "http://127.0.0.1/cardbridge-test-pki/test-ac-racine-igc-sante-elementaire.crl"
DEFAULT_OCSP_URL = "http://127.0.0.1/cardbridge-test-pki/ocsp"

_RSA_BITS = 2048
_ROOT_LIFETIME = timedelta(days=30 * 365)
_ISSUING_LIFETIME = timedelta(days=20 * 365)
_CARD_LIFETIME = timedelta(days=3 * 365)
# Backdating absorbs clock differences between the emulator and a verifier.
_BACKDATE = timedelta(hours=1)
_FILES = ("root-ca", "issuing-ca", "ocsp-responder")


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
class CertifiedKey:
    """A certificate and its private key."""

    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey = field(repr=False)


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


@dataclass(frozen=True)
class CardCertificates:
    """The two certificates of a CPS: authentication and signature (non-repudiation)."""

    authentication: x509.Certificate
    signature: x509.Certificate


@dataclass(frozen=True)
class TestPki:
    """The root CA, the issuing CA and the OCSP responder of one data dir."""

    # Keeps pytest from collecting this class when a test module imports it.
    __test__: ClassVar[bool] = False

    directory: Path
    root: CertifiedKey
    issuing_ca: CertifiedKey
    ocsp_responder: CertifiedKey

    @classmethod
    def load_or_create(cls, data_dir: Path) -> TestPki:
        """The PKI of ``data_dir``, generated on first use and reused afterwards.

        Raises :class:`ConfigError` when the directory cannot be written or holds a
        damaged PKI (the message says which directory to delete).
        """
        directory = data_dir / PKI_DIRNAME
        try:
            create_once(directory, lambda: _pki_files(datetime.now(UTC)))
        except OSError as error:
            raise ConfigError(
                f"Cannot create the emulator's test PKI in {directory}: {error.strerror}."
            ) from error
        return cls._load(directory)

    @classmethod
    def _load(cls, directory: Path) -> TestPki:
        loaded: list[CertifiedKey] = []
        for name in _FILES:
            try:
                certificate = x509.load_pem_x509_certificate(
                    (directory / f"{name}.pem").read_bytes()
                )
                key = serialization.load_pem_private_key(
                    (directory / f"{name}.key").read_bytes(), password=None
                )
            except (OSError, ValueError, TypeError) as error:
                raise _damaged(directory, name) from error
            if not isinstance(key, rsa.RSAPrivateKey) or key.public_key() != (
                certificate.public_key()
            ):
                raise _damaged(directory, name)
            loaded.append(CertifiedKey(certificate, key))
        root, issuing_ca, ocsp_responder = loaded
        return cls(directory, root, issuing_ca, ocsp_responder)

    def issue_card_certificates(
        self,
        holder: CardHolderIdentity,
        authentication_key: rsa.RSAPublicKey,
        signature_key: rsa.RSAPublicKey,
        *,
        card_type: int = 0,
        serial_number: int | None = None,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        ocsp_url: str = DEFAULT_OCSP_URL,
    ) -> CardCertificates:
        """Issue the authentication and signature certificates of a card.

        ``card_type`` is the profile's CPS card type (0 CPS … 4 CSA): CPE and CPA cards
        name ``<structure_id>/<internal_id>`` in CN.
        The authentication certificate gets ``serial_number`` and the signature certificate
        ``serial_number + 1`` (random when not given). Dates default to now (backdated by
        an hour) for three years; any aware dates are accepted, so that tests can make
        expired and not-yet-valid certificates. ``ocsp_url`` lets a test point the
        certificates at its own loopback responder.
        """
        subject = card_subject(holder, card_type)
        start = not_before or datetime.now(UTC) - _BACKDATE
        end = not_after or start + _CARD_LIFETIME
        _check_dates(start, end)
        serial = serial_number if serial_number is not None else x509.random_serial_number()
        if serial < 1:
            raise InvalidInputError("must be a positive integer", field="serial_number")
        common_extensions = [
            (_crl_distribution_point(CRL_URL), False),
            (
                x509.AuthorityInformationAccess(
                    [
                        x509.AccessDescription(
                            AuthorityInformationAccessOID.OCSP,
                            x509.UniformResourceIdentifier(ocsp_url),
                        )
                    ]
                ),
                False,
            ),
        ]
        if holder.email:
            alternative_name = x509.SubjectAlternativeName([x509.RFC822Name(holder.email)])
            common_extensions.append((alternative_name, False))
        authentication = _certificate(
            subject,
            authentication_key,
            self.issuing_ca,
            serial_number=serial,
            validity=(start, end),
            extensions=[
                (x509.BasicConstraints(ca=False, path_length=None), True),
                (_key_usage(digital_signature=True), True),
                (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False),
                *common_extensions,
            ],
        )
        signature = _certificate(
            subject,
            signature_key,
            self.issuing_ca,
            serial_number=serial + 1,
            validity=(start, end),
            extensions=[
                (x509.BasicConstraints(ca=False, path_length=None), True),
                (_key_usage(digital_signature=True, content_commitment=True), True),
                *common_extensions,
            ],
        )
        return CardCertificates(authentication, signature)

    def trust_anchors_pem(self) -> bytes:
        """The root CA certificate, the only certificate a verifier should trust."""
        return _pem(self.root.certificate)

    def intermediates_pem(self) -> bytes:
        """The issuing CA certificate, to send along with card certificates."""
        return _pem(self.issuing_ca.certificate)

    def chain_pem(self) -> bytes:
        """The chain above a card certificate: issuing CA, then root."""
        return self.intermediates_pem() + self.trust_anchors_pem()


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


def _pki_files(now: datetime) -> FileContents:
    files: dict[str, tuple[bytes, int]] = {}
    for name, certified in zip(_FILES, _generate(now), strict=True):
        key_pem = certified.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        files[f"{name}.key"] = (key_pem, 0o600)
        files[f"{name}.pem"] = (_pem(certified.certificate), 0o644)
    return files


def _generate(now: datetime) -> tuple[CertifiedKey, CertifiedKey, CertifiedKey]:
    start = now - _BACKDATE
    root_key = _new_key()
    root_cert = _certificate(
        ROOT_NAME,
        root_key.public_key(),
        root_key,
        serial_number=x509.random_serial_number(),
        validity=(start, now + _ROOT_LIFETIME),
        extensions=[
            (x509.BasicConstraints(ca=True, path_length=1), True),
            (_key_usage(key_cert_sign=True, crl_sign=True), True),
        ],
    )
    root = CertifiedKey(root_cert, root_key)
    issuing = _issue_with_new_key(
        ISSUING_CA_NAME,
        root,
        (start, now + _ISSUING_LIFETIME),
        [
            (x509.BasicConstraints(ca=True, path_length=0), True),
            (_key_usage(key_cert_sign=True, crl_sign=True), True),
            (_crl_distribution_point(ARL_URL), False),
        ],
    )
    ocsp_responder = _issue_with_new_key(
        OCSP_RESPONDER_NAME,
        issuing,
        (start, now + _ISSUING_LIFETIME),
        [
            (x509.BasicConstraints(ca=False, path_length=None), True),
            (_key_usage(digital_signature=True), True),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), False),
            # RFC 6960 §4.2.2.2.1: clients need not check the responder's own revocation.
            (x509.OCSPNoCheck(), False),
        ],
    )
    return root, issuing, ocsp_responder


def _issue_with_new_key(
    subject: x509.Name,
    issuer: CertifiedKey,
    validity: tuple[datetime, datetime],
    extensions: Sequence[tuple[x509.ExtensionType, bool]],
) -> CertifiedKey:
    key = _new_key()
    certificate = _certificate(
        subject,
        key.public_key(),
        issuer,
        serial_number=x509.random_serial_number(),
        validity=validity,
        extensions=extensions,
    )
    return CertifiedKey(certificate, key)


def _certificate(
    subject: x509.Name,
    public_key: rsa.RSAPublicKey,
    issuer: CertifiedKey | rsa.RSAPrivateKey,
    *,
    serial_number: int,
    validity: tuple[datetime, datetime],
    extensions: Sequence[tuple[x509.ExtensionType, bool]],
) -> x509.Certificate:
    """Sign a certificate by the CA ``issuer``, or self-signed when given the subject's key."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .public_key(public_key)
        .serial_number(serial_number)
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if isinstance(issuer, CertifiedKey):
        issuer_ski = issuer.certificate.extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier
        ).value
        builder = builder.issuer_name(issuer.certificate.subject).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski),
            critical=False,
        )
        signing_key = issuer.private_key
    else:
        builder = builder.issuer_name(subject)
        signing_key = issuer
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())


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


def _crl_distribution_point(url: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
        ]
    )


def _check_dates(not_before: datetime, not_after: datetime) -> None:
    for name, value in (("not_before", not_before), ("not_after", not_after)):
        if value.tzinfo is None:
            raise InvalidInputError("must be a timezone-aware datetime", field=name)
    if not_after <= not_before:
        raise InvalidInputError("must be after not_before", field="not_after")


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _damaged(directory: Path, name: str) -> ConfigError:
    return ConfigError(
        f"The emulator's test PKI in {directory} is damaged ({name}): "
        "delete that directory and a new test PKI will be created."
    )
