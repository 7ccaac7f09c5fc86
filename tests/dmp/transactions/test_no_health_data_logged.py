"""Health data never reaches a log: the offline DMP and the client, run in this process with
every logger at its most verbose (below DEBUG, as ``cardbridge -vv dmp-sandbox`` and more),
carry a status, a deposit, a search and a retrieval about Pierre; no record names him, his
INS or NIR, nor holds a VIHF or a signed XML. (signxml, which verifies the VIHFs in the
offline DMP, logs the canonical XML it verifies at DEBUG.)"""

from __future__ import annotations

import logging

import pytest

from cardbridge.dmp.transactions.deposit import DepositRequest
from cardbridge.dmp.transactions.find import DocumentFilter, find_documents
from cardbridge.dmp.transactions.retrieve import retrieve_document
from cardbridge.dmp.transactions.status import existence_test
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions.conftest import DEMO_AUTHOR, PIERRE_TRAITS, Depositor, form
from tests.dmp.transactions.documents_support import PIERRE_INS, vihf
from tests.dmp.transactions.helpers import SENDER
from tests.support.dmp_fixtures import PIERRE

TEXT = "Tension arterielle stable, poursuite du traitement."
NEEDLES = (
    PIERRE,  # the INS
    PIERRE[:13],  # the NIR
    "QUINIO",
    "PIERRE",
    "Assertion",  # a VIHF
    "SignedInfo",  # a signature
    "Tension arterielle",  # the document
    "ClinicalDocument",  # the CDA
)


def test_a_whole_exchange_logs_no_health_data(
    depositor: Depositor, demo_doctor: Identity, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(1)  # every record, of every logger that does not set its own level
    transport, signed = depositor.transport_for(demo_doctor), vihf(demo_doctor)
    existence_test(transport, signed, PIERRE_INS, SENDER)
    request = DepositRequest.free_text(form(), TEXT, PIERRE_TRAITS, DEMO_AUTHOR)
    unique_id = depositor.deposit(demo_doctor, request).unique_id
    assert unique_id in {
        e.unique_id for e in find_documents(transport, signed, PIERRE_INS, DocumentFilter())
    }
    assert retrieve_document(transport, signed, unique_id).content == TEXT.encode()
    records = caplog.records
    assert records, "the sandbox logs its requests at DEBUG: the capture must see them"
    logged = "\n".join(
        logging.Formatter("%(name)s %(message)s").format(record) for record in records
    )
    found = [needle for needle in NEEDLES if needle in logged]
    assert not found, found
