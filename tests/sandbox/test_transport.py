"""Transport: mutual TLS with the test PKI, SOAP 1.2 envelopes, WS-Addressing, faults."""

from __future__ import annotations

import http.client
import socket
import sqlite3
import ssl
import subprocess

import pytest
from cryptography import x509
from lxml import etree

from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.pki_organisations import SERVER_COMMON_NAME, OrganisationPki
from cardbridge.sandbox.server import SandboxServer
from cardbridge.sandbox.tls import server_context
from testkit.dmp_messages import SOAP, WSA, envelope, existence_test
from testkit.dmp_sandbox import (
    SERVICES,
    Identity,
    RunningSandbox,
    client_context,
    practitioner,
)
from tests.sandbox.conftest import PIERRE

NS = {"soap": SOAP, "wsa": WSA}


def _fault(answer_xml: etree._Element) -> tuple[str, str, str]:
    subcode = answer_xml.findtext(".//soap:Subcode/soap:Value", namespaces=NS) or ""
    text = answer_xml.findtext(".//soap:Reason/soap:Text", namespaces=NS) or ""
    location = answer_xml.findtext(".//soap:Detail/location", namespaces=NS) or ""
    return subcode.split(":")[-1], text, location


def test_existence_test_over_mutual_tls(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    answer = dmp.call("TD0.2", existence_test(PIERRE), demo_doctor, message_id="urn:uuid:1234")
    assert answer.status == 200
    assert answer.content_type.startswith("application/soap+xml")
    root = answer.xml()
    assert root.findtext("soap:Header/wsa:RelatesTo", namespaces=NS) == "urn:uuid:1234"
    assert root.findtext("soap:Header/wsa:Action", namespaces=NS) == (
        "urn:hl7-org:v3:PRPA_IN201308UV02"
    )
    assert root.findtext("soap:Header/wsa:To", namespaces=NS) == (
        "http://www.w3.org/2005/08/addressing/anonymous"
    )


def test_server_certificate_says_test_and_chains_to_the_test_root(
    dmp: RunningSandbox, demo_doctor: Identity, organisations: OrganisationPki
) -> None:
    # openssl s_client, not Python, reads the chain the server sends.
    result = subprocess.run(
        [
            "openssl",
            "s_client",
            "-connect",
            f"127.0.0.1:{dmp.port}",
            "-showcerts",
            "-servername",
            "localhost",
        ],
        input=b"",
        capture_output=True,
        timeout=30,
        check=False,
    )
    output = result.stdout.decode(errors="replace")
    assert f"CN = {SERVER_COMMON_NAME}" in output or f"CN={SERVER_COMMON_NAME}" in output
    assert "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS" in output
    certificate = organisations.server.certificate
    assert "TEST" in certificate.subject.rfc4514_string()
    certificate.verify_directly_issued_by(organisations.ca.certificate)
    organisations.ca.certificate.verify_directly_issued_by(organisations.root.root.certificate)


def test_no_client_certificate_is_refused(dmp: RunningSandbox) -> None:
    with pytest.raises((ssl.SSLError, ConnectionError, http.client.RemoteDisconnected)):
        dmp.post(SERVICES + "patients", b"<x/>", None)


def test_the_server_refuses_below_tls_1_2(organisations: OrganisationPki) -> None:
    # The client libraries here cannot speak TLS 1.1 any more: the setting is read instead.
    assert server_context(organisations).minimum_version is ssl.TLSVersion.TLSv1_2


def test_accepted_connections_send_without_delay(organisations: OrganisationPki) -> None:
    # Headers and body are two writes: Nagle's algorithm would hold the body for the
    # client's delayed ACK (up to 40 ms per kept-alive answer).
    server = SandboxServer(("127.0.0.1", 0), None, server_context(organisations))  # type: ignore[arg-type]
    try:
        with socket.create_connection(("127.0.0.1", server.port)) as client:
            accepted, _ = server.get_request()
            try:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            finally:
                accepted.close()
            client.close()
    finally:
        server.server_close()


def test_tls_1_2_uses_an_ecdhe_suite(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    context = client_context(dmp.trust, demo_doctor.tls, maximum=ssl.TLSVersion.TLSv1_2)
    with (
        socket.create_connection(("127.0.0.1", dmp.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        name, version, _ = tls.cipher()
    assert version == "TLSv1.2"
    assert name.startswith("ECDHE-RSA-")


def test_a_certificate_from_another_pki_is_refused(
    dmp: RunningSandbox, tmp_path_factory: pytest.TempPathFactory, demo_doctor: Identity
) -> None:
    stranger_pki = TestPki.load_or_create(tmp_path_factory.mktemp("other-pki"))
    stranger = practitioner(
        stranger_pki, "899700735741", "LE QUINIO", "PIERRE", "Médecin", demo_doctor.vihf
    )
    with pytest.raises((ssl.SSLError, ConnectionError, http.client.RemoteDisconnected)):
        dmp.call("TD0.2", existence_test(PIERRE), stranger)


def test_a_signature_certificate_is_not_a_tls_client(
    dmp: RunningSandbox, demo_doctor: Identity
) -> None:
    message = envelope("TD0.2", existence_test(PIERRE), demo_doctor.signed())
    answer = dmp.post(SERVICES + "patients", message, demo_doctor.signer)
    assert answer.status == 500
    assert _fault(answer.xml())[0] == "DMPInvalidCertificate"


@pytest.mark.parametrize("missing", ["MessageID", "To", "ReplyTo", "Action"])
def test_each_addressing_header_is_required(
    dmp: RunningSandbox, demo_doctor: Identity, missing: str
) -> None:
    answer = dmp.call("TD0.2", existence_test(PIERRE), demo_doctor, omit=(missing,))
    assert answer.status == 500
    subcode, text, location = _fault(answer.xml())
    assert subcode == "MessageAddressingHeaderRequired"
    assert text == "A required header representing a Message Addressing Property is not present"
    assert location.endswith(f"wsa:{missing}")


def test_an_action_served_elsewhere_is_a_fault(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    message = envelope("TD0.2", existence_test(PIERRE), demo_doctor.signed())
    answer = dmp.post(SERVICES + "habilitations", message, demo_doctor.tls)
    assert answer.status == 500
    assert _fault(answer.xml())[0] == "ActionNotSupported"


def test_not_xml_is_a_soap_fault(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    answer = dmp.post(SERVICES + "patients", b"<Envelope", demo_doctor.tls)
    assert answer.status == 500
    assert _fault(answer.xml())[0] == "DMPInvalidMessage"


def test_soap_1_1_is_refused(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    message = envelope("TD0.2", existence_test(PIERRE), demo_doctor.signed()).replace(
        SOAP.encode(), b"http://schemas.xmlsoap.org/soap/envelope/"
    )
    answer = dmp.post(SERVICES + "patients", message, demo_doctor.tls)
    assert answer.status == 500
    assert _fault(answer.xml())[0] == "DMPInvalidMessage"


def test_every_request_leaves_one_trace(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    dmp.call("TD0.2", existence_test(PIERRE), demo_doctor)
    dmp.call("TD0.2", existence_test(PIERRE), demo_doctor, omit=("Action",))
    with sqlite3.connect(dmp.data_dir / "dmp-sandbox.sqlite3") as db:
        rows = db.execute(
            "SELECT actor_id, structure_id, authentication_mode, purpose, ins, transaction_, "
            "result FROM trace ORDER BY id"
        ).fetchall()
    assert rows == [
        ("899700735741", "499700735741008", "DIRECTE", "normal", PIERRE, "TD0.2", "OK"),
        (None, None, None, None, None, None, "MessageAddressingHeaderRequired"),
    ]


def test_the_server_certificate_names_loopback(organisations: OrganisationPki) -> None:
    names = organisations.server.certificate.extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    ).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
