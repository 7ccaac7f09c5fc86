"""cardbridge's DMP transport against a running offline DMP: mutual TLS signed by an
emulated CPS in process, kept-alive sessions, faults, MTOM both ways, indirect mode.

The sandbox's TLS side is the standard library's (OpenSSL): a handshake it accepts is a
CertificateVerify that OpenSSL checked against the card's certificate.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree

from cardbridge.config import Settings
from cardbridge.dmp import tls_card
from cardbridge.dmp.connect import indirect_transport, structure_signer
from cardbridge.dmp.endpoints import resolve_endpoint
from cardbridge.dmp.http import CardConnector, HttpsTransport
from cardbridge.dmp.server_trust import ServerVerifier
from cardbridge.dmp.transport import XOP, Service, SoapCall, Transport
from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki_organisations import OrganisationPki
from cardbridge.emulator.profiles import load_profile
from cardbridge.errors import DmpRefusedError, DmpServerUntrustedError, DmpUnavailableError
from cardbridge.sandbox.faults import Fault
from cardbridge.sandbox.store import DATABASE_NAME
from testkit.dmp_card_credentials import EmulatedCps, emulated_cps, software_credential
from testkit.dmp_documents import Doc, Package, cda, provide_and_register
from testkit.dmp_messages import ACTIONS, existence_test
from testkit.dmp_queries import retrieve
from testkit.dmp_sandbox import Identity, RunningSandbox
from testkit.sample_files import pdf_of_size
from tests.support.dmp_fixtures import PIERRE

HL7 = "urn:hl7-org:v3"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
XDSB = "urn:ihe:iti:xds-b:2007"


def _td02() -> SoapCall:
    return SoapCall(Service.PATIENTS, ACTIONS["TD0.2"], existence_test(PIERRE), transaction="TD0.2")


def _vihf(identity: Identity) -> bytes:
    return etree.tostring(identity.signed())


@pytest.fixture
def demo_card(key_pool: KeyPool, issuer: PkiIssuer) -> IsoCard:
    card = build_card(load_profile("demo-cps"), keys=key_pool, issuer=issuer)
    card.power_on()
    return card


@pytest.fixture
def cps(demo_card: IsoCard) -> Iterator[EmulatedCps]:
    with emulated_cps(demo_card) as emulated:
        yield emulated


def _transport(dmp: RunningSandbox, connector: CardConnector) -> HttpsTransport:
    return HttpsTransport(resolve_endpoint(f"https://127.0.0.1:{dmp.port}"), connector)


@pytest.fixture
def card_transport(dmp: RunningSandbox, cps: EmulatedCps) -> Iterator[HttpsTransport]:
    transport = _transport(dmp, CardConnector(cps.credential(), ServerVerifier.from_pem(dmp.trust)))
    yield transport
    transport.close()


def test_existence_test_through_the_card_one_signature_per_tls_session(
    card_transport: HttpsTransport, cps: EmulatedCps, demo_doctor: Identity
) -> None:
    before = cps.authentication_key.signatures
    for _ in range(3):
        answer = card_transport.call(_td02(), _vihf(demo_doctor))
        # The ANS sample's answer: PRPA_IN201308UV02, acknowledgement AA.
        assert answer.action == "urn:hl7-org:v3:PRPA_IN201308UV02"
        assert answer.payload.tag == f"{{{HL7}}}PRPA_IN201308UV02"
        assert answer.payload.find(f"{{{HL7}}}acknowledgement").get("typeCode") == "AA"  # type: ignore[union-attr]
    assert cps.authentication_key.signatures == before + 1
    card_transport.close()
    card_transport.call(_td02(), _vihf(demo_doctor))
    assert cps.authentication_key.signatures == before + 2


def test_a_connection_the_server_closed_is_made_again(
    card_transport: HttpsTransport, cps: EmulatedCps, demo_doctor: Identity
) -> None:
    card_transport.call(_td02(), _vihf(demo_doctor))
    connection = card_transport._connection
    assert connection is not None
    assert connection.sock is not None
    # The TCP connection under the TLS session goes away, as when a server drops an idle one.
    connection.sock.sock.socket.shutdown(2)
    answer = card_transport.call(_td02(), _vihf(demo_doctor))
    assert answer.payload.find(f"{{{HL7}}}acknowledgement").get("typeCode") == "AA"  # type: ignore[union-attr]
    # A new connection, resuming the session the card authenticated: no new signature.
    again = card_transport._connection
    assert again is not None
    assert again is not connection
    assert again.sock is not None
    assert again.sock.resumed is True
    assert cps.authentication_key.signatures == 1


def test_each_connection_made_again_resumes_the_cards_session(
    card_transport: HttpsTransport, cps: EmulatedCps, demo_doctor: Identity, dmp: RunningSandbox
) -> None:
    card_transport.call(_td02(), _vihf(demo_doctor))
    for _ in range(3):
        dropped = card_transport._connection
        assert dropped is not None
        assert dropped.sock is not None
        dropped.sock.sock.socket.shutdown(2)
        card_transport.call(_td02(), _vihf(demo_doctor))
    assert cps.authentication_key.signatures == 1
    assert card_transport._connection is not None
    assert card_transport._connection.sock.resumed is True  # type: ignore[union-attr]
    # The offline DMP took each resumed connection as the card's (it checks the TLS
    # client against the VIHF): four requests traced, each answered.
    connection = sqlite3.connect(dmp.data_dir / DATABASE_NAME)
    try:
        traced = connection.execute("SELECT transaction_, result FROM trace").fetchall()
    finally:
        connection.close()
    assert traced == [("TD0.2", "OK")] * 4


def test_a_closed_transport_forgets_its_session(
    card_transport: HttpsTransport, cps: EmulatedCps, demo_doctor: Identity
) -> None:
    card_transport.call(_td02(), _vihf(demo_doctor))
    card_transport.close()  # the PIN session ended: nothing of it is resumed
    card_transport.call(_td02(), _vihf(demo_doctor))
    assert cps.authentication_key.signatures == 2
    assert card_transport._connection is not None
    assert card_transport._connection.sock.resumed is False  # type: ignore[union-attr]


def test_bulk_encryption_is_openssls(card_transport: HttpsTransport, demo_doctor: Identity) -> None:
    card_transport.call(_td02(), _vihf(demo_doctor))
    tls = card_transport._connection.sock  # type: ignore[union-attr]
    assert tls.getVersionName() == "TLS 1.2"
    assert tls.getCipherName() in ("aes128gcm", "aes256gcm")
    assert tls.getCipherImplementation() == "openssl"


def test_a_card_whose_key_does_not_match_its_certificate_is_refused(
    dmp: RunningSandbox, cps: EmulatedCps, other_doctor: Identity, demo_doctor: Identity
) -> None:
    # The card's certificate, a signature by another key: tlslite-ng checks the signature
    # against the certificate before sending it.
    wrong = software_credential(
        cps.session.authentication_certificate(), other_doctor.tls.private_key
    )
    transport = _transport(dmp, CardConnector(wrong, ServerVerifier.from_pem(dmp.trust)))
    with pytest.raises(DmpUnavailableError, match="Certificate Verify signature invalid"):
        transport.call(_td02(), _vihf(demo_doctor))


def test_the_sandbox_refuses_a_signature_by_another_key(
    dmp: RunningSandbox,
    cps: EmulatedCps,
    other_doctor: Identity,
    demo_doctor: Identity,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without the client's own check, the server (OpenSSL) refuses the CertificateVerify.
    class Unchecked(tls_card.CardKey):
        def verify(self, *args: object, **kwargs: object) -> bool:
            return True

    monkeypatch.setattr(tls_card, "CardKey", Unchecked)
    wrong = software_credential(
        cps.session.authentication_certificate(), other_doctor.tls.private_key
    )
    transport = _transport(dmp, CardConnector(wrong, ServerVerifier.from_pem(dmp.trust)))
    with pytest.raises(DmpUnavailableError, match="TLSRemoteAlert: decrypt_error"):
        transport.call(_td02(), _vihf(demo_doctor))


def _foreign_root() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Not the DMP's root")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(Encoding.PEM)


def test_an_untrusted_server_is_refused_before_the_card_signs(
    dmp: RunningSandbox, cps: EmulatedCps, demo_doctor: Identity
) -> None:
    before = cps.authentication_key.signatures
    verifier = ServerVerifier.from_pem(_foreign_root())
    transport = _transport(dmp, CardConnector(cps.credential(), verifier))
    with pytest.raises(DmpServerUntrustedError, match="Nothing was sent"):
        transport.call(_td02(), _vihf(demo_doctor))
    assert cps.authentication_key.signatures == before


def test_a_server_named_otherwise_is_refused(
    dmp: RunningSandbox, cps: EmulatedCps, demo_doctor: Identity
) -> None:
    # The sandbox's certificate names the loopback, not this host name.
    endpoint = resolve_endpoint(f"https://dmp.example:{dmp.port}")
    connector = CardConnector(cps.credential(), ServerVerifier.from_pem(dmp.trust))
    with pytest.raises(DmpServerUntrustedError):
        connector.verifier.verify([cps.session.authentication_certificate()], endpoint.host)


def _refusal(transport: Transport, call: SoapCall, vihf: bytes) -> DmpRefusedError:
    with pytest.raises(DmpRefusedError) as refused:
        transport.call(call, vihf)
    return refused.value


def test_a_fault_keeps_the_dmps_code_and_text(
    card_transport: HttpsTransport,
    transport_for: Callable[[Identity], Transport],
    demo_doctor: Identity,
    other_doctor: Identity,
) -> None:
    # The card is the demo doctor's; the VIHF names another practitioner. Expected: what
    # the sandbox's independent test client reads from the same refusal.
    ours = _refusal(card_transport, _td02(), _vihf(other_doctor))
    theirs = _refusal(transport_for(demo_doctor), _td02(), _vihf(other_doctor))
    assert ours.dmp_code == Fault.TLS_CERTIFICATE.value.subcode
    assert (ours.dmp_code, ours.dmp_text) == (theirs.dmp_code, theirs.dmp_text)
    assert ours.dmp_text.startswith(Fault.TLS_CERTIFICATE.value.text)
    assert ours.transaction == "TD0.2"


def test_mtom_both_ways_deposit_then_retrieve_byte_identical(
    card_transport: HttpsTransport, demo_doctor: Identity
) -> None:
    doc = Doc(PIERRE)
    body, parts = provide_and_register([doc], Package())
    deposit = SoapCall(Service.REPOSITORY, ACTIONS["TD2.1"], body, parts, "TD2.1")
    answer = card_transport.call(deposit, _vihf(demo_doctor))
    assert answer.payload.tag == f"{{{RS}}}RegistryResponse"
    assert answer.payload.get("status", "").endswith(":Success")

    got = card_transport.call(
        SoapCall(
            Service.REPOSITORY, ACTIONS["TD3.2"], retrieve(doc.unique_id), transaction="TD3.2"
        ),
        _vihf(demo_doctor),
    )
    assert got.action == "urn:ihe:iti:2007:RetrieveDocumentSetResponse"
    include = got.payload.find(f".//{{{XDSB}}}Document/{{{XOP}}}Include")
    assert include is not None
    assert got.attachment(include.get("href", "")) == cda(doc)


class _CountingSocket:
    """The TCP socket under tlslite-ng, counting the sends."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.sends = 0

    def send(self, data: bytes) -> int:
        self.sends += 1
        return self.inner.send(data)  # type: ignore[attr-defined, no-any-return]

    def sendall(self, data: bytes) -> None:
        self.sends += 1
        self.inner.sendall(data)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_a_large_deposit_goes_in_batches_of_records_and_comes_back_identical(
    card_transport: HttpsTransport, demo_doctor: Identity
) -> None:
    """5 MB through tlslite-ng: about 440 records of 16 KiB, sent 64 at a time."""
    card_transport.call(_td02(), _vihf(demo_doctor))  # the session, made
    buffered = card_transport._connection.sock.sock  # type: ignore[union-attr]
    counting = _CountingSocket(buffered.socket)
    buffered.socket = counting
    doc = Doc(PIERRE, content=pdf_of_size(5_000_000))
    body, parts = provide_and_register([doc], Package())
    answer = card_transport.call(
        SoapCall(Service.REPOSITORY, ACTIONS["TD2.1"], body, parts, "TD2.1"), _vihf(demo_doctor)
    )
    assert answer.payload.get("status", "").endswith(":Success")
    assert 7 <= counting.sends <= 16, counting.sends  # 6.7 MB of base64: 7 batches, + headers
    got = card_transport.call(
        SoapCall(
            Service.REPOSITORY, ACTIONS["TD3.2"], retrieve(doc.unique_id), transaction="TD3.2"
        ),
        _vihf(demo_doctor),
    )
    include = got.payload.find(f".//{{{XDSB}}}Document/{{{XOP}}}Include")
    assert include is not None
    assert got.attachment(include.get("href", "")) == cda(doc)


