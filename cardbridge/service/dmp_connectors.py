"""The DMP connectors: how a PIN session's transport is made and who signs its VIHFs,
in direct mode (the card) and indirect mode (a structure's PKCS#12 files). Imported at
the first DMP transaction (:class:`cardbridge.service.dmp_assembly.LazyConnector`): the
transport brings lxml and, in direct mode, tlslite-ng.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    pkcs12,
)

from cardbridge.cards.cps_card import CpsCard
from cardbridge.config import Settings
from cardbridge.dmp.endpoints import DmpEndpoint, resolve_endpoint
from cardbridge.dmp.http import CardConnector, HttpsTransport, SslConnector
from cardbridge.dmp.server_trust import ServerVerifier
from cardbridge.dmp.transport import Transport
from cardbridge.dmp.workflow import VihfSigner
from cardbridge.errors import ConfigError
from cardbridge.service.dmp_link import DmpConnector


@dataclass(frozen=True)
class DirectConnector:
    """Direct mode: the card authenticates the TLS session and signs the VIHFs."""

    endpoint: DmpEndpoint
    verifier: ServerVerifier
    direct: bool = True

    def connect(self, card: CpsCard) -> Transport:
        """A kept-alive transport whose TLS handshake the card signs (once per session)."""
        from cardbridge.dmp.tls_card import CardCredential  # noqa: PLC0415 - tlslite-ng

        credential = CardCredential((card.authentication_certificate(),), card.authenticate_digest)
        return HttpsTransport(self.endpoint, CardConnector(credential, self.verifier))

    def vihf_signer(self, card: CpsCard) -> VihfSigner:
        return card


@dataclass(frozen=True)
class StructureSigner:
    """A structure's SIGN key (indirect mode's VIHF signer)."""

    key: rsa.RSAPrivateKey
    certificate: bytes

    def signature_certificate(self) -> bytes:
        return self.certificate

    def sign(self, message: bytes) -> bytes:
        return self.key.sign(message, padding.PKCS1v15(), hashes.SHA256())


@dataclass(frozen=True)
class IndirectConnector:
    """Indirect mode: a structure's certificates, the card signs nothing for the DMP."""

    endpoint: DmpEndpoint
    connector: SslConnector
    signer: StructureSigner
    direct: bool = False

    def connect(self, card: CpsCard) -> Transport:
        return HttpsTransport(self.endpoint, self.connector)

    def vihf_signer(self, card: CpsCard) -> VihfSigner:
        return self.signer


def _load_client(context: ssl.SSLContext, key: rsa.RSAPrivateKey, certificate: bytes) -> None:
    """Give ``context`` the client's key: :mod:`ssl` reads it from files only, so they
    live in a private temporary folder for that moment."""
    with tempfile.TemporaryDirectory(prefix="cardbridge-tls-") as folder:
        cert_path, key_path = Path(folder, "cert.pem"), Path(folder, "key.pem")
        cert_path.write_bytes(x509.load_der_x509_certificate(certificate).public_bytes(Encoding.PEM))
        descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(
                key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
            )
        context.load_cert_chain(cert_path, key_path)


def _password(settings: Settings) -> bytes | None:
    if settings.dmp_structure_pkcs12_password is not None:
        return settings.dmp_structure_pkcs12_password.get_secret_value().encode()
    if settings.dmp_structure_pkcs12_password_file is not None:
        return settings.dmp_structure_pkcs12_password_file.read_bytes().strip()
    return None


def _pkcs12(path: Path, password: bytes | None) -> tuple[rsa.RSAPrivateKey, bytes]:
    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    except (OSError, ValueError) as error:
        raise ConfigError(f"cannot read the structure's PKCS#12 file {path}: {error}") from None
    if not isinstance(key, rsa.RSAPrivateKey) or certificate is None:
        raise ConfigError(f"{path} holds no RSA key with its certificate")
    return key, certificate.public_bytes(Encoding.DER)


def server_verifier(settings: Settings, endpoint: DmpEndpoint, test_root: bytes | None) -> ServerVerifier:
    """The roots that verify the DMP server (never none)."""
    pem = b"".join(path.read_bytes() for path in settings.dmp_server_roots)
    if not pem and endpoint.is_sandbox and test_root is not None:
        pem = test_root
    if not pem:
        raise ConfigError(
            f"dmp_server_roots names no root CA to verify the DMP at {endpoint.base_url}: "
            "give the IGC-Santé roots (PEM files)."
        )
    try:
        return ServerVerifier.from_pem(pem)
    except ValueError as error:
        raise ConfigError(f"dmp_server_roots: {error}") from None


def dmp_connector(settings: Settings, test_root: bytes | None = None) -> DmpConnector:
    """The connector the settings describe; ``test_root``: the test PKI's root (PEM),
    which verifies the offline DMP when no roots are configured."""
    endpoint = resolve_endpoint(settings.dmp_endpoint)
    verifier = server_verifier(settings, endpoint, test_root)
    if settings.dmp_authentication == "direct":
        return DirectConnector(endpoint, verifier)
    assert settings.dmp_structure_tls_pkcs12 is not None  # the settings check both
    assert settings.dmp_structure_sign_pkcs12 is not None
    password = _password(settings)
    tls_key, tls_certificate = _pkcs12(settings.dmp_structure_tls_pkcs12, password)
    sign_key, sign_certificate = _pkcs12(settings.dmp_structure_sign_pkcs12, password)
    context = verifier.ssl_context()
    _load_client(context, tls_key, tls_certificate)
    return IndirectConnector(
        endpoint, SslConnector(context), StructureSigner(sign_key, sign_certificate)
    )
