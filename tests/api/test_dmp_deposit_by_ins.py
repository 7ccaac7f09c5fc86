"""A deposit for a patient chosen by a typed INS, with no Vitale card and no search: the
CDA header's traits are those the DMP gave when the DMP was opened (TD0.2's found
patient). Expected values come from the seed (cardbridge/sandbox/seeds/default.yaml) and
what the offline DMP stored, read by its own test client."""

from __future__ import annotations

from urllib.parse import unquote

import httpx
from lxml import etree

from testkit.dmp_queries import read_mtom, retrieve
from testkit.dmp_sandbox import Identity, RunningSandbox
from tests.support.dmp_fixtures import LOUISE, demo_doctor

__all__ = ["demo_doctor"]

FORM = {
    "situation": "0",
    "ins": LOUISE,
    "title": "Certificat de vaccination",
    "document_date": "2026-11-20",
    "type": "11488-4",
    "event_start": "2026-11-20",
    "text": "Vaccinations à jour.",
}
HL7 = "{urn:hl7-org:v3}"


def _record_target(dmp: RunningSandbox, doctor: Identity, unique_id: str) -> etree._Element:
    """The ``recordTarget/patientRole`` of the CDA the offline DMP stored (TD3.2)."""
    vihf = doctor.signed(doctor.vihf.but(patient=LOUISE))
    answer = dmp.call("TD3.2", retrieve(unique_id), doctor, vihf=vihf)
    assert answer.status == 200, answer.body
    root, attachments = read_mtom(answer.content_type, answer.body)
    include = root.find(".//{http://www.w3.org/2004/08/xop/include}Include")
    assert include is not None
    cda = etree.fromstring(attachments[unquote(include.get("href", "").removeprefix("cid:"))])
    role = cda.find(f"{HL7}recordTarget/{HL7}patientRole")
    assert role is not None
    return role


def test_deposit_for_a_typed_ins_states_the_dmps_traits(
    clinician: httpx.Client, dmp: RunningSandbox, demo_doctor: Identity
) -> None:
    access = {"situation": 0, "patient": {"ins": LOUISE}, "consent": True}
    assert clinician.post("/v1/dmp/access", json=access).status_code == 200
    answer = clinician.post("/v1/dmp/documents", data=FORM)
    assert answer.status_code == 200, answer.text
    unique_id = answer.json()["receipt"]["unique_id"]
    role = _record_target(dmp, demo_doctor, unique_id)
    # The seed: LE QUINIO LOUISE, born 1 February 2015, F, and her test INS.
    assert role.find(f"{HL7}id").get("extension") == LOUISE  # type: ignore[union-attr]
    patient = role.find(f"{HL7}patient")
    assert patient is not None
    assert patient.findtext(f"{HL7}name/{HL7}family[@qualifier='BR']") == "LE QUINIO"
    assert patient.findtext(f"{HL7}name/{HL7}given[@qualifier='BR']") == "LOUISE"
    assert patient.find(f"{HL7}administrativeGenderCode").get("code") == "F"  # type: ignore[union-attr]
    assert patient.find(f"{HL7}birthTime").get("value") == "20150201"  # type: ignore[union-attr]


def test_deposit_before_the_dmp_is_opened_says_to_open_it(clinician: httpx.Client) -> None:
    answer = clinician.post("/v1/dmp/documents", data=FORM)
    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == "dmp_access_required"
