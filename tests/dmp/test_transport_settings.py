"""From the settings to a transport: roots, modes, PKCS#12 files, and the errors a
misconfigured or unreachable DMP gives."""

from __future__ import annotations

import os
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from cardbridge.config import Settings, load_settings
from cardbridge.dmp.connect import (
    StructureTlsContexts,
    indirect_transport,
    server_verifier,
    structure_signer,
)
from cardbridge.dmp.endpoints import resolve_endpoint
from cardbridge.dmp.http import HttpsTransport, SslConnector
from cardbridge.dmp.server_trust import ServerVerifier
from cardbridge.dmp.transport import Service, SoapCall
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.pki_organisations import OrganisationPki
from cardbridge.errors import (
    ConfigError,
    DmpAnswerError,
    DmpServerUntrustedError,
    DmpUnavailableError,
)
from cardbridge.sandbox.tls import server_context
from testkit.dmp_messages import ACTIONS, existence_test
from testkit.dmp_sandbox import Identity
from tests.support.dmp_fixtures import PIERRE, indirect_settings

ASSERTION = b'<a:Assertion xmlns:a="urn:oasis:names:tc:SAML:2.0:assertion"/>'


def _call() -> SoapCall:
    return SoapCall(Service.PATIENTS, ACTIONS["TD0.2"], existence_test(PIERRE), transaction="TD0.2")


def test_a_national_service_without_roots_is_a_configuration_error(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, dmp_endpoint="production")
    with pytest.raises(ConfigError, match="dmp_server_roots"):
        server_verifier(settings, resolve_endpoint("production"))


def test_the_sandbox_trusts_the_test_root_of_the_data_dir(
    data_dir: Path, test_pki: TestPki
) -> None:
    verifier = server_verifier(
        Settings(data_dir=data_dir), resolve_endpoint("sandbox"), test_pki.trust_anchors_pem()
    )
    assert [root.subject for root in verifier.roots] == [test_pki.root.certificate.subject]


def test_indirect_mode_needs_its_pkcs12_files() -> None:
    with pytest.raises(ConfigError, match="dmp_structure_tls_pkcs12"):
        load_settings(dmp_authentication="indirect")


def test_a_wrong_pkcs12_password_is_a_configuration_error(
    organisations: OrganisationPki, tmp_path: Path
) -> None:
    files = organisations.export_demo_structure_pkcs12(tmp_path, b"right")
    settings = indirect_settings(files, password="Wr0ng-s3cr3t")
    with pytest.raises(ConfigError, match="not a PKCS#12 file this password opens"):
        structure_signer(settings)
    assert "Wr0ng-s3cr3t" not in repr(settings)


class _Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    status = 404
    content_type = "text/html"
    body = b"<html>not here</html>"
    close = False

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(self.status)
        self.send_header("Content-Type", self.content_type)
        if self.close:
            self.send_header("Connection", "close")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def https_server(organisations: OrganisationPki) -> Iterator[tuple[HTTPServer, int]]:
    """A loopback HTTPS server with the sandbox's certificate, answering what _Answer says."""
    server = HTTPServer(("127.0.0.1", 0), _Answer)
    context = server_context(organisations)
    context.verify_mode = ssl.CERT_OPTIONAL
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _ssl_transport(port: int, trust: bytes, timeout: float = 10) -> HttpsTransport:
    verifier = ServerVerifier.from_pem(trust)
    return HttpsTransport(
        resolve_endpoint(f"https://127.0.0.1:{port}"),
        SslConnector(verifier.ssl_context()),
        timeout=timeout,
    )


@pytest.mark.parametrize(
    ("status", "content_type", "body", "error"),
    [
        (404, "text/html", b"<html>not here</html>", DmpUnavailableError),
        (500, "text/plain", b"boom", DmpUnavailableError),
        (500, "application/soap+xml", b"not xml", DmpUnavailableError),
        (200, "application/soap+xml", b"not xml", DmpAnswerError),
    ],
)
def test_http_answers_without_a_soap_message(
    https_server: tuple[HTTPServer, int],
    organisations: OrganisationPki,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    content_type: str,
    body: bytes,
    error: type[Exception],
) -> None:
    monkeypatch.setattr(_Answer, "status", status)
    monkeypatch.setattr(_Answer, "content_type", content_type)
    monkeypatch.setattr(_Answer, "body", body)
    transport = _ssl_transport(https_server[1], organisations.trust_anchors_pem())
    with pytest.raises(error):
        transport.call(_call(), ASSERTION)
    transport.close()


