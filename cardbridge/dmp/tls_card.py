"""Mutual TLS 1.2 whose client signature is made by the CPS card (direct mode).

Python's :mod:`ssl` signs the handshake with a private key it has read; the card's
authentication key never leaves the card. tlslite-ng (pure Python TLS) signs the
``CertificateVerify`` through a key object, so :class:`CardKey` hands the DigestInfo it is
given to the credential's ``sign_digest`` (the card's INTERNAL AUTHENTICATE). Two things
tlslite-ng does not do well on its own, done here (docs/dmp-client.md, "Transport"):

- it checks no certificate: :class:`CardTlsConnection` verifies the server's chain and
  name when the server's Certificate message arrives, before the card signs anything;
- its AES-GCM runs GHASH in Python whatever backend it finds: :class:`OpenSslAesGcm`
  hands each record to OpenSSL through ``cryptography`` instead.

A new connection of the same transport offers the last session to resume
(:func:`card_handshake`'s ``session``): resumed, the card signs nothing.

tlslite-ng is imported only here, when a direct-mode connection is first made.
"""

from __future__ import annotations

import io
import socket
from collections.abc import Callable, Iterator
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from tlslite import X509, HandshakeSettings, TLSConnection, X509CertChain
from tlslite.constants import AlertDescription
from tlslite.errors import TLSError
from tlslite.recordlayer import RecordLayer
from tlslite.session import Session
from tlslite.utils.python_rsakey import Python_RSAKey

from cardbridge.dmp.card_credential import CardCredential
from cardbridge.dmp.server_trust import ServerVerifier
from cardbridge.errors import DmpServerUntrustedError

# DigestInfo prefix of SHA-256 (RFC 8017 §9.2): what rsa_pkcs1_sha256 signs.
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
# The service's suites that a C cipher serves here (docs/dmp-client.md, "Transport").
CIPHERS = ("aes256gcm", "aes128gcm")
CURVES = ("x25519", "secp256r1", "secp384r1")
# Records of a long write sealed, then sent together: 64 of 16 KiB, 1 MiB a system call. Ours.
RECORDS_PER_SEND = 64


class CardKey(Python_RSAKey):  # type: ignore[misc]
    """The public half of the card's key, whose private operation is the card's."""

    def __init__(self, certificate: bytes, sign_digest: Callable[[bytes], bytes]) -> None:
        public = x509.load_der_x509_certificate(certificate).public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            raise TypeError("the card's authentication key is not RSA")
        numbers = public.public_numbers()
        super().__init__(numbers.n, numbers.e)
        self._sign_digest = sign_digest

    def sign(
        self,
        data: bytes,
        padding: str = "pkcs1",
        hash_name: str | None = None,
        salt_length: Any = None,
    ) -> bytearray:
        """rsa_pkcs1_sha256 only: ``data`` is the DigestInfo of the handshake's hash."""
        if (
            padding != "pkcs1"
            or hash_name is not None
            or not bytes(data).startswith(SHA256_DIGEST_INFO)
        ):
            raise TLSError("the card signs rsa_pkcs1_sha256 only")
        return bytearray(self._sign_digest(bytes(data)[len(SHA256_DIGEST_INFO) :]))


class OpenSslAesGcm:
    """tlslite-ng's AEAD interface over ``cryptography``'s AES-GCM (OpenSSL, in C)."""

    isBlockCipher = False  # noqa: N815 - tlslite's names
    isAEAD = True  # noqa: N815
    nonceLength = 12  # noqa: N815
    tagLength = 16  # noqa: N815
    implementation = "openssl"

    def __init__(self, key: bytes) -> None:
        self.key = bytes(key)
        self.name = f"aes{len(self.key) * 8}gcm"
        self._aead = AESGCM(self.key)

    def seal(self, nonce: bytes, plaintext: bytes, data: bytes) -> bytearray:
        """Ciphertext and tag."""
        return bytearray(self._aead.encrypt(bytes(nonce), bytes(plaintext), bytes(data)))

    def open(self, nonce: bytes, ciphertext: bytes, data: bytes) -> bytearray | None:
        """The plaintext, or None when the tag does not match (what tlslite-ng expects)."""
        try:
            return bytearray(self._aead.decrypt(bytes(nonce), bytes(ciphertext), bytes(data)))
        except InvalidTag:
            return None


class _OpenSslRecordLayer(RecordLayer):  # type: ignore[misc]
    """tlslite-ng's record layer with :class:`OpenSslAesGcm` for the GCM suites."""

    def calcPendingStates(  # noqa: N802 - tlslite's name
        self,
        cipherSuite: int,  # noqa: N803
        masterSecret: bytearray,  # noqa: N803
        clientRandom: bytearray,  # noqa: N803
        serverRandom: bytearray,  # noqa: N803
        implementations: list[str],
    ) -> None:
        super().calcPendingStates(
            cipherSuite, masterSecret, clientRandom, serverRandom, implementations
        )
        # handshake_settings() offers the AES-GCM suites only.
        for state in (self._pendingWriteState, self._pendingReadState):
            state.encContext = OpenSslAesGcm(state.encContext.key)


