"""The transport's pieces one by one: the card key and the record cipher given to tlslite-ng,
certificate and PKCS#12 errors, answers without a length or too large."""

from __future__ import annotations

import datetime as dt
import io
import os
import socket
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from lxml import etree
from tlslite.errors import TLSError

from cardbridge.config import Settings
from cardbridge.dmp import envelope, http, mtom, tls_card
from cardbridge.dmp.connect import (
    direct_transport,
    load_structure_key,
    server_verifier,
    structure_signer,
)
from cardbridge.dmp.endpoints import resolve_endpoint
from cardbridge.dmp.server_trust import ServerVerifier
from cardbridge.dmp.transport import Service, SoapAnswer
from cardbridge.emulator.pki_organisations import OrganisationPki
from cardbridge.errors import ConfigError, DmpAnswerError, DmpServerUntrustedError
from cardbridge.sandbox import soap as sandbox_soap
from cardbridge.sandbox.faults import Fault, ServiceFault
from testkit.dmp_card_credentials import der, software_credential
from testkit.dmp_sandbox import Identity
from tests.support.dmp_fixtures import indirect_settings


def _ec_certificate() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "EC")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, certificate


# --- What tlslite-ng is given --------------------------------------------------------------


def test_the_card_key_signs_sha256_digest_infos_only(demo_doctor: Identity) -> None:
    digests: list[bytes] = []

    def sign_digest(digest: bytes) -> bytes:
        digests.append(digest)
        return b"signature"

    key = tls_card.CardKey(der(demo_doctor.tls.certificate), sign_digest)
    digest = bytes(range(32))
    assert key.sign(bytearray(tls_card.SHA256_DIGEST_INFO + digest)) == bytearray(b"signature")
    assert digests == [digest]
    for arguments in (("pss", "sha256"), ("pkcs1", "sha256")):
        with pytest.raises(TLSError):
            key.sign(tls_card.SHA256_DIGEST_INFO + digest, *arguments)
    with pytest.raises(TLSError):
        key.sign(bytes(51))


def test_a_card_key_must_be_rsa() -> None:
    _, certificate = _ec_certificate()
    with pytest.raises(TypeError):
        tls_card.CardKey(der(certificate), lambda digest: b"")


def test_the_record_cipher_is_aes_gcm_and_refuses_a_bad_tag() -> None:
    key, nonce, aad = os.urandom(16), os.urandom(12), b"header"
    cipher = tls_card.OpenSslAesGcm(key)
    sealed = cipher.seal(nonce, b"record", aad)
    assert bytes(sealed) == AESGCM(key).encrypt(nonce, b"record", aad)
    assert cipher.open(nonce, sealed, aad) == bytearray(b"record")
    sealed[-1] ^= 1
    assert cipher.open(nonce, sealed, aad) is None
    assert tls_card.OpenSslAesGcm(os.urandom(32)).name == "aes256gcm"


def test_only_the_gcm_suites_are_offered() -> None:
    settings = tls_card.handshake_settings()
    assert set(settings.cipherNames) == {"aes128gcm", "aes256gcm"}
    assert (settings.minVersion, settings.maxVersion) == ((3, 3), (3, 3))
    assert settings.keyExchangeNames == ["ecdhe_rsa"]


def test_the_connection_reads_through_a_buffer(organisations: OrganisationPki) -> None:
    left, right = socket.socketpair()
    with left, right:
        verifier = ServerVerifier.from_pem(organisations.trust_anchors_pem())
        connection = tls_card.CardTlsConnection(left, verifier, "127.0.0.1")
        assert isinstance(connection.makefile("rb"), io.BufferedReader)
        assert not isinstance(connection.makefile("wb"), io.BufferedReader)


def test_an_unreadable_server_certificate_is_untrusted(organisations: OrganisationPki) -> None:
    verifier = ServerVerifier.from_pem(organisations.trust_anchors_pem())
    with pytest.raises(DmpServerUntrustedError, match="unreadable"):
        verifier.verify([b"not a certificate"], "127.0.0.1")


# --- Settings errors ---------------------------------------------------------------------


def test_roots_that_cannot_be_read(tmp_path: Path) -> None:
    endpoint = resolve_endpoint("production")
    missing = Settings(dmp_server_roots=[tmp_path / "missing.pem"])
    with pytest.raises(ConfigError, match="cannot read"):
        server_verifier(missing, endpoint)
    (tmp_path / "junk.pem").write_text("no certificate here")
    junk = Settings(dmp_server_roots=[tmp_path / "junk.pem"])
    with pytest.raises(ConfigError, match="no readable PEM"):
        server_verifier(junk, endpoint)


