"""The transport's envelope, MTOM and endpoint code, checked against the offline DMP's own
readers and writers (cardbridge/sandbox: independent code on the other side of the wire)."""

from __future__ import annotations

import pytest
from lxml import etree

from cardbridge.dmp import envelope, mtom
from cardbridge.dmp.endpoints import PRODUCTION_URL, SANDBOX_URL, resolve_endpoint
from cardbridge.dmp.transport import Service, SoapCall
from cardbridge.errors import ConfigError, DmpAnswerError, DmpRefusedError
from cardbridge.sandbox import mtom as sandbox_mtom
from cardbridge.sandbox import soap as sandbox_soap
from cardbridge.sandbox.app import DEFAULT_PORT
from cardbridge.sandbox.faults import Fault, ServiceFault
from testkit.dmp_messages import ACTIONS, existence_test
from testkit.dmp_sandbox import Identity
from tests.support.dmp_fixtures import PIERRE

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
URL = "https://127.0.0.1:8471/si-dmp-server/v2/services/patients"


def _call() -> SoapCall:
    return SoapCall(Service.PATIENTS, ACTIONS["TD0.2"], existence_test(PIERRE), transaction="TD0.2")


# --- Requests ----------------------------------------------------------------------------


def test_the_request_is_read_by_the_sandbox_with_its_headers_in_order(
    demo_doctor: Identity,
) -> None:
    vihf = etree.tostring(demo_doctor.signed())
    call = _call()
    message_id, message = envelope.build_request(call, vihf, URL)
    request = sandbox_soap.read_request(sandbox_soap.parse_xml(message))
    assert request.message_id == message_id
    assert request.action == ACTIONS["TD0.2"]
    header = request.header
    names = [etree.QName(child).localname for child in header]
    assert names == ["MessageID", "To", "ReplyTo", "Action", "Security"]
    assert header.findtext(f"{{{WSA}}}To") == URL
    for name in ("ReplyTo", "Action"):
        assert header.find(f"{{{WSA}}}{name}").get(f"{{{SOAP}}}mustUnderstand") == "true"  # type: ignore[union-attr]
    assert header.findtext(f"{{{WSA}}}ReplyTo/{{{WSA}}}Address") == f"{WSA}/anonymous"
    assert request.payload is not None
    assert etree.tostring(request.payload, method="c14n", exclusive=True) == etree.tostring(
        call.payload, method="c14n", exclusive=True
    )


def test_the_vihf_bytes_are_in_the_envelope_verbatim(demo_doctor: Identity) -> None:
    vihf = etree.tostring(demo_doctor.signed(), xml_declaration=True, encoding="UTF-8")
    _, message = envelope.build_request(_call(), vihf, URL)
    assert vihf.split(b"?>", 1)[1].lstrip() in message
    assert b"<?xml" not in message[5:]  # one declaration, the envelope's


def test_a_vihf_that_is_not_an_assertion_is_refused() -> None:
    with pytest.raises(ValueError, match="saml2:Assertion"):
        envelope.build_request(_call(), b"<x/>", URL)
    with pytest.raises(ValueError, match="not XML"):
        envelope.build_request(_call(), b"<x", URL)


def test_the_callers_payload_is_left_in_place() -> None:
    call = _call()
    parent = etree.Element("parent")
    parent.append(call.payload)
    envelope.build_request(
        call, b'<a:Assertion xmlns:a="urn:oasis:names:tc:SAML:2.0:assertion"/>', URL
    )
    assert call.payload.getparent() is parent


# --- Answers -----------------------------------------------------------------------------


def test_an_answer_relating_to_our_message_is_read() -> None:
    payload = etree.Element("{urn:hl7-org:v3}PRPA_IN201308UV02")
    data = sandbox_soap.answer("urn:hl7-org:v3:PRPA_IN201308UV02", "urn:uuid:ours", payload)
    answer = envelope.read_answer(data, {}, "urn:uuid:ours", "TD0.2")
    assert answer.action == "urn:hl7-org:v3:PRPA_IN201308UV02"
    assert answer.payload.tag == "{urn:hl7-org:v3}PRPA_IN201308UV02"


def test_an_answer_to_another_message_is_not_ours() -> None:
    payload = etree.Element("ok")
    data = sandbox_soap.answer("a", "urn:uuid:theirs", payload)
    with pytest.raises(DmpAnswerError, match="does not relate"):
        envelope.read_answer(data, {}, "urn:uuid:ours", "TD0.2")


def test_a_fault_becomes_a_refusal_with_its_subcode_and_text() -> None:
    data = sandbox_soap.fault(ServiceFault(Fault.ACCESS_DENIED, "/"), "urn:uuid:ours")
    with pytest.raises(DmpRefusedError) as refused:
        envelope.read_answer(data, {}, "urn:uuid:ours", "TD3.2")
    assert refused.value.dmp_code == "DMPAccessDeniedByRightsService"
    assert refused.value.dmp_text == Fault.ACCESS_DENIED.value.text
    assert refused.value.transaction == "TD3.2"


def test_an_addressing_fault_relating_to_nothing_is_still_a_refusal() -> None:
    data = sandbox_soap.fault(ServiceFault(Fault.ADDRESSING_HEADER_MISSING, "/"), None)
    with pytest.raises(DmpRefusedError) as refused:
        envelope.read_answer(data, {}, "urn:uuid:ours", "TD0.2")
    assert refused.value.dmp_code == Fault.ADDRESSING_HEADER_MISSING.value.subcode


