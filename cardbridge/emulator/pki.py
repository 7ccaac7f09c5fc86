"""The emulator's test PKI: a TEST root and issuing CA, and the certificates of emulated cards.

The CAs (and an OCSP responder) are generated once per data dir, in
``<data_dir>/emulator-pki/``, and reused: the directory appears atomically under a lock
(:mod:`cardbridge.emulator.pki_storage`), so concurrent first starts end with one PKI.
What each certificate contains is in :mod:`cardbridge.emulator.certificate_contents`. Private keys
are unencrypted PKCS#8 PEM files of mode 0600: they protect nothing real, but they are
keys all the same. A test wanting an independent PKI loads one from another data dir.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from cardbridge.emulator.certificate_contents import (
    DEFAULT_OCSP_URL,
    ISSUING_CA_NAME,
    OCSP_RESPONDER_NAME,
    ROOT_NAME,
    CardHolderIdentity,
    Extensions,
    authentication_extensions,
    build_certificate,
    card_subject,
    issuing_ca_extensions,
    ocsp_responder_extensions,
    root_ca_extensions,
    signature_extensions,
)
from cardbridge.emulator.pki_storage import FileContents, create_once
from cardbridge.errors import ConfigError, InvalidInputError
from cardbridge.messages import data_dir as say

__all__ = [
    "DEFAULT_OCSP_URL",
    "PKI_DIRNAME",
    "CardCertificates",
    "CardHolderIdentity",
    "CertifiedKey",
    "TestPki",
]

PKI_DIRNAME = "emulator-pki"

_RSA_BITS = 2048
_ROOT_LIFETIME = timedelta(days=30 * 365)
_ISSUING_LIFETIME = timedelta(days=20 * 365)
_CARD_LIFETIME = timedelta(days=3 * 365)
# Backdating absorbs clock differences between the emulator and a verifier.
_BACKDATE = timedelta(hours=1)
_FILES = ("root-ca", "issuing-ca", "ocsp-responder")


@dataclass(frozen=True)
class CertifiedKey:
    """A certificate and its private key."""

    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey = field(repr=False)


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
                say.TEST_PKI_UNCREATABLE.format(directory=directory, reason=error.strerror)
            ) from error
        return cls(directory, *(_load(directory, name) for name in _FILES))

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
        name ``<structure_id>/<internal_id>`` in CN. The authentication certificate gets
        ``serial_number`` and the signature certificate ``serial_number + 1`` (random
        when not given). Dates default to now (backdated by an hour) for three years; any
        aware dates are accepted, so that tests can make expired and not-yet-valid
        certificates. ``ocsp_url`` lets a test point the certificates at its own
        loopback responder. Raises :class:`InvalidInputError` naming a refused argument.
        """
        subject = card_subject(holder, card_type)
        start = not_before or datetime.now(UTC) - _BACKDATE
        end = not_after or start + _CARD_LIFETIME
        _check_dates(start, end)
        serial = serial_number if serial_number is not None else x509.random_serial_number()
        if serial < 1:
            raise InvalidInputError("must be a positive integer", field="serial_number")
        issued = [
            build_certificate(
                subject,
                public_key,
                issuer=self.issuing_ca.certificate,
                signing_key=self.issuing_ca.private_key,
                serial_number=serial + offset,
                validity=(start, end),
                extensions=extensions,
            )
            for offset, public_key, extensions in (
                (0, authentication_key, authentication_extensions(holder, ocsp_url)),
                (1, signature_key, signature_extensions(holder, ocsp_url)),
            )
        ]
        return CardCertificates(authentication=issued[0], signature=issued[1])

    def trust_anchors_pem(self) -> bytes:
        """The root CA certificate, the only certificate a verifier should trust."""
        return _pem(self.root.certificate)

    def intermediates_pem(self) -> bytes:
        """The issuing CA certificate, to send along with card certificates."""
        return _pem(self.issuing_ca.certificate)

    def chain_pem(self) -> bytes:
        """The chain above a card certificate: issuing CA, then root."""
        return self.intermediates_pem() + self.trust_anchors_pem()


def _pki_files(now: datetime) -> FileContents:
    start = now - _BACKDATE
    root = new_certified_key(ROOT_NAME, None, (start, now + _ROOT_LIFETIME), root_ca_extensions())
    issuing_ca = new_certified_key(
        ISSUING_CA_NAME, root, (start, now + _ISSUING_LIFETIME), issuing_ca_extensions()
    )
    ocsp_responder = new_certified_key(
        OCSP_RESPONDER_NAME,
        issuing_ca,
        (start, now + _ISSUING_LIFETIME),
        ocsp_responder_extensions(),
    )
    return key_files(zip(_FILES, (root, issuing_ca, ocsp_responder), strict=True))


def key_files(named: Iterable[tuple[str, CertifiedKey]]) -> FileContents:
    """``NAME.key`` (PKCS#8) and ``NAME.pem`` of each certified key, mode 0600 (the data
    dir is private)."""
    files: dict[str, tuple[bytes, int]] = {}
    for name, certified in named:
        key_pem = certified.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        files[f"{name}.key"] = (key_pem, 0o600)
        files[f"{name}.pem"] = (_pem(certified.certificate), 0o600)
    return files


def new_certified_key(
    subject: x509.Name,
    issuer: CertifiedKey | None,
    validity: tuple[datetime, datetime],
    extensions: Extensions,
) -> CertifiedKey:
    """A new RSA key certified by ``issuer``, or self-signed when ``issuer`` is None."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
    certificate = build_certificate(
        subject,
        key.public_key(),
        issuer=issuer.certificate if issuer else None,
        signing_key=issuer.private_key if issuer else key,
        serial_number=x509.random_serial_number(),
        validity=validity,
        extensions=extensions,
    )
    return CertifiedKey(certificate, key)


def load_certified_key(
    directory: Path, name: str, damaged: Callable[[Path, str], ConfigError]
) -> CertifiedKey:
    """``NAME.pem`` and ``NAME.key`` of ``directory``, checked to belong together;
    ``damaged(directory, name)`` is raised otherwise."""
    try:
        certificate = x509.load_pem_x509_certificate((directory / f"{name}.pem").read_bytes())
        key = serialization.load_pem_private_key(
            (directory / f"{name}.key").read_bytes(), password=None
        )
    except (OSError, ValueError, TypeError) as error:
        raise damaged(directory, name) from error
    if not isinstance(key, rsa.RSAPrivateKey) or key.public_key() != certificate.public_key():
        raise damaged(directory, name)
    return CertifiedKey(certificate, key)


def _load(directory: Path, name: str) -> CertifiedKey:
    return load_certified_key(directory, name, _damaged)


def _check_dates(not_before: datetime, not_after: datetime) -> None:
    for name, value in (("not_before", not_before), ("not_after", not_after)):
        if value.tzinfo is None:
            raise InvalidInputError("must be a timezone-aware datetime", field=name)
    if not_after <= not_before:
        raise InvalidInputError("must be after not_before", field="not_after")


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _damaged(directory: Path, name: str) -> ConfigError:
    return ConfigError(say.TEST_PKI_DAMAGED.format(directory=directory, name=name))