def test_direct_transport_from_the_settings(
    tmp_path: Path, organisations: OrganisationPki, demo_doctor: Identity
) -> None:
    roots = tmp_path / "roots.pem"
    roots.write_bytes(organisations.trust_anchors_pem())
    settings = Settings(dmp_endpoint="formation2", dmp_server_roots=[roots])
    credential = software_credential(der(demo_doctor.tls.certificate), demo_doctor.tls.private_key)
    transport = direct_transport(settings, credential)
    assert transport.endpoint.url(Service.REGISTRY) == (
        "https://formation2.lps2.dmp.gouv.fr/si-dmp-server/v2/services/registry"
    )


def test_pkcs12_errors(tmp_path: Path, organisations: OrganisationPki) -> None:
    with pytest.raises(ConfigError, match="is not set"):
        load_structure_key(None, None, "dmp_structure_tls_pkcs12")
    with pytest.raises(ConfigError, match="cannot read"):
        load_structure_key(tmp_path / "missing.p12", None, "dmp_structure_tls_pkcs12")
    key, certificate = _ec_certificate()
    ec_file = tmp_path / "ec.p12"
    ec_file.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"ec", key, certificate, None, serialization.NoEncryption()
        )
    )
    with pytest.raises(ConfigError, match="no RSA key"):
        load_structure_key(ec_file, None, "dmp_structure_tls_pkcs12")


def test_pkcs12_password_file_and_none(tmp_path: Path, organisations: OrganisationPki) -> None:
    tls, sign = organisations.export_demo_structure_pkcs12(tmp_path, b"pw")
    unreadable = indirect_settings(
        (tls, sign), password=None, dmp_structure_pkcs12_password_file=tmp_path / "missing"
    )
    with pytest.raises(ConfigError, match="password_file: cannot read"):
        structure_signer(unreadable)
    no_password = indirect_settings((tls, sign), password=None)
    with pytest.raises(ConfigError, match="this password opens"):
        structure_signer(no_password)


# --- Answers -----------------------------------------------------------------------------


def test_a_fault_relating_to_another_message_is_not_ours() -> None:
    data = sandbox_soap.fault(ServiceFault(Fault.ACCESS_DENIED, "/"), "urn:uuid:theirs")
    with pytest.raises(DmpAnswerError, match="another message"):
        envelope.read_answer(data, {}, "urn:uuid:ours", "TD3.2")


def test_mtom_answers_without_parts_or_with_a_nested_multipart() -> None:
    with pytest.raises(DmpAnswerError, match="no parts"):
        mtom.decode('multipart/related; boundary="b"', b"no boundary here")
    nested = (
        b"--b\r\nContent-ID: <root>\r\n\r\n<r/>\r\n"
        b'--b\r\nContent-ID: <inner>\r\nContent-Type: multipart/mixed; boundary="c"\r\n\r\n'
        b"--c\r\n\r\nx\r\n--c--\r\n--b--\r\n"
    )
    with pytest.raises(DmpAnswerError, match="cannot be read"):
        mtom.decode('multipart/related; boundary="b"; start="<root>"', nested)


class _Response:
    """An ``http.client`` response as ``_read_capped`` sees it."""

    def __init__(self, body: bytes, length: str | None) -> None:
        self._body = io.BytesIO(body)
        self._length = length

    def getheader(self, name: str) -> str | None:
        return self._length

    def read(self, amount: int = -1) -> bytes:
        return self._body.read(amount)


def test_answers_are_capped_with_or_without_a_length(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "MAX_ANSWER", 10)
    read = http._read_capped
    assert read(_Response(b"0123456789", "10")) == b"0123456789"  # type: ignore[arg-type]
    assert read(_Response(b"0123456789", None)) == b"0123456789"  # type: ignore[arg-type]
    with pytest.raises(DmpAnswerError, match="larger"):
        read(_Response(b"0123456789A", "11"))  # type: ignore[arg-type]
    with pytest.raises(DmpAnswerError, match="larger"):
        read(_Response(b"0123456789A", None))  # type: ignore[arg-type]


def test_an_href_that_is_not_a_content_id_points_at_nothing() -> None:
    answer = SoapAnswer("a", etree.Element("p"), {"x": b"1"})
    assert answer.attachment("cid:x") == b"1"
    assert answer.attachment("http://example.test/x") is None