@pytest.mark.parametrize(
    "data",
    [
        b"not xml",
        b"<html><body>502</body></html>",
        f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body/></soap:Envelope>'.encode(),
    ],
)
def test_unreadable_answers(data: bytes) -> None:
    with pytest.raises(DmpAnswerError):
        envelope.read_answer(data, {}, "urn:uuid:ours", "TD0.2")


def test_entities_are_not_expanded() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<soap:Envelope xmlns:soap="' + SOAP.encode() + b'"><soap:Header>'
        b'<wsa:RelatesTo xmlns:wsa="' + WSA.encode() + b'">m</wsa:RelatesTo></soap:Header>'
        b"<soap:Body><p>&x;</p></soap:Body></soap:Envelope>"
    )
    answer = envelope.read_answer(data, {}, "m", "TD0.2")
    assert "root:" not in "".join(answer.payload.itertext())


# --- MTOM --------------------------------------------------------------------------------


def test_our_mtom_request_is_read_by_the_sandbox() -> None:
    data = bytes(range(256)) * 100 + b"\r\n--uuid:fake\r\n"
    content_type, body = mtom.encode(b"<e/>", {"doc1@cardbridge": data}, ACTIONS["TD2.1"])
    related = sandbox_mtom.parse_request_body(content_type, body)
    assert related.root == b"<e/>"
    assert related.attachment("cid:doc1%40cardbridge") == data


def test_a_large_attachment_is_sent_as_its_own_buffer_not_copied() -> None:
    data = bytes(range(256)) * 4096  # 1 MiB
    content_type, buffers = mtom.encode_parts(
        b"<e/>", {"doc1@cardbridge": data, "sig@cardbridge": b"<s/>"}, ACTIONS["TD2.1"]
    )
    assert len(buffers) == 3  # the headers and envelope, the document, the rest
    assert buffers[1] is data
    related = sandbox_mtom.parse_request_body(content_type, b"".join(buffers))
    assert related.root == b"<e/>"
    assert related.attachment("cid:doc1%40cardbridge") == data
    assert related.attachment("cid:sig%40cardbridge") == b"<s/>"


def test_the_sandboxs_mtom_answer_is_read_with_its_start_and_encoded_ids() -> None:
    data = b"%PDF-1.4\r\n\x00\xff binary \r\n\r\n"
    content_type, body = sandbox_mtom.build_related(
        b"<answer/>", {"a b@x": data}, "urn:ihe:iti:2007:RetrieveDocumentSetResponse"
    )
    root, attachments = mtom.decode(content_type, body)
    assert root == b"<answer/>"
    assert attachments == {"a b@x": data}


def test_the_start_part_is_the_root_even_when_not_first() -> None:
    body = (
        b"--b\r\nContent-ID: <other>\r\n\r\nnot the root\r\n"
        b"--b\r\nContent-ID: <root%40x>\r\n\r\n<root/>\r\n--b--\r\n"
    )
    root, attachments = mtom.decode('multipart/related; boundary="b"; start="<root@x>"', body)
    assert root == b"<root/>"
    assert attachments == {"other": b"not the root"}


def test_an_mtom_answer_without_its_root_is_unreadable() -> None:
    body = b"--b\r\nContent-ID: <other>\r\n\r\nx\r\n--b--\r\n"
    with pytest.raises(DmpAnswerError):
        mtom.decode('multipart/related; boundary="b"; start="<missing>"', body)


# --- Endpoints ---------------------------------------------------------------------------


def test_the_sandbox_endpoint_is_the_sandboxs_default_address() -> None:
    endpoint = resolve_endpoint("sandbox")
    assert f"https://127.0.0.1:{DEFAULT_PORT}" == SANDBOX_URL
    assert (endpoint.host, endpoint.port) == ("127.0.0.1", DEFAULT_PORT)
    assert endpoint.path(Service.REGISTRY) == "/si-dmp-server/v2/services/registry"


@pytest.mark.parametrize(
    ("setting", "url"),
    [
        # The national services' base URLs (docs/dmp-client.md, "Transport").
        ("production", "https://lps2.dmp.gouv.fr/si-dmp-server/v2/services/patients"),
        ("formation1", "https://formation1.lps2.dmp.gouv.fr/si-dmp-server/v2/services/patients"),
        ("formation5", "https://formation5.lps2.dmp.gouv.fr/si-dmp-server/v2/services/patients"),
        (
            "https://lps.dev1.dmp.gouv.fr/si-dmp-server/v2/services/",
            "https://lps.dev1.dmp.gouv.fr/si-dmp-server/v2/services/patients",
        ),
        ("https://127.0.0.1:9999", "https://127.0.0.1:9999/si-dmp-server/v2/services/patients"),
    ],
)
def test_endpoint_urls(setting: str, url: str) -> None:
    assert resolve_endpoint(setting).url(Service.PATIENTS) == url
    assert PRODUCTION_URL.startswith("https://lps2.dmp.gouv.fr")


@pytest.mark.parametrize(
    "setting", ["formation6", "http://127.0.0.1:8471", "dev", "https://", "https://h:99999"]
)
def test_endpoint_values_refused(setting: str) -> None:
    with pytest.raises(ConfigError):
        resolve_endpoint(setting)
