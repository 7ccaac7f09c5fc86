"""From the settings to a transport: the endpoint, the server's roots, the client's credential.

- :func:`server_verifier`: the ``dmp_server_roots`` files; for ``sandbox`` without any, the
  emulator's test root of the data dir. No roots for another endpoint is a
  :class:`ConfigError`: cardbridge never talks to an unverified DMP.
- :func:`direct_transport`: mutual TLS with the card (a :class:`CardCredential` the caller
  makes from the CPS session, its signing run where the card's work runs).
- :func:`indirect_transport`: mutual TLS with the structure's AUTH_CLI PKCS#12 in
  :mod:`ssl`; :func:`structure_signer` gives the SIGN pair that signs its VIHFs.
"""

from __future__ import annotations

import os
import ssl
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from cardbridge.config import Settings
from cardbridge.dmp.card_credential import CardCredential
from cardbridge.dmp.endpoints import DmpEndpoint, resolve_endpoint
from cardbridge.dmp.http import CardConnector, HttpsTransport, SslConnector
from cardbridge.dmp.server_trust import ServerVerifier
from cardbridge.errors import ConfigError
from cardbridge.messages import configuration as say

# The service's TLS 1.2 suites in OpenSSL's names (docs/dmp-client.md, "Transport").
TLS12_CIPHERS = ":".join(
    (
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-RSA-AES256-SHA384",
    )
)


def server_verifier(
    settings: Settings, endpoint: DmpEndpoint, sandbox_root: bytes | None = None
) -> ServerVerifier:
    """The roots that verify ``endpoint``'s server; :class:`ConfigError` when none.
    ``sandbox_root``: the emulator's test root (PEM) that verifies ``sandbox`` when no
    roots are configured (given by the bridge's assembly: the DMP client never leans on
    the emulator)."""
    pem = b""
    for path in settings.dmp_server_roots:
        try:
            pem += path.read_bytes()
        except OSError as error:
            raise ConfigError(
                say.SETTING_FILE_UNREADABLE.format(
                    setting="dmp_server_roots", path=path, reason=error.strerror
                )
            ) from None
    if not pem and endpoint.is_sandbox and sandbox_root is not None:
        pem = sandbox_root
    if not pem:
        raise ConfigError(say.DMP_SERVER_ROOTS_NEEDED.format(endpoint=endpoint.name))
    try:
        return ServerVerifier.from_pem(pem)
    except ValueError:
        raise ConfigError(say.DMP_SERVER_ROOTS_NO_PEM) from None


def direct_transport(
    settings: Settings, credential: CardCredential, sandbox_root: bytes | None = None
) -> HttpsTransport:
    """The transport of direct mode: the card signs each TLS session's handshake."""
    endpoint = resolve_endpoint(settings.dmp_endpoint)
    verifier = server_verifier(settings, endpoint, sandbox_root)
    return HttpsTransport(endpoint, CardConnector(credential, verifier))


@dataclass(frozen=True)
class StructureKey:
    """A structure's certificate (with the CAs its PKCS#12 holds) and private key."""

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    private_key: rsa.RSAPrivateKey


def _password(settings: Settings) -> bytes | None:
    if settings.dmp_structure_pkcs12_password is not None:
        return settings.dmp_structure_pkcs12_password.get_secret_value().encode()
    if settings.dmp_structure_pkcs12_password_file is None:
        return None
    try:
        text = settings.dmp_structure_pkcs12_password_file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            say.SETTING_FILE_ITSELF_UNREADABLE.format(
                setting="dmp_structure_pkcs12_password_file", reason=error.strerror
            )
        ) from None
    return text.rstrip("\r\n").encode()