def test_an_untrusted_server_in_indirect_mode(
    https_server: tuple[HTTPServer, int], test_pki: TestPki
) -> None:
    # The test PKI's issuing CA as the only root: the server's chain does not reach it.
    transport = _ssl_transport(https_server[1], test_pki.intermediates_pem())
    with pytest.raises(DmpServerUntrustedError, match="Nothing was sent") as untrusted:
        transport.call(_call(), ASSERTION)
    french = untrusted.value.message_in("fr")
    assert french.startswith("Le serveur du DMP sur 127.0.0.1 n'est pas reconnu (")
    assert french.endswith(" : vérifiez les racines de dmp_server_roots. Rien n'a été envoyé.")


def test_nobody_listening(organisations: OrganisationPki) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = _ssl_transport(port, organisations.trust_anchors_pem())
    with pytest.raises(DmpUnavailableError, match="ConnectionRefusedError") as refused:
        transport.call(_call(), ASSERTION)
    assert refused.value.message_in("fr").startswith(
        "La connexion sécurisée au DMP sur 127.0.0.1 a échoué (ConnectionRefusedError"
    )


def test_a_server_that_never_answers_times_out(organisations: OrganisationPki) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        transport = _ssl_transport(
            silent.getsockname()[1], organisations.trust_anchors_pem(), timeout=0.5
        )
        with pytest.raises(DmpUnavailableError, match="timed out"):
            transport.call(_call(), ASSERTION)


def test_indirect_transport_signs_with_the_structure(
    organisations: OrganisationPki, tmp_path: Path, hospital: Identity
) -> None:
    settings = indirect_settings(organisations.export_demo_structure_pkcs12(tmp_path, b"pw"))
    root = organisations.trust_anchors_pem()
    assert isinstance(indirect_transport(settings, root), HttpsTransport)
    assert structure_signer(settings).certificate == hospital.signer.certificate


def test_the_structures_tls_context_is_built_once_per_file_state(
    organisations: OrganisationPki, tmp_path: Path
) -> None:
    tls, sign = organisations.export_demo_structure_pkcs12(tmp_path, b"pw")
    settings = indirect_settings((tls, sign))
    root = organisations.trust_anchors_pem()
    contexts = StructureTlsContexts()
    first = indirect_transport(settings, root, contexts)
    second = indirect_transport(settings, root, contexts)
    assert first is not second  # a transport per PIN session, one context for both
    assert contexts.builds == 1
    # The file replaced (a renewed certificate): its new modification time is read anew.
    changed = tls.stat().st_mtime_ns + 1_000_000_000
    os.utime(tls, ns=(changed, changed))
    indirect_transport(settings, root, contexts)
    assert contexts.builds == 2
    indirect_transport(settings, root, contexts)
    assert contexts.builds == 2
    # A file gone is the configuration error it always was, not a stale context.
    tls.unlink()
    with pytest.raises(ConfigError, match="dmp_structure_tls_pkcs12"):
        indirect_transport(settings, root, contexts)


def test_a_server_closing_after_its_answer(
    https_server: tuple[HTTPServer, int],
    organisations: OrganisationPki,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_Answer, "status", 200)
    monkeypatch.setattr(_Answer, "content_type", "application/soap+xml")
    monkeypatch.setattr(_Answer, "body", b"not xml")
    monkeypatch.setattr(_Answer, "close", True)
    transport = _ssl_transport(https_server[1], organisations.trust_anchors_pem())
    with pytest.raises(DmpAnswerError):
        transport.call(_call(), ASSERTION)
    assert transport._connection is not None
    assert transport._connection.sock is None  # closed: the next call opens a new one
