"""DMP access with an emulated CPS: consent rule, VIHF signed by the signature key, journal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from lxml import etree
from signxml import InvalidSignature, SignatureConfiguration, XMLVerifier

from cardbridge.cards.cps import CpsSession
from cardbridge.cards.models import Practitioner
from cardbridge.cards.vitale import VitaleSession
from cardbridge.dmp.access import AccessMode
from cardbridge.dmp.documents import DepositForm
from cardbridge.dmp.journal import Journal, JournalKind
from cardbridge.dmp.patients import patient_from_beneficiary, patient_from_ins
from cardbridge.dmp.vihf import NSMAP, LpsInfo
from cardbridge.dmp.workflow import AccessRequest, DmpWorkflow
from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.issuance import PkiIssuer
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.profiles import CpsProfile, load_profile
from cardbridge.errors import (
    CardDataError,
    ConsentRequiredError,
    InvalidInputError,
    PinRequiredError,
)
from cardbridge.layouts import cps
from cardbridge.pcsc.apdu import Ins
from tests.cards.conftest import connected, recorded
from tests.support.xmldsig import attribute_texts, attribute_values, verify_signxml, verify_xmlsec1

MakeCard = Callable[[object], IsoCard]
NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)
LPS = LpsInfo("cardbridge-test", "cardbridge", "0.1.0")


@contextmanager
def unlocked_cps(card: IsoCard) -> Iterator[tuple[CpsSession, Practitioner]]:
    """A session on ``card`` with its PIN verified, and its practitioner with situations."""
    with connected(card) as connection:
        session = CpsSession(connection)
        session.verify_pin("1234")
        yield session, session.read_practitioner(with_situations=True)


@pytest.fixture
def workflow(tmp_path: Path) -> DmpWorkflow:
    return DmpWorkflow(Journal.open(tmp_path), LPS, vihf_validity=timedelta(minutes=30))


def test_access_with_consent_then_without(make_card: MakeCard, workflow: DmpWorkflow) -> None:
    patient = patient_from_ins("295109912611193", test=True)
    with connected(make_card("demo-cps")) as connection:
        session = CpsSession(connection)
        without_pin = session.read_practitioner()
        with pytest.raises(PinRequiredError):
            workflow.open_access(
                session, without_pin, AccessRequest(0, patient, AccessMode.NORMAL), now=NOW
            )
        session.verify_pin("1234")
        practitioner = session.read_practitioner(with_situations=True)
        first = AccessRequest(0, patient, AccessMode.NORMAL)
        with pytest.raises(ConsentRequiredError):
            workflow.open_access(session, practitioner, first, now=NOW)
        assert workflow.journal.query() == []  # refused: nothing traced, nothing signed
        grant = workflow.open_access(
            session, practitioner, AccessRequest(0, patient, AccessMode.NORMAL, True), now=NOW
        )
        again = workflow.open_access(session, practitioner, first, now=NOW + timedelta(days=30))
        signature_cert = session.certificates().signature
    assert grant.decision.consent_needed
    assert not again.decision.consent_needed
    pem = x509.load_der_x509_certificate(signature_cert).public_bytes(serialization.Encoding.PEM)
    XMLVerifier().verify(
        grant.vihf, x509_cert=pem.decode(), expect_config=SignatureConfiguration(require_x509=True)
    )
    records = workflow.journal.query(practitioner=practitioner.national_id)
    assert [r.details["vihf_id"] for r in records] == [again.assertion_id, grant.assertion_id]
    assert records[1].details["consent_attested"] is True
    assert records[1].patient == patient.journal_key
    assert workflow.journal.verify().ok


def test_emergency_access_does_not_extend_consent(
    make_card: MakeCard, workflow: DmpWorkflow
) -> None:
    patient = patient_from_ins("295109912611193", test=True)
    with unlocked_cps(make_card("demo-cps")) as (session, practitioner):

        def open_at(moment: datetime, request: AccessRequest) -> None:
            workflow.open_access(session, practitioner, request, now=moment)

        open_at(NOW, AccessRequest(0, patient, AccessMode.NORMAL, consent_attested=True))
        emergency = AccessRequest(
            0, patient, AccessMode.EMERGENCY, reason="Patient inconscient aux urgences"
        )
        open_at(NOW + timedelta(days=150), emergency)
        # Seven months after the consented access, one month after the emergency one.
        with pytest.raises(ConsentRequiredError, match="more than six months"):
            open_at(NOW + timedelta(days=213), AccessRequest(0, patient, AccessMode.NORMAL))
    assert [r.details["mode"] for r in workflow.journal.query()] == ["bris_de_glace", "normal"]


def test_emergency_access_is_traced_with_its_reason(
    make_card: MakeCard, workflow: DmpWorkflow
) -> None:
    patient = patient_from_ins("295109912611193", test=True)
    with unlocked_cps(make_card("demo-cps")) as (session, practitioner):
        with pytest.raises(InvalidInputError, match="reason"):
            workflow.open_access(
                session, practitioner, AccessRequest(0, patient, AccessMode.EMERGENCY), now=NOW
            )
        grant = workflow.open_access(
            session,
            practitioner,
            AccessRequest(
                0, patient, AccessMode.EMERGENCY, reason="Patient inconscient aux urgences"
            ),
            now=NOW,
        )
    assert b'code="bris_de_glace"' in grant.vihf
    assert grant.record.details["reason"] == "Patient inconscient aux urgences"


def test_patients_from_the_vitale_card(make_card: MakeCard, workflow: DmpWorkflow) -> None:
    with connected(make_card("vitale-twins")) as connection:
        card = VitaleSession(connection).read()
    insured = patient_from_beneficiary(card, 0)
    assert insured.ins is not None
    assert insured.source == "vitale"
    child = patient_from_beneficiary(card, 1)
    assert child.ins is None  # no certified NIR: no INS, never the parent's
    with pytest.raises(InvalidInputError, match="beneficiaries"):
        patient_from_beneficiary(card, 9)
    with unlocked_cps(make_card("demo-cps")) as (session, practitioner):
        with pytest.raises(InvalidInputError, match="INS") as caught:
            workflow.open_access(
                session, practitioner, AccessRequest(0, child, AccessMode.NORMAL, True), now=NOW
            )
        assert caught.value.field == "patient"
        with pytest.raises(InvalidInputError, match="no practice situation 5"):
            workflow.open_access(
                session, practitioner, AccessRequest(5, insured, AccessMode.NORMAL, True), now=NOW
            )


def test_deposit_is_prepared_and_traced(make_card: MakeCard, workflow: DmpWorkflow) -> None:
    with unlocked_cps(make_card("demo-cps")) as (_, practitioner):
        pass
    patient = patient_from_ins("295109912611193", test=True)
    form = DepositForm(
        title="CR de consultation",
        document_date="2026-11-20",
        type="11488-4",
        event_start="2026-11-20",
    )
    metadata, record = workflow.prepare_deposit(
        practitioner, 0, patient, form, filename="cr.txt", content=b"Tout va bien.\n", now=NOW
    )
    assert metadata.author.structure_id == "499700735741008"
    assert metadata.patient_id == patient.journal_key
    assert record.kind is JournalKind.DEPOSIT
    assert record.details["document_id"] == metadata.unique_id


def card_vihf(
    make_card: MakeCard, workflow: DmpWorkflow, mode: AccessMode = AccessMode.NORMAL
) -> tuple[bytes, str, str, str]:
    """A VIHF signed by the demo CPS through the card: XML, issuer, signature and
    authentication certificates (PEM)."""
    patient = patient_from_ins("295109912611193", test=True)
    with unlocked_cps(make_card("demo-cps")) as (session, practitioner):
        reason = None if mode is AccessMode.NORMAL else "Patient inconscient aux urgences"
        grant = workflow.open_access(
            session, practitioner, AccessRequest(0, patient, mode, True, reason), now=NOW
        )
        certificates = session.certificates()

    def pem(der: bytes) -> str:
        certificate = x509.load_der_x509_certificate(der)
        return certificate.public_bytes(serialization.Encoding.PEM).decode()

    return grant.vihf, grant.issuer, pem(certificates.signature), pem(certificates.authentication)


@pytest.mark.parametrize("mode", list(AccessMode))
def test_card_signed_vihf_verifies_with_xmlsec1_and_signxml(
    make_card: MakeCard, workflow: DmpWorkflow, mode: AccessMode
) -> None:
    vihf, _, signature_pem, authentication_pem = card_vihf(make_card, workflow, mode)
    verify_signxml(vihf, signature_pem)
    assert verify_xmlsec1(vihf, signature_pem)
    # Signed by the signature key, which the DMP requires, not the authentication key.
    assert not verify_xmlsec1(vihf, authentication_pem)
    with pytest.raises(InvalidSignature):
        verify_signxml(vihf, authentication_pem)
    tampered = vihf.replace(b"499700735741008", b"499700735741009", 1)
    assert not verify_xmlsec1(tampered, signature_pem)
    with pytest.raises(InvalidSignature):
        verify_signxml(tampered, signature_pem)


def test_card_signed_vihf_content(make_card: MakeCard, workflow: DmpWorkflow) -> None:
    vihf, issuer, _, _ = card_vihf(make_card, workflow, AccessMode.REGULATION)
    root = etree.fromstring(vihf)
    assert root.findtext("saml2:Issuer", namespaces=NSMAP) == issuer
    assert "CN=899700735741" in issuer
    assert root.findtext("saml2:Subject/saml2:NameID", namespaces=NSMAP) == "899700735741"
    assert root.findtext(".//saml2:AuthnContextClassRef", namespaces=NSMAP) == (
        "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI"
    )
    assert attribute_texts(vihf, "urn:oasis:names:tc:xacml:2.0:resource:resource-id") == [
        "295109912611193^^^&1.2.250.1.213.1.4.10&ISO^NH"
    ]
    assert attribute_texts(vihf, "Ressource_URN") == ["urn:dmp"]
    assert attribute_texts(vihf, "Identifiant_Structure") == ["499700735741008"]
    assert attribute_texts(vihf, "Secteur_Activite") == ["SA07^1.2.250.1.71.4.2.4"]
    roles = attribute_values(vihf, "urn:oasis:names:tc:xacml:2.0:subject:role")
    assert [(r[0].get("code"), r[0].get("codeSystem")) for r in roles] == [
        ("10", "1.2.250.1.71.1.2.7"),
        ("SM26", "1.2.250.1.71.4.2.5"),
    ]
    (purpose,) = attribute_values(vihf, "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse")
    assert (purpose[0].get("code"), purpose[0].get("codeSystem")) == (
        "centre_15",
        "1.2.250.1.213.1.1.4.248",
    )
    assert attribute_texts(vihf, "LPS_ID") == ["cardbridge-test"]
    assert attribute_texts(vihf, "LPS_Nom") == ["cardbridge"]
    assert attribute_texts(vihf, "LPS_Version") == ["0.1.0"]
    assert attribute_values(vihf, "LPS_ID_HOMOLOGATION_DMP") == []  # none configured


def test_card_signed_vihf_with_a_homologation(make_card: MakeCard, tmp_path: Path) -> None:
    lps = LpsInfo("cardbridge-test", "cardbridge", "0.1.0", homologation_id="DMP-HOMOLOG-42")
    homologated = DmpWorkflow(Journal.open(tmp_path), lps, vihf_validity=timedelta(minutes=30))
    vihf, _, signature_pem, _ = card_vihf(make_card, homologated)
    assert attribute_texts(vihf, "LPS_ID_HOMOLOGATION_DMP") == ["DMP-HOMOLOG-42"]
    assert verify_xmlsec1(vihf, signature_pem)


@pytest.mark.parametrize(("profession", "label"), [("10", "Médecin"), ("21", "Pharmacien")])
def test_card_without_the_speciality_the_dmp_requires_is_refused(
    key_pool: KeyPool, issuer: PkiIssuer, workflow: DmpWorkflow, profession: str, label: str
) -> None:
    demo = load_profile("demo-cps")
    assert isinstance(demo, CpsProfile)
    # What a card reads like when it lacks the speciality (profiles refuse to describe one).
    holder = demo.holder.model_copy(update={"profession": profession, "specialty": None})
    card = build_card(demo.model_copy(update={"holder": holder}), keys=key_pool, issuer=issuer)
    patient = patient_from_ins("295109912611193", test=True)
    with unlocked_cps(card) as (session, practitioner):
        assert (practitioner.profession.code, practitioner.specialty) == (profession, None)
        with pytest.raises(CardDataError) as caught:
            workflow.open_access(
                session, practitioner, AccessRequest(0, patient, AccessMode.NORMAL, True), now=NOW
            )
    assert caught.value.message == (
        f"This CPS ({label}) gives no speciality, which the DMP requires for doctors and "
        "pharmacists: contact your card manager to have the card replaced."
    )
    assert workflow.journal.query() == []  # refused before signing: nothing traced


def test_an_access_reads_the_signature_certificate_only(
    make_card: MakeCard, workflow: DmpWorkflow
) -> None:
    """The VIHF names the signature certificate's subject; the other one is not read."""
    card = make_card("demo-cps")
    patient = patient_from_ins("295109912611193", test=True)
    with unlocked_cps(card) as (session, practitioner):
        request = AccessRequest(0, patient, AccessMode.NORMAL, True)
        with recorded(card) as sent:
            workflow.open_access(session, practitioner, request, now=NOW)
    reads = [apdu for apdu in sent if apdu[1] == Ins.READ_BINARY]
    assert cps.EF_CERT_AUTHENTICATION.sfi is not None
    assert reads
    assert all(apdu[2] != 0x80 | cps.EF_CERT_AUTHENTICATION.sfi for apdu in reads)
