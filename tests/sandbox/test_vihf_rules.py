"""Each VIHF rule, refused with the service's fault; the accepted forms accepted."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree

from cardbridge.emulator.pki import TestPki
from testkit.dmp_messages import build_vihf, envelope, existence_test, sign_vihf
from testkit.dmp_sandbox import Identity, RunningSandbox, practitioner
from tests.sandbox.conftest import PIERRE
from tests.support.xmldsig import verify_xmlsec1

SOAP_NS = {"soap": "http://www.w3.org/2003/05/soap-envelope"}
DS = "http://www.w3.org/2000/09/xmldsig#"


def _fault(answer_xml: etree._Element) -> tuple[str, str, str]:
    subcode = answer_xml.findtext(".//soap:Subcode/soap:Value", namespaces=SOAP_NS) or ""
    text = answer_xml.findtext(".//soap:Reason/soap:Text", namespaces=SOAP_NS) or ""
    location = answer_xml.findtext(".//soap:Detail/location", namespaces=SOAP_NS) or ""
    return subcode.split(":")[-1], text, location


def _refused(
    dmp: RunningSandbox, who: Identity, vihf: etree._Element | None
) -> tuple[str, str, str]:
    answer = dmp.call("TD0.2", existence_test(PIERRE), who, vihf=vihf)
    assert answer.status == 500, answer.body
    return _fault(answer.xml())


def _accepted(dmp: RunningSandbox, who: Identity, vihf: etree._Element) -> None:
    answer = dmp.call("TD0.2", existence_test(PIERRE), who, vihf=vihf)
    assert answer.status == 200, answer.body


def test_the_test_vihf_is_valid_for_xmlsec1(demo_doctor: Identity) -> None:
    """The tests' signed VIHF is checked by an independent implementation first."""
    signed = etree.tostring(demo_doctor.signed())
    pem = demo_doctor.signer.certificate.public_bytes(serialization.Encoding.PEM).decode()
    assert verify_xmlsec1(signed, pem)