def test_an_mtom_fault_keeps_its_code_and_text(
    card_transport: HttpsTransport,
    production_transport_for: Callable[[Identity], Transport],
    transport_for: Callable[[Identity], Transport],
    demo_doctor: Identity,
    nurse: Identity,
) -> None:
    # TD3.2 answers are MTOM, faults included: the nurse (no authorization) is refused.
    doc = Doc(PIERRE)
    body, parts = provide_and_register([doc], Package())
    card_transport.call(
        SoapCall(Service.REPOSITORY, ACTIONS["TD2.1"], body, parts, "TD2.1"), _vihf(demo_doctor)
    )
    call = SoapCall(
        Service.REPOSITORY, ACTIONS["TD3.2"], retrieve(doc.unique_id), transaction="TD3.2"
    )
    ours = _refusal(production_transport_for(nurse), call, _vihf(nurse))
    theirs = _refusal(transport_for(nurse), call, _vihf(nurse))
    assert ours.dmp_code == Fault.ACCESS_DENIED.value.subcode
    assert ours.dmp_text.startswith(Fault.ACCESS_DENIED.value.text)
    assert (ours.dmp_code, ours.dmp_text) == (theirs.dmp_code, theirs.dmp_text)


def test_indirect_mode_with_the_structures_pkcs12(
    dmp: RunningSandbox,
    organisations: OrganisationPki,
    hospital: Identity,
    tmp_path: Path,
) -> None:
    tls, sign = organisations.export_demo_structure_pkcs12(tmp_path / "p12", b"secret")
    assert tls.stat().st_mode & 0o777 == 0o600
    roots = tmp_path / "roots.pem"
    roots.write_bytes(dmp.trust)
    password = tmp_path / "password"
    password.write_text("secret\n")
    settings = Settings(
        dmp_endpoint=f"https://127.0.0.1:{dmp.port}",
        dmp_server_roots=[roots],
        dmp_authentication="indirect",
        dmp_structure_tls_pkcs12=tls,
        dmp_structure_sign_pkcs12=sign,
        dmp_structure_pkcs12_password_file=password,
    )
    signer = structure_signer(settings)
    assert signer.certificate == organisations.demo_structure.signature.certificate
    transport = indirect_transport(settings)
    try:
        answer = transport.call(_td02(), _vihf(hospital))
    finally:
        transport.close()
    assert answer.payload.find(f"{{{HL7}}}acknowledgement").get("typeCode") == "AA"  # type: ignore[union-attr]


def test_a_vihf_altered_after_signing_is_refused_by_the_sandbox(
    card_transport: HttpsTransport, demo_doctor: Identity
) -> None:
    # The control of the tests above: the sandbox verifies the VIHF's signature, so a
    # spliced assertion that passes is one whose signed bytes arrived intact.
    vihf = _vihf(demo_doctor).replace(b"499700735741008", b"499700735741009", 1)
    with pytest.raises(DmpRefusedError) as refused:
        card_transport.call(_td02(), vihf)
    assert refused.value.dmp_code == Fault.SIGNATURE_INVALID.value.subcode
