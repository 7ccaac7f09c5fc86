"""The test PKI's organisations branch: a TEST CA for structures and servers.

IGC-Santé issues structure ("personne morale") certificates from a CA of its own, beside
the one that issues card holders' certificates (docs/dmp-sandbox.md, "Certificates"). This
module adds that branch to the emulator's test PKI, under the same TEST root, in
``<data_dir>/emulator-pki-organisations/`` (created once, atomically, like the root):

- ``TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS``, the issuing CA of the branch;
- the server certificate of the offline DMP (``cardbridge dmp-sandbox``), named
  ``TEST DMP SANDBOX`` and valid for the loopback names;
- a demo structure's certificate pair: ``AUTH_CLI`` (TLS client, indirect authentication)
  and ``SIGN`` (non-repudiation, signs the VIHF), as the ANS kit's ``EL-TEST-ORG-AUTH_CLI``
  and ``EL-TEST-ORG-SIGN`` files.

Structure subjects are a choice of ours: ``C=FR, O=<name>, OU=<Struct_IdNat>,
CN=<Struct_IdNat>/<usage>``; the structure is read from ``OU``.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cardbridge.emulator.certificate_contents import Extensions
from cardbridge.emulator.pki import (
    CertifiedKey,
    TestPki,
    key_files,
    load_certified_key,
    new_certified_key,
)
from cardbridge.emulator.pki_storage import FileContents, create_once
from cardbridge.errors import ConfigError
from cardbridge.messages import data_dir as say

ORGANISATIONS_DIRNAME = "emulator-pki-organisations"
SERVER_COMMON_NAME = "TEST DMP SANDBOX"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
DEMO_STRUCTURE_ID = "10B0307377"
DEMO_STRUCTURE_NAME = "CENTRE HOSPITALIER DE DEMO"

_CA_LIFETIME = timedelta(days=20 * 365)
_LEAF_LIFETIME = timedelta(days=3 * 365)
_BACKDATE = timedelta(hours=1)
_FILES = ("organisations-ca", "sandbox-server", "structure-auth-cli", "structure-sign")


def _organisations_ca_name() -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ASIP-SANTE"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "0002 187512751"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "IGC-SANTE TEST"),
            x509.NameAttribute(NameOID.COMMON_NAME, "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS"),
        ]
    )


@dataclass(frozen=True)
class StructureCertificates:
    """A structure's two certificates with their keys: TLS client and VIHF signature."""

    authentication: CertifiedKey
    signature: CertifiedKey