def test_signed_sha256_accepted(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    _accepted(dmp, demo_doctor, demo_doctor.signed())


def test_signed_sha1_accepted(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    _accepted(dmp, demo_doctor, demo_doctor.signed(sha1=True))


def test_unsigned_direct_vihf_accepted(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    _accepted(dmp, demo_doctor, build_vihf(demo_doctor.vihf))


def test_both_spellings_of_the_mode_attribute(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    vihf = demo_doctor.vihf.but(mode_attribute="Authentification_Mode")
    _accepted(dmp, demo_doctor, demo_doctor.signed(vihf))


def test_no_vihf(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    answer = dmp.post(
        "/si-dmp-server/v2/services/patients",
        envelope("TD0.2", existence_test(PIERRE), None),
        demo_doctor.tls,
    )
    assert answer.status == 500
    assert _fault(answer.xml())[0] == "DMPInvalidVihf"


@pytest.mark.parametrize(
    ("change", "location_part"),
    [
        ({"version": "2.0"}, "VIHF_Version"),
        ({"mode": "DIRECT"}, "Authentification_Mode"),
        ({"resource_urn": "urn:autre"}, "Ressource_URN"),
        ({"sector": "SX99"}, "Secteur_Activite"),
        ({"profession": None, "specialty": None}, "subject:role"),
        ({"profession": "99"}, "subject:role"),
        ({"specialty": "SI06"}, "subject:role"),
        ({"purpose": "urgence"}, "purposeofuse"),
        ({"purpose_system": "1.2.3"}, "purposeofuse"),
        ({"purpose": "bris_de_glace", "reason": None}, "Mode_Acces_Raison"),
        ({"purpose": "centre_15", "reason": None}, "Mode_Acces_Raison"),
        ({"patient": None}, "resource-id"),
        ({"patient": "1550672000101"}, "resource-id"),
        ({"confidentiality": "MASQUE_PS^1.2.250.1.213.1.1.4.13"}, "confidentiality-code"),
        ({"issued": datetime.now(UTC) - timedelta(hours=2)}, "NotOnOrAfter"),
        ({"issued": datetime.now(UTC) + timedelta(hours=1)}, "IssueInstant"),
        ({"issued": datetime.now(UTC) - timedelta(hours=2), "lifetime": None}, "NotOnOrAfter"),
    ],
)
def test_each_attribute_rule(
    dmp: RunningSandbox, demo_doctor: Identity, change: dict[str, object], location_part: str
) -> None:
    subcode, _, location = _refused(
        dmp, demo_doctor, demo_doctor.signed(demo_doctor.vihf.but(**change))
    )
    assert subcode == "DMPInvalidVihf"
    assert location_part in location


def test_doctor_without_specialty(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    subcode, text, _ = _refused(
        dmp, demo_doctor, demo_doctor.signed(demo_doctor.vihf.but(specialty=None))
    )
    assert subcode == "DMPInvalidVihf"
    assert text.startswith("Aucune spécialité dans le vihf")


def test_patient_oid_must_match_the_query(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    vihf = demo_doctor.signed(demo_doctor.vihf.but(patient_oid="1.2.250.1.213.1.4.8"))
    subcode, _, location = _refused(dmp, demo_doctor, vihf)
    assert subcode == "DMPPatientIdDoesNotMatch"
    assert "patientIdentifier" in location


def test_structure_unknown(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    vihf = demo_doctor.signed(demo_doctor.vihf.but(structure_id="499999999999999"))
    assert _refused(dmp, demo_doctor, vihf)[1] == "Structure introuvable ou Inactive"


def test_structure_not_linked_to_the_practitioner(
    dmp: RunningSandbox, demo_doctor: Identity
) -> None:
    vihf = demo_doctor.signed(demo_doctor.vihf.but(structure_id="410002813839001"))
    assert _refused(dmp, demo_doctor, vihf)[1] == "PS et Structure non liés"


def test_sector_of_another_situation(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    vihf = demo_doctor.signed(demo_doctor.vihf.but(sector="SA01"))
    assert _refused(dmp, demo_doctor, vihf)[1] == "PS et Structure non liés"


def test_signed_with_the_authentication_certificate(
    dmp: RunningSandbox, demo_doctor: Identity
) -> None:
    vihf = sign_vihf(
        build_vihf(demo_doctor.vihf), demo_doctor.tls.private_key, demo_doctor.tls.certificate
    )
    subcode, text, location = _refused(dmp, demo_doctor, vihf)
    assert subcode == "DMPInvalidCertificate"
    assert (
        text == "Le certificat ayant signé le VIHF est invalide : Not a valid signature certificate"
    )
    assert "Signature" in location


def test_signed_by_another_practitioner(
    dmp: RunningSandbox, demo_doctor: Identity, other_doctor: Identity
) -> None:
    vihf = sign_vihf(
        build_vihf(demo_doctor.vihf),
        other_doctor.signer.private_key,
        other_doctor.signer.certificate,
    )
    assert _refused(dmp, demo_doctor, vihf)[0] == "DMPInvalidCertificate"


def test_tls_certificate_of_another_practitioner(
    dmp: RunningSandbox, demo_doctor: Identity, other_doctor: Identity
) -> None:
    answer = dmp.call("TD0.2", existence_test(PIERRE), other_doctor, vihf=demo_doctor.signed())
    assert answer.status == 500
    subcode, text, _ = _fault(answer.xml())
    assert subcode == "DMPInvalidCertificate"
    assert "ne correspond pas" in text


def test_tampered_assertion(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    vihf = demo_doctor.signed()
    name_id = vihf.find(".//{urn:oasis:names:tc:SAML:2.0:assertion}Attribute[@Name='LPS_Nom']")
    assert name_id is not None
    name_id[0].text = "AUTRE LOGICIEL"
    assert _refused(dmp, demo_doctor, vihf)[0] == "DMPInvalidSignature"


def test_inclusive_c14n_refused(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    vihf = demo_doctor.signed()
    method = vihf.find(f".//{{{DS}}}CanonicalizationMethod")
    assert method is not None
    method.set("Algorithm", "http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
    assert _refused(dmp, demo_doctor, vihf)[0] == "DMPInvalidSignature"


def test_signer_outside_the_test_pki(
    dmp: RunningSandbox, demo_doctor: Identity, tmp_path_factory: pytest.TempPathFactory
) -> None:
    stranger = practitioner(
        TestPki.load_or_create(tmp_path_factory.mktemp("foreign")),
        "899700735741",
        "LE QUINIO",
        "PIERRE",
        "Médecin",
        demo_doctor.vihf,
    )
    subcode, _, _ = _refused(dmp, demo_doctor, stranger.signed())
    assert subcode == "DMPInvalidCertificate"


def test_garbage_certificate_in_keyinfo(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    vihf = demo_doctor.signed()
    element = vihf.find(f".//{{{DS}}}X509Certificate")
    assert element is not None
    element.text = base64.b64encode(b"not a certificate").decode()
    assert _refused(dmp, demo_doctor, vihf)[0] == "DMPInvalidCertificate"


# --- indirect mode ------------------------------------------------------------------


def test_indirect_accepted(dmp: RunningSandbox, hospital: Identity) -> None:
    _accepted(dmp, hospital, hospital.signed())


def test_indirect_reinforced_accepted(dmp: RunningSandbox, hospital: Identity) -> None:
    _accepted(dmp, hospital, hospital.signed(hospital.vihf.but(mode="INDIRECTE_RENFORCEE")))


def test_indirect_must_be_signed(dmp: RunningSandbox, hospital: Identity) -> None:
    subcode, _, location = _refused(dmp, hospital, build_vihf(hospital.vihf))
    assert subcode == "DMPInvalidVihf"
    assert "Signature" in location


def test_indirect_needs_a_subject_id(dmp: RunningSandbox, hospital: Identity) -> None:
    subcode, _, location = _refused(
        dmp, hospital, hospital.signed(hospital.vihf.but(subject_text=None))
    )
    assert subcode == "DMPInvalidVihf"
    assert "subject-id" in location


def test_indirect_structure_must_be_the_tls_certificates(
    dmp: RunningSandbox, hospital: Identity
) -> None:
    vihf = hospital.signed(hospital.vihf.but(structure_id="499700735741008", sector="SA07"))
    subcode, text, _ = _refused(dmp, hospital, vihf)
    assert subcode == "DMPInvalidCertificate"
    assert text.startswith("Erreur d'authentification de la personne morale")


def test_indirect_mode_with_a_practitioner_tls_certificate(
    dmp: RunningSandbox, demo_doctor: Identity, hospital: Identity
) -> None:
    answer = dmp.call("TD0.2", existence_test(PIERRE), demo_doctor, vihf=hospital.signed())
    assert answer.status == 500
    assert _fault(answer.xml())[1].startswith("Erreur d'authentification de la personne morale")


def test_direct_mode_with_a_structure_tls_certificate(
    dmp: RunningSandbox, demo_doctor: Identity, hospital: Identity
) -> None:
    answer = dmp.call("TD0.2", existence_test(PIERRE), hospital, vihf=demo_doctor.signed())
    assert answer.status == 500
    assert _fault(answer.xml())[0] == "DMPInvalidCertificate"
