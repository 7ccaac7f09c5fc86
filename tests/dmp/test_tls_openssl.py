"""A second opinion on the card-signed handshake: OpenSSL's own server (``openssl
s_server``, not the sandbox's Python) requires and verifies the client certificate against
the test PKI, and reports whom it accepted."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from cardbridge.dmp.endpoints import resolve_endpoint
from cardbridge.dmp.http import CardConnector, HttpsTransport
from cardbridge.dmp.server_trust import ServerVerifier
from cardbridge.dmp.transport import Service, SoapCall
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.pki_organisations import OrganisationPki
from cardbridge.emulator.profiles import load_profile
from cardbridge.errors import DmpError
from testkit.dmp_card_credentials import emulated_cps
from testkit.dmp_messages import ACTIONS, existence_test
from tests.support.dmp_fixtures import PIERRE

ASSERTION = b'<a:Assertion xmlns:a="urn:oasis:names:tc:SAML:2.0:assertion"/>'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_accepting(process: subprocess.Popen[bytes]) -> None:
    """Until s_server says ACCEPT (a probe connection would use up its one accept)."""
    assert process.stdout is not None
    for _ in range(50):
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("openssl s_server stopped")
        if line.strip() == b"ACCEPT":
            return
    raise RuntimeError("openssl s_server did not accept")


def test_openssl_s_server_verifies_the_card_signed_handshake(
    tmp_path: Path,
    organisations: OrganisationPki,
    test_pki: TestPki,
    key_pool: KeyPool,
    issuer: PkiIssuer,
) -> None:
    openssl = shutil.which("openssl")
    assert openssl is not None, "openssl is among the project's system packages"
    pem = serialization.Encoding.PEM
    server = organisations.server
    (tmp_path / "server.pem").write_bytes(server.certificate.public_bytes(pem))
    (tmp_path / "server.key").write_bytes(
        server.private_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (tmp_path / "server-chain.pem").write_bytes(organisations.ca.certificate.public_bytes(pem))
    (tmp_path / "clients.pem").write_bytes(test_pki.chain_pem())
    port = _free_port()
    process = subprocess.Popen(
        [openssl, "s_server", "-accept", f"127.0.0.1:{port}", "-naccept", "1",
         "-cert", tmp_path / "server.pem", "-key", tmp_path / "server.key",
         "-cert_chain", tmp_path / "server-chain.pem",
         "-CAfile", tmp_path / "clients.pem", "-Verify", "2", "-verify_return_error",
         "-tls1_2", "-www"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    card = build_card(load_profile("demo-cps"), keys=key_pool, issuer=issuer)
    card.power_on()
    try:
        _wait_accepting(process)
        with emulated_cps(card) as cps:
            connector = CardConnector(
                cps.credential(), ServerVerifier.from_pem(organisations.trust_anchors_pem())
            )
            transport = HttpsTransport(
                resolve_endpoint(f"https://127.0.0.1:{port}"), connector, timeout=3
            )
            call = SoapCall(Service.PATIENTS, ACTIONS["TD0.2"], existence_test(PIERRE))
            # s_server -www serves GET only: only the handshake counts here.
            with pytest.raises(DmpError):
                transport.call(call, ASSERTION)
            transport.close()
            assert cps.authentication_key.signatures == 1
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = output.decode(errors="replace")
    # OpenSSL verified the chain of the card's certificate (its CN is the idNat_PS)…
    leaf = text.index("depth=0")
    assert "CN = 899700735741" in text[leaf : text.index("\n", leaf)]
    assert text[leaf:].splitlines()[1] == "verify return:1"
    assert "verify error" not in text
    # …and finished the handshake: the CertificateVerify signed by the card checked out
    # (a bad signature aborts it with a decrypt_error alert before it finishes).
    assert "1 server accepts that finished" in text