def structure_subject(structure_id: str, name: str, usage: str) -> x509.Name:
    """The subject of a structure certificate (a choice of ours, see the module doc)."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, structure_id),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{structure_id}/{usage}"),
        ]
    )


def structure_id_of(certificate: x509.Certificate) -> str | None:
    """The Struct_IdNat a structure certificate names (its ``OU``), or None."""
    values = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    return str(values[0].value) if len(values) == 1 else None


def _key_usage(
    *, content_commitment: bool = False, key_encipherment: bool = False
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=content_commitment,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _end_entity() -> tuple[x509.ExtensionType, bool]:
    return (x509.BasicConstraints(ca=False, path_length=None), True)


def structure_authentication_extensions() -> Extensions:
    """AUTH_CLI: digitalSignature, EKU clientAuth."""
    return [
        _end_entity(),
        (_key_usage(), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), False),
    ]


def structure_signature_extensions() -> Extensions:
    """SIGN: nonRepudiation and digitalSignature, no EKU."""
    return [_end_entity(), (_key_usage(content_commitment=True), True)]


def server_extensions(names: tuple[str, ...] = LOOPBACK_NAMES) -> Extensions:
    """A TLS server certificate for ``names`` (DNS names and IP addresses)."""
    alternative: list[x509.GeneralName] = []
    for name in names:
        try:
            alternative.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternative.append(x509.DNSName(name))
    return [
        _end_entity(),
        (_key_usage(key_encipherment=True), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        (x509.SubjectAlternativeName(alternative), False),
    ]


@dataclass(frozen=True)
class OrganisationPki:
    """The organisations CA of a data dir, the sandbox's server certificate and the demo
    structure's certificate pair."""

    __test__: ClassVar[bool] = False

    root: TestPki
    ca: CertifiedKey
    server: CertifiedKey
    demo_structure: StructureCertificates

    @classmethod
    def load_or_create(cls, data_dir: Path) -> OrganisationPki:
        """The branch of ``data_dir``'s test PKI, generated on first use.

        Raises :class:`ConfigError` when the directory cannot be written or is damaged.
        """
        root = TestPki.load_or_create(data_dir)
        directory = data_dir / ORGANISATIONS_DIRNAME
        try:
            create_once(directory, lambda: _branch_files(root, datetime.now(UTC)))
        except OSError as error:
            raise ConfigError(
                say.ORGANISATIONS_CA_UNCREATABLE.format(directory=directory, reason=error.strerror)
            ) from error
        ca, server, auth, sign = (_load(directory, name) for name in _FILES)
        return cls(root, ca, server, StructureCertificates(auth, sign))

    def issue_structure_certificates(
        self,
        structure_id: str,
        name: str,
        *,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
    ) -> StructureCertificates:
        """A new AUTH_CLI + SIGN pair (new keys) for a structure."""
        start = not_before or datetime.now(UTC) - _BACKDATE
        end = not_after or start + _LEAF_LIFETIME
        return _structure_pair(self.ca, structure_id, name, (start, end))

    def export_demo_structure_pkcs12(self, directory: Path, password: bytes) -> tuple[Path, Path]:
        """The demo structure's AUTH_CLI and SIGN pairs as PKCS#12 files in ``directory``
        (mode 0600, each with the organisations CA): what indirect mode's settings name.

        Returns ``(auth_cli, sign)`` paths.
        """
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        encryption = serialization.BestAvailableEncryption(password)
        paths = []
        for name, pair in (
            ("structure-auth-cli.p12", self.demo_structure.authentication),
            ("structure-sign.p12", self.demo_structure.signature),
        ):
            data = pkcs12.serialize_key_and_certificates(
                name.removesuffix(".p12").encode(),
                pair.private_key,
                pair.certificate,
                [self.ca.certificate],
                encryption,
            )
            path = directory / name
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                os.fchmod(file.fileno(), 0o600)
                file.write(data)
            paths.append(path)
        return paths[0], paths[1]

    def trust_anchors_pem(self) -> bytes:
        """The TEST root: what a client of the sandbox trusts."""
        return self.root.trust_anchors_pem()

    def client_issuers_pem(self) -> bytes:
        """The CAs whose certificates the sandbox accepts from clients, then the root."""
        return self.root.intermediates_pem() + _pem(self.ca.certificate) + self.trust_anchors_pem()


def _issue(
    issuer: CertifiedKey,
    subject: x509.Name,
    validity: tuple[datetime, datetime],
    extensions: Extensions,
) -> CertifiedKey:
    return new_certified_key(subject, issuer, validity, extensions)


def _structure_pair(
    ca: CertifiedKey, structure_id: str, name: str, validity: tuple[datetime, datetime]
) -> StructureCertificates:
    return StructureCertificates(
        _issue(
            ca,
            structure_subject(structure_id, name, "AUTH_CLI"),
            validity,
            structure_authentication_extensions(),
        ),
        _issue(
            ca,
            structure_subject(structure_id, name, "SIGN"),
            validity,
            structure_signature_extensions(),
        ),
    )


def _branch_files(root: TestPki, now: datetime) -> FileContents:
    start = now - _BACKDATE
    ca = _issue(
        root.root,
        _organisations_ca_name(),
        (start, now + _CA_LIFETIME),
        [
            (x509.BasicConstraints(ca=True, path_length=0), True),
            (
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                True,
            ),
        ],
    )
    leaf_validity = (start, now + _LEAF_LIFETIME)
    server_subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CARDBRIDGE TEST"),
            x509.NameAttribute(NameOID.COMMON_NAME, SERVER_COMMON_NAME),
        ]
    )
    server = _issue(ca, server_subject, leaf_validity, server_extensions())
    demo = _structure_pair(ca, DEMO_STRUCTURE_ID, DEMO_STRUCTURE_NAME, leaf_validity)
    return key_files(zip(_FILES, (ca, server, demo.authentication, demo.signature), strict=True))


def _load(directory: Path, name: str) -> CertifiedKey:
    return load_certified_key(directory, name, _damaged)


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _damaged(directory: Path, name: str) -> ConfigError:
    return ConfigError(say.ORGANISATIONS_CA_DAMAGED.format(directory=directory, name=name))