class CardTlsConnection(TLSConnection):  # type: ignore[misc]
    """A tlslite-ng client connection that checks the server before the card signs."""

    def __init__(self, sock: socket.socket, verifier: ServerVerifier, host: str) -> None:
        super().__init__(sock)
        self._recordLayer = _OpenSslRecordLayer(self.sock)
        self._verifier = verifier
        self._host = host
        self.untrusted: DmpServerUntrustedError | None = None

    def write(self, s: bytes | bytearray | memoryview) -> None:
        """Send ``s`` one record at a time: tlslite-ng fragments a long message by
        re-slicing what remains (a copy per record, quadratic in the length). The sealed
        records are sent :data:`RECORDS_PER_SEND` at a time (one system call each batch)."""
        view = memoryview(s).cast("B")
        size = self.recordSize
        buffered = self.sock  # tlslite-ng's BufferedSocket, which queues when told to
        buffered.buffer_writes = True
        try:
            for number, start in enumerate(range(0, len(view), size), start=1):
                super().write(view[start : start + size])
                if number % RECORDS_PER_SEND == 0:
                    buffered.flush()
            buffered.flush()
        finally:  # after a failure the connection is closed, whatever was queued
            buffered.buffer_writes = False

    def makefile(self, mode: str = "r", bufsize: int = -1) -> Any:
        """As :meth:`socket.socket.makefile`: a *buffered* reader (tlslite-ng gives a raw
        one, which ``http.client`` then reads its header lines from byte by byte)."""
        file = super().makefile(mode, bufsize)
        if "r" in mode and isinstance(file, io.RawIOBase):
            return io.BufferedReader(file)
        return file

    def _clientGetKeyFromChain(  # noqa: N802 - tlslite's name
        self, certificate: Any, settings: Any, tack_ext: Any = None
    ) -> Iterator[Any]:
        chain = [bytes(member.bytes) for member in certificate.cert_chain.x509List]
        try:
            self._verifier.verify(chain, self._host)
        except DmpServerUntrustedError as error:
            self.untrusted = error
            yield from self._sendError(AlertDescription.bad_certificate, str(error))
        yield from super()._clientGetKeyFromChain(certificate, settings, tack_ext)


def handshake_settings() -> HandshakeSettings:
    """TLS 1.2 only, ECDHE-RSA with AES-GCM, the client signing rsa_pkcs1_sha256."""
    settings = HandshakeSettings()
    settings.minVersion = settings.maxVersion = (3, 3)
    settings.versions = [(3, 3)]
    settings.cipherNames = list(CIPHERS)
    settings.keyExchangeNames = ["ecdhe_rsa"]
    settings.rsaSchemes = ["pkcs1"]
    # What the card signs (a SHA-256 DigestInfo), and what the server signs with too.
    settings.rsaSigHashes = ["sha256"]
    settings.more_sig_schemes = []
    settings.ecdsaSigCurves = []
    settings.eccCurves = list(CURVES)
    settings.keyShares = []
    settings.use_heartbeat_extension = False
    settings.useEncryptThenMAC = False
    return settings


def _x509(der: bytes) -> X509:
    certificate = X509()
    certificate.parseBinary(der)
    return certificate


def card_handshake(
    sock: socket.socket,
    host: str,
    credential: CardCredential,
    verifier: ServerVerifier,
    session: Session | None = None,
) -> CardTlsConnection:
    """The TLS session over ``sock``: the server verified, then the card signs once.

    ``session``: an earlier session of the same transport with ``host`` to resume. When the
    server resumes it (abbreviated handshake: no Certificate, no CertificateVerify), the
    card signs nothing; when it does not, the handshake is a full one, as without it.

    Raises :class:`DmpServerUntrustedError` when the server is not trusted (the card has
    signed nothing then), :class:`tlslite.errors.TLSError` or :class:`OSError` otherwise.
    """
    connection = CardTlsConnection(sock, verifier, host)
    chain = X509CertChain([_x509(der) for der in credential.certificate_chain])
    key = CardKey(credential.certificate_chain[0], credential.sign_digest)
    server_name = None if verifier.is_address(host) else host
    try:
        connection.handshakeClientCert(
            chain, key, session=session, settings=handshake_settings(), serverName=server_name
        )
    except TLSError:
        if connection.untrusted is not None:
            raise connection.untrusted from None
        raise
    return connection
