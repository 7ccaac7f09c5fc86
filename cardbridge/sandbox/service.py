"""One request through the sandbox: envelope, addressing, TLS client, VIHF, handler, trace.

:class:`Sandbox` is independent of HTTP: the server hands it the path, the content type,
the body and the TLS client, and gets back the HTTP status, content type and body. Every
request leaves one trace row (who, structure, mode, reason, INS, transaction, result,
time, audience restriction), refused ones included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from cardbridge.emulator.pki_organisations import OrganisationPki
from cardbridge.sandbox import mtom, soap
from cardbridge.sandbox.authentication import Caller, authenticate
from cardbridge.sandbox.faults import Fault, ServiceFault
from cardbridge.sandbox.notifications import SmtpServer, notify_first_access
from cardbridge.sandbox.store import Store
from cardbridge.sandbox.tls import ClientIdentity
from cardbridge.sandbox.wire import BASE_PATH, SERVICES, Operation, operation_for

SOAP_CONTENT_TYPE = "application/soap+xml; charset=UTF-8"
# Transactions whose VIHF names no patient (TD0.4 lists DMPs, TD0.5 searches for one).
_WITHOUT_PATIENT = frozenset({"TD0.4", "TD0.5"})
# Transactions answered as MTOM, faults included.
_MTOM_ANSWERS = frozenset({"TD3.2"})


@dataclass(frozen=True)
class Exchange:
    """What a handler gets: the operation, the parsed request, its parts and the caller."""

    operation: Operation
    request: soap.Request
    related: mtom.Related
    caller: Caller
    now: datetime


@dataclass(frozen=True)
class Reply:
    """A handler's answer: the body's payload, and attachments for an MTOM answer."""

    payload: etree._Element
    attachments: dict[str, bytes] = field(default_factory=dict)
    result: str = "OK"


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    content_type: str
    body: bytes


Handler = Callable[[Exchange, Store], Reply]


@dataclass
class _Trace:
    transaction: str | None = None
    caller: Caller | None = None
    result: str = "OK"


class Sandbox:
    """The service: a store, the test PKI and one handler per transaction."""

    def __init__(
        self,
        store: Store,
        pki: OrganisationPki,
        handlers: dict[str, Handler],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        smtp: SmtpServer | None = None,
    ) -> None:
        self.store = store
        self.pki = pki
        self.handlers = handlers
        self.clock = clock
        self.smtp = smtp

    def handle(
        self, path: str, content_type: str, body: bytes, client: ClientIdentity
    ) -> HttpAnswer:
        """Answer one request; always leaves one trace row."""
        now = self.clock()
        trace = _Trace()
        message_id: str | None = None
        mtom_answer = False
        try:
            operation, request, related = self._read(path, content_type, body)
            message_id = request.message_id
            trace.transaction = operation.transaction
            mtom_answer = operation.transaction in _MTOM_ANSWERS
            handler = self.handlers[operation.transaction]
            trace.caller = authenticate(
                request.security,
                client,
                self.pki,
                self.store,
                now,
                patient_required=operation.transaction not in _WITHOUT_PATIENT,
            )
            reply = handler(Exchange(operation, request, related, trace.caller, now), self.store)
            trace.result = reply.result
            envelope = soap.answer(operation.response_action, message_id, reply.payload)
            if mtom_answer:
                content, data = mtom.build_related(
                    envelope, reply.attachments, operation.response_action
                )
                return HttpAnswer(200, content, data)
            return HttpAnswer(200, SOAP_CONTENT_TYPE, envelope)
        except ServiceFault as error:
            trace.result = error.kind.value.subcode
            envelope = soap.fault(error, message_id)
            if mtom_answer:
                content, data = mtom.build_related(envelope, {}, soap.FAULT_ACTION)
                return HttpAnswer(500, content, data)
            return HttpAnswer(500, SOAP_CONTENT_TYPE, envelope)
        finally:
            self._trace(trace, now)

    def _read(
        self, path: str, content_type: str, body: bytes
    ) -> tuple[Operation, soap.Request, mtom.Related]:
        related = mtom.parse_request_body(content_type, body)
        request = soap.read_request(soap.parse_xml(related.root))
        service = path.removeprefix(BASE_PATH) if path.startswith(BASE_PATH) else ""
        operation = operation_for(service, request.action) if service in SERVICES else None
        if operation is None or operation.transaction not in self.handlers:
            raise ServiceFault(Fault.ACTION_NOT_SUPPORTED, "/Envelope/Header/wsa:Action")
        return operation, request, related

    def _trace(self, trace: _Trace, now: datetime) -> None:
        caller = trace.caller
        claims = caller.claims if caller else None
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO trace (at, actor_id, structure_id, authentication_mode, purpose, "
                "reason, ins, transaction_, result, audience) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    claims.actor_id if claims else None,
                    claims.structure_id if claims else None,
                    claims.authentication_mode.value if claims else None,
                    claims.purpose.value if claims else None,
                    claims.reason if claims else None,
                    claims.patient.ins if claims and claims.patient else None,
                    trace.transaction,
                    trace.result,
                    "INVISIBLE_REPRESENTANTS_LEGAUX" if claims and claims.secret else None,
                ),
            )
        if claims and claims.patient and trace.result == "OK" and not claims.secret:
            notify_first_access(
                self.store,
                self.smtp,
                ins=claims.patient.ins,
                actor_id=claims.actor_id,
                structure_id=claims.structure_id,
                purpose=claims.purpose.value,
                now=now,
            )
