"""The offline DMP in tests: identities from the test PKI, a server on a free port, and a
client that speaks HTTPS with a client certificate (the standard library's, not
cardbridge's)."""

from __future__ import annotations

import http.client
import ssl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from cardbridge.emulator.pki import CardHolderIdentity, CertifiedKey, TestPki
from cardbridge.emulator.pki_organisations import OrganisationPki
from cardbridge.sandbox.app import build_pages, build_sandbox, build_server
from cardbridge.sandbox.notifications import SmtpServer
from testkit.dmp_documents import Doc, Package, mtom, provide_and_register
from testkit.dmp_messages import PATHS, Vihf, build_vihf, envelope, sign_vihf

SERVICES = "/si-dmp-server/v2/services/"


@dataclass(frozen=True)
class Identity:
    """A TLS client certificate and the certificate that signs its VIHFs."""

    name: str
    tls: CertifiedKey
    signer: CertifiedKey
    vihf: Vihf

    def signed(self, vihf: Vihf | None = None, *, sha1: bool = False) -> etree._Element:
        return sign_vihf(
            build_vihf(vihf or self.vihf),
            self.signer.private_key,
            self.signer.certificate,
            sha1=sha1,
        )


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def practitioner(
    pki: TestPki,
    national_id: str,
    last_name: str,
    first_name: str,
    label: str,
    vihf: Vihf,
) -> Identity:
    """A card's two certificates from the test PKI, with new keys."""
    authentication, signature = _key(), _key()
    issued = pki.issue_card_certificates(
        CardHolderIdentity(national_id, last_name, first_name, label),
        authentication.public_key(),
        signature.public_key(),
    )
    return Identity(
        national_id,
        CertifiedKey(issued.authentication, authentication),
        CertifiedKey(issued.signature, signature),
        vihf,
    )


def structure(organisations: OrganisationPki, vihf: Vihf) -> Identity:
    """The demo structure's AUTH_CLI and SIGN certificates."""
    pair = organisations.demo_structure
    return Identity(vihf.structure_id, pair.authentication, pair.signature, vihf)


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes

    def xml(self) -> etree._Element:
        return etree.fromstring(self.body)


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def client_context(
    trust: bytes, tls: CertifiedKey | None, *, maximum: ssl.TLSVersion | None = None
) -> ssl.SSLContext:
    """A client context trusting ``trust`` and presenting ``tls`` (when given)."""
    context = ssl.create_default_context(cadata=trust.decode())
    if maximum is not None:
        context.maximum_version = maximum
    if tls is not None:
        with tempfile.TemporaryDirectory() as folder:
            cert, key = Path(folder, "cert.pem"), Path(folder, "key.pem")
            cert.write_bytes(_pem(tls.certificate))
            key.write_bytes(
                tls.private_key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            context.load_cert_chain(cert, key)
    return context


@dataclass
class RunningSandbox:
    port: int
    trust: bytes
    data_dir: Path
    pages_url: str = ""

    def post(
        self,
        path: str,
        body: bytes,
        tls: CertifiedKey | None,
        content_type: str = "application/soap+xml; charset=UTF-8",
    ) -> Answer:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=client_context(self.trust, tls), timeout=30
        )
        try:
            connection.request("POST", path, body, {"Content-Type": content_type})
            response = connection.getresponse()
            return Answer(response.status, response.getheader("Content-Type", ""), response.read())
        finally:
            connection.close()

    def call(
        self,
        transaction: str,
        body: etree._Element,
        who: Identity,
        vihf: etree._Element | None = None,
        **envelope_options: object,
    ) -> Answer:
        """One transaction at its service path, with ``who``'s TLS certificate and signed VIHF
        (or ``vihf``)."""
        message = envelope(
            transaction,
            body,
            vihf if vihf is not None else who.signed(),
            **envelope_options,  # type: ignore[arg-type]
        )
        return self.post(SERVICES + PATHS[transaction], message, who.tls)

    def deposit(
        self,
        docs: list[Doc],
        who: Identity,
        package: Package | None = None,
        vihf: etree._Element | None = None,
    ) -> Answer:
        """TD2.1 with MTOM: the submission of ``docs`` by ``who``."""
        body, parts = provide_and_register(docs, package or Package())
        message = envelope("TD2.1", body, vihf if vihf is not None else who.signed())
        content_type, data = mtom(message, parts)
        return self.post(SERVICES + "repository", data, who.tls, content_type)


@contextmanager
def running_sandbox(
    data_dir: Path, pki_dir: Path, seed: Path | None = None, smtp: SmtpServer | None = None
) -> Iterator[RunningSandbox]:
    """The sandbox of ``data_dir`` served on free loopback ports until the block ends."""
    sandbox = build_sandbox(data_dir, seed, pki_dir=pki_dir, smtp=smtp)
    server = build_server(sandbox, "127.0.0.1", 0)
    pages = build_pages(sandbox, "127.0.0.1", 0)
    threads = [server.start_in_thread(), pages.start_in_thread()]
    try:
        yield RunningSandbox(
            server.port, sandbox.pki.trust_anchors_pem(), data_dir, f"http://127.0.0.1:{pages.port}"
        )
    finally:
        server.shutdown()
        server.server_close()
        pages.shutdown()
        pages.server_close()
        for thread in threads:
            thread.join(timeout=10)
        sandbox.store.close()
