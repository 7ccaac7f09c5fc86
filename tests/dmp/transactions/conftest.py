"""TD2.1's test fixtures: Pierre's traits and his treating physician as an author, as the
seed (cardbridge/sandbox/seeds/default.yaml) and the demo doctor's VIHF state them, and
the sandbox's own view of what was deposited (TD3.1/TD3.2 by the tests' own client)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree

from cardbridge.dmp.documents import DepositForm
from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.results import DepositReceipt
from cardbridge.dmp.transactions.cda import CdaPatient
from cardbridge.dmp.transactions.deposit import DepositRequest, deposit_document
from cardbridge.dmp.transactions.ebrim import Code
from cardbridge.dmp.transactions.submission import Author
from cardbridge.dmp.transport import SoapAnswer, SoapCall, Transport
from testkit.dmp_queries import APPROVED, find_documents, read_mtom, retrieve
from testkit.dmp_sandbox import Identity, RunningSandbox
from tests.support.dmp_fixtures import PIERRE

ROOT = "1.2.250.1.999.1.1.7898"  # the ANS samples' LPS root
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
NS = {"rim": RIM, "rs": "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0", "hl7": "urn:hl7-org:v3"}
UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
# Seen from Paris on the day of the tests' deposits.
NOW = datetime(2026, 12, 3, 10, 15, 30, tzinfo=ZoneInfo("Europe/Paris"))

# Pierre, as the seed states him.
PIERRE_TRAITS = CdaPatient(
    ins=InsReference(value=PIERRE, oid="1.2.250.1.213.1.4.10"),
    birth_family_name="LE QUINIO",
    given_names=("PIERRE",),
    sex="M",
    birth_date=date(1955, 6, 15),
)
# The demo doctor in the practice situation its VIHF states (tests/support/dmp_fixtures.py).
DEMO_AUTHOR = Author(
    national_id="899700735741",
    last_name="LE QUINIO",
    first_name="PIERRE",
    profession=Code("10", "1.2.250.1.71.1.2.7", "Médecin"),
    specialty=Code("SM26", "1.2.250.1.71.4.2.5", "Qualifié en Médecine Générale (SM)"),
    structure_id="499700735741008",
    structure_name="CABINET DR LE QUINIO",
    sector="SA07",
)


def form(**changes: object) -> DepositForm:
    """The deposit form of a consultation report, changed by ``changes``."""
    fields: dict[str, object] = {
        "title": "Compte rendu de consultation",
        "document_date": date(2026, 12, 2),
        "type": "11488-4",
        "event_start": date(2026, 12, 1),
        "event_end": date(2026, 12, 2),
        "comment": "Suivi tensionnel",
    }
    return DepositForm.model_validate(fields | changes)


def signer_of(identity: Identity) -> Callable[[bytes], bytes]:
    """The identity's signature key as the card would use it (RSA PKCS#1 v1.5, SHA-256)."""
    key = identity.signer.private_key

    def sign(data: bytes) -> bytes:
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr, call-arg]

    return sign


def der(identity: Identity) -> bytes:
    return identity.signer.certificate.public_bytes(serialization.Encoding.DER)


@dataclass
class Recording:
    """A transport that keeps the calls it carries."""

    inner: Transport
    calls: list[SoapCall] = field(default_factory=list)

    def call(self, call: SoapCall, vihf: bytes) -> SoapAnswer:
        self.calls.append(call)
        return self.inner.call(call, vihf)


@dataclass
class Depositor:
    """Deposits through the client's own TD2.1, as ``identity``."""

    transport_for: Callable[[Identity], Transport]
    dmp: RunningSandbox

    def deposit(
        self, identity: Identity, request: DepositRequest, recording: Recording | None = None
    ) -> DepositReceipt:
        transport = recording or self.transport_for(identity)
        return deposit_document(
            transport,
            etree.tostring(identity.signed()),
            request,
            signer_of(identity),
            der(identity),
            lps_oid_root=ROOT,
            now=NOW,
        )

    def found(
        self, who: Identity, statuses: tuple[str, ...] = (APPROVED,)
    ) -> dict[str, etree._Element]:
        """TD3.1 FindDocuments on Pierre's DMP by ``who``: the entries by uniqueId."""
        answer = self.dmp.call("TD3.1", find_documents(PIERRE, statuses), who)
        assert answer.status == 200, answer.body
        found = {}
        for entry in answer.xml().iterfind(".//rim:ExtrinsicObject", NS):
            identifier = entry.find(
                f"rim:ExternalIdentifier[@identificationScheme='{UNIQUE_ID}']", NS
            )
            assert identifier is not None
            found[identifier.get("value", "")] = entry
        return found

    def stored_cda(self, who: Identity, unique_id: str) -> bytes:
        """TD3.2 by ``who``: the stored document's bytes."""
        answer = self.dmp.call("TD3.2", retrieve(unique_id), who)
        assert answer.status == 200, answer.body
        root, attachments = read_mtom(answer.content_type, answer.body)
        include = root.find(".//{http://www.w3.org/2004/08/xop/include}Include")
        assert include is not None, etree.tostring(root)
        return attachments[unquote(include.get("href", "").removeprefix("cid:"))]


@pytest.fixture
def depositor(transport_for: Callable[[Identity], Transport], dmp: RunningSandbox) -> Depositor:
    return Depositor(transport_for, dmp)
