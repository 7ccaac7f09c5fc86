"""Mutual TLS: the server's context and who a client certificate names.

TLS 1.2 or later (the real service: TLS 1.2 with four ECDHE suites; TLS 1.3 is accepted
here too, a choice of ours), client certificate required and verified against the test
PKI (both its issuing CAs). Accepted clients (docs/dmp-sandbox.md, "Certificates"):

- direct mode: a practitioner's card **authentication** certificate (issued by the
  PERSONNES CA, EKU clientAuth, no nonRepudiation);
- indirect mode: a structure's ``AUTH_CLI`` certificate (issued by the ORGANISATIONS CA).
"""

from __future__ import annotations

import ssl
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cardbridge.emulator.pki_organisations import OrganisationPki, structure_id_of

# The real service's TLS 1.2 suites (docs/dmp-sandbox.md, "Transport").
TLS12_CIPHERS = ":".join(
    (
        "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
    )
)


class ClientKind(StrEnum):
    """How a TLS client authenticated."""

    PRACTITIONER = "practitioner"
    STRUCTURE = "structure"
    REFUSED = "refused"


@dataclass(frozen=True)
class ClientIdentity:
    """Who the TLS client certificate names: an idNat_PS (CN) or a Struct_IdNat (OU)."""

    kind: ClientKind
    identifier: str | None
    certificate: x509.Certificate | None
    reason: str = ""


def server_context(pki: OrganisationPki) -> ssl.SSLContext:
    """The server side of mutual TLS with the test PKI."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(TLS12_CIPHERS)
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cadata=pki.client_issuers_pem().decode("ascii"))
    key_pem = pki.server.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    chain_pem = pki.server.certificate.public_bytes(serialization.Encoding.PEM) + (
        pki.ca.certificate.public_bytes(serialization.Encoding.PEM)
    )
    # ssl loads a key only from a file: a private temporary directory, removed at once.
    with tempfile.TemporaryDirectory() as folder:
        chain, key = Path(folder, "chain.pem"), Path(folder, "key.pem")
        chain.write_bytes(chain_pem)
        key.touch(mode=0o600)
        key.write_bytes(key_pem)
        context.load_cert_chain(chain, key)
    return context


def _has_client_auth(certificate: x509.Certificate) -> bool:
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return ExtendedKeyUsageOID.CLIENT_AUTH in usages


def identify_client(der: bytes | None, pki: OrganisationPki) -> ClientIdentity:
    """Classify the (already chain-verified) client certificate."""
    if der is None:
        return ClientIdentity(ClientKind.REFUSED, None, None, "aucun certificat client")
    certificate = x509.load_der_x509_certificate(der)
    if not _has_client_auth(certificate):
        return ClientIdentity(
            ClientKind.REFUSED, None, certificate, "pas un certificat d'authentification"
        )
    if certificate.issuer == pki.ca.certificate.subject:
        return ClientIdentity(ClientKind.STRUCTURE, structure_id_of(certificate), certificate)
    if certificate.issuer == pki.root.issuing_ca.certificate.subject:
        names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        identifier = str(names[0].value) if names else None
        return ClientIdentity(ClientKind.PRACTITIONER, identifier, certificate)
    return ClientIdentity(ClientKind.REFUSED, None, certificate, "émetteur inconnu")