def load_structure_key(path: Path | None, password: bytes | None, setting: str) -> StructureKey:
    """The RSA key and certificate of a PKCS#12 file; :class:`ConfigError` else."""
    if path is None:
        raise ConfigError(say.STRUCTURE_KEY_NOT_SET.format(setting=setting))
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    except OSError as error:
        raise ConfigError(
            say.SETTING_FILE_UNREADABLE.format(setting=setting, path=path, reason=error.strerror)
        ) from None
    except ValueError:
        raise ConfigError(say.STRUCTURE_KEY_NOT_OPENED.format(setting=setting, path=path)) from None
    if not isinstance(key, rsa.RSAPrivateKey) or certificate is None:
        raise ConfigError(say.STRUCTURE_KEY_NO_RSA.format(setting=setting, path=path))
    return StructureKey(certificate, tuple(chain), key)


def structure_signer(settings: Settings) -> StructureKey:
    """The structure's SIGN pair (indirect mode's VIHF signature)."""
    return load_structure_key(
        settings.dmp_structure_sign_pkcs12, _password(settings), "dmp_structure_sign_pkcs12"
    )


def structure_ssl_context(verifier: ServerVerifier, client: StructureKey) -> ssl.SSLContext:
    """TLS 1.2 with the service's suites, the structure's AUTH_CLI pair as client."""
    context = verifier.ssl_context()
    context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(TLS12_CIPHERS)
    pem = serialization.Encoding.PEM
    chain = client.certificate.public_bytes(pem) + b"".join(
        certificate.public_bytes(pem) for certificate in client.chain
    )
    key = client.private_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # ssl loads a key only from a file: a private temporary directory, removed at once.
    with tempfile.TemporaryDirectory() as folder:
        chain_path, key_path = Path(folder, "chain.pem"), Path(folder, "key.pem")
        chain_path.write_bytes(chain)
        descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(key)
        context.load_cert_chain(chain_path, key_path)
    return context


FileState = tuple[str, int, int] | tuple[str, None, None]


def _file_state(path: Path | None) -> FileState:
    """A file as its last change leaves it (a missing one: no state; loading it says why)."""
    try:
        stat = os.stat(path) if path is not None else None
    except OSError:
        stat = None
    if stat is None:
        return (str(path), None, None)
    return (str(path), stat.st_mtime_ns, stat.st_size)


class StructureTlsContexts:
    """Indirect mode's TLS context, built once per AUTH_CLI file (and server roots) as
    their last change left them, then reused by every PIN session's transport: reading the
    PKCS#12 file and loading its key into :mod:`ssl` costs tens of milliseconds. A file
    changed (another modification time or size) is read again at the next session."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: tuple[tuple[FileState, ...], ssl.SSLContext] | None = None
        # How many contexts were built (observable: tests, diagnostics).
        self.builds = 0

    def context(
        self, settings: Settings, endpoint: DmpEndpoint, sandbox_root: bytes | None = None
    ) -> ssl.SSLContext:
        """The context of the current files, built now if they changed since the last."""
        files = (settings.dmp_structure_tls_pkcs12, *settings.dmp_server_roots)
        state = tuple(_file_state(path) for path in files)
        with self._lock:
            if self._made is not None and self._made[0] == state:
                return self._made[1]
            client = load_structure_key(
                settings.dmp_structure_tls_pkcs12, _password(settings), "dmp_structure_tls_pkcs12"
            )
            verifier = server_verifier(settings, endpoint, sandbox_root)
            context = structure_ssl_context(verifier, client)
            self._made = (state, context)
            self.builds += 1
            return context


def indirect_transport(
    settings: Settings,
    sandbox_root: bytes | None = None,
    contexts: StructureTlsContexts | None = None,
) -> HttpsTransport:
    """The transport of indirect mode: the structure's AUTH_CLI certificate in TLS, its
    context from ``contexts`` (reused while the files are unchanged; a new one else)."""
    endpoint = resolve_endpoint(settings.dmp_endpoint)
    context = (contexts or StructureTlsContexts()).context(settings, endpoint, sandbox_root)
    return HttpsTransport(endpoint, SslConnector(context))
