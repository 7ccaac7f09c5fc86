"""The test-side transport reaches the sandbox: a TD0.2 made of the tests' own messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from lxml import etree

from cardbridge.dmp.transport import Service, SoapCall, Transport
from cardbridge.errors import DmpRefusedError
from testkit.dmp_messages import ACTIONS, HL7, existence_test
from testkit.dmp_sandbox import Identity
from tests.support.dmp_fixtures import LUC, PIERRE


def _existence_test(ins: str) -> SoapCall:
    return SoapCall(Service.PATIENTS, ACTIONS["TD0.2"], existence_test(ins), transaction="TD0.2")


def test_an_existence_test_comes_back_as_the_answer_payload(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    vihf = etree.tostring(demo_doctor.signed())
    answer = transport_for(demo_doctor).call(_existence_test(PIERRE), vihf)
    assert answer.action == "urn:hl7-org:v3:PRPA_IN201308UV02"
    assert answer.payload.tag == f"{{{HL7}}}PRPA_IN201308UV02"


def test_a_soap_fault_is_a_refusal_with_the_services_code(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity
) -> None:
    # A VIHF about Luc but a body about Pierre: the DMP refuses the mismatch.
    vihf = etree.tostring(demo_doctor.signed(replace(demo_doctor.vihf, patient=LUC)))
    with pytest.raises(DmpRefusedError) as refused:
        transport_for(demo_doctor).call(_existence_test(PIERRE), vihf)
    # The sandbox's code for it (docs/dmp-sandbox.md, "Errors"), and its French text.
    assert refused.value.dmp_code == "DMPPatientIdDoesNotMatch"
    assert "resource-id du VIHF" in refused.value.dmp_text
    assert refused.value.transaction == "TD0.2"
