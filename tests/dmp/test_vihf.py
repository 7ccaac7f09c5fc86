"""The client's VIHF as the offline DMP reads it: an emergency's reason reaches the access
trace and the patient's page; the secret access of a minor hides the trace from the legal
representatives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree, html

from cardbridge.dmp.access import AccessMode
from cardbridge.dmp.transport import Service, SoapCall, Transport
from cardbridge.dmp.vihf import LabelledCode, LpsInfo, VihfRequest, build_assertion, sign_assertion
from cardbridge.dmp.vihf import issuer_from_certificate as issuer_of
from testkit.dmp_sandbox import Identity, RunningSandbox
from tests.support.dmp_fixtures import LOUISE, PIERRE

HL7 = "urn:hl7-org:v3"
TEST_INS_OID = "1.2.250.1.213.1.4.10"  # the test OID of the seed's INS
REASON = "Patient inconscient admis aux urgences"


def existence_test(ins: str) -> etree._Element:
    """The smallest TD0.2 request the DMP answers (the test needs a call to carry a VIHF)."""
    message = etree.Element(f"{{{HL7}}}PRPA_IN201307UV02", nsmap={None: HL7})
    control = etree.SubElement(message, f"{{{HL7}}}controlActProcess")
    etree.SubElement(control, f"{{{HL7}}}reasonCode", code="TEST_EXST")
    query = etree.SubElement(control, f"{{{HL7}}}queryByParameter")
    parameters = etree.SubElement(query, f"{{{HL7}}}parameterList")
    identifier = etree.SubElement(parameters, f"{{{HL7}}}patientIdentifier")
    etree.SubElement(identifier, f"{{{HL7}}}value", root=TEST_INS_OID, extension=ins)
    return message


def vihf_of(
    identity: Identity, ins: str, mode: AccessMode, reason: str | None, *, secret: bool = False
) -> bytes:
    """A VIHF of cardbridge's builder, signed by ``identity``'s signature key."""
    certificate = identity.signer.certificate.public_bytes(serialization.Encoding.DER)
    key = identity.signer.private_key
    assert isinstance(key, rsa.RSAPrivateKey)
    assertion = build_assertion(
        VihfRequest(
            national_id=identity.vihf.actor_id,
            last_name="LE QUINIO",
            first_name="PIERRE",
            profession=LabelledCode("10", "Médecin"),
            specialty=LabelledCode("SM26", "Qualifié en Médecine Générale (SM)"),
            structure_id=identity.vihf.structure_id,
            sector="SA07",
            patient_cx=f"{ins}^^^&{TEST_INS_OID}&ISO^NH",
            mode=mode,
            issuer=issuer_of(certificate),
            lps=LpsInfo("cardbridge-test", "cardbridge", "0.1.0"),
            reason=reason,
            secret=secret,
        ),
        now=datetime.now(UTC),
        validity=timedelta(minutes=30),
    )
    return sign_assertion(
        assertion, lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA256()), certificate
    )


def history(sandbox: RunningSandbox, ins: str, view: str = "") -> list[list[str]]:
    """The rows of the patient page's access history, as the page shows them."""
    page = httpx.get(f"{sandbox.pages_url}/patients/{ins}{view}", timeout=10)
    assert page.status_code == 200
    table = html.fromstring(page.text).xpath("//table[@aria-label='Historique des accès']")
    if not table:
        assert "Aucun accès." in page.text
        return []
    return [
        [cell.text_content().strip() for cell in row.xpath("td")]
        for row in table[0].xpath(".//tr[td]")
    ]


def _call(ins: str) -> SoapCall:
    return SoapCall(
        Service.PATIENTS,
        "urn:hl7-org:v3:PRPA_IN201307UV02",
        existence_test(ins),
        transaction="TD0.2",
    )


@pytest.mark.parametrize(
    ("mode", "shown"),
    [(AccessMode.EMERGENCY, "Accès en urgence"), (AccessMode.REGULATION, "centre 15")],
)
def test_the_reason_of_an_emergency_is_seen_in_the_patients_history(
    transport_for: Callable[[Identity], Transport],
    demo_doctor: Identity,
    dmp: RunningSandbox,
    mode: AccessMode,
    shown: str,
) -> None:
    transport_for(demo_doctor).call(_call(PIERRE), vihf_of(demo_doctor, PIERRE, mode, REASON))
    (row,) = [row for row in history(dmp, PIERRE) if REASON in row]
    assert shown.lower() in " ".join(row).lower()
    assert "PIERRE LE QUINIO" in row


def test_a_normal_access_has_no_reason_in_the_history(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity, dmp: RunningSandbox
) -> None:
    transport_for(demo_doctor).call(
        _call(PIERRE), vihf_of(demo_doctor, PIERRE, AccessMode.NORMAL, None)
    )
    (row,) = history(dmp, PIERRE)
    assert row[-1] == ""  # the "Motif" column


def test_a_secret_access_is_hidden_from_the_legal_representatives(
    transport_for: Callable[[Identity], Transport], demo_doctor: Identity, dmp: RunningSandbox
) -> None:
    vihf = vihf_of(demo_doctor, LOUISE, AccessMode.EMERGENCY, REASON, secret=True)
    transport_for(demo_doctor).call(_call(LOUISE), vihf)
    assert any(REASON in row for row in history(dmp, LOUISE))
    assert not any(REASON in row for row in history(dmp, LOUISE, "?view=representative"))
