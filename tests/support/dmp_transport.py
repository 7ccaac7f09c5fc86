"""A test-side :class:`~cardbridge.dmp.transport.Transport` to the offline DMP, made of the
tests' own envelope, MTOM and HTTPS code (testkit/dmp_messages.py,
dmp_documents.py, dmp_sandbox.py), not of cardbridge's transport: transaction modules can
be tested against the sandbox independently of the transport that carries them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from cardbridge.dmp.transport import SoapAnswer, SoapCall
from cardbridge.errors import DmpRefusedError
from testkit.dmp_documents import mtom
from testkit.dmp_messages import SOAP, WSA, envelope
from testkit.dmp_queries import read_mtom
from testkit.dmp_sandbox import SERVICES, Identity, RunningSandbox


@dataclass
class SandboxTransport:
    """Carries calls to ``sandbox`` with ``identity``'s TLS certificate (a software key)."""

    sandbox: RunningSandbox
    identity: Identity

    def call(self, call: SoapCall, vihf: bytes) -> SoapAnswer:
        message = envelope(
            call.transaction or "TD0.2", call.payload, etree.fromstring(vihf), action=call.action
        )
        path = SERVICES + call.service.value
        if call.attachments:
            content_type, data = mtom(message, dict(call.attachments), call.action)
            answer = self.sandbox.post(path, data, self.identity.tls, content_type)
        else:
            answer = self.sandbox.post(path, message, self.identity.tls)
        attachments: Mapping[str, bytes] = {}
        if answer.content_type.startswith("multipart/related"):
            root, attachments = read_mtom(answer.content_type, answer.body)
        else:
            root = etree.fromstring(answer.body)
        body = root.find(f"{{{SOAP}}}Body")
        assert body is not None
        payload = body[0]
        if payload.tag == f"{{{SOAP}}}Fault":
            subcode = payload.findtext(f"{{{SOAP}}}Code/{{{SOAP}}}Subcode/{{{SOAP}}}Value") or ""
            text = payload.findtext(f"{{{SOAP}}}Reason/{{{SOAP}}}Text") or ""
            raise DmpRefusedError(subcode.rpartition(":")[2], text, transaction=call.transaction)
        action = root.findtext(f"{{{SOAP}}}Header/{{{WSA}}}Action") or ""
        return SoapAnswer(action, payload, attachments)
