"""One VIHF reused: the card signs once per patient, mode, caller, practitioner and
situation while the assertion is valid; the emergency's reason and the secret access of a
minor are in the card-signed assertion."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cardbridge.cards.cps import CpsSession
from cardbridge.cards.models import Practitioner
from cardbridge.cards.vitale import VitaleSession
from cardbridge.dmp.access import AccessMode
from cardbridge.dmp.journal import Journal
from cardbridge.dmp.patients import PatientReference, patient_from_beneficiary, patient_from_ins
from cardbridge.dmp.vihf import LpsInfo
from cardbridge.dmp.vihf_cache import DEFAULT_MARGIN
from cardbridge.dmp.workflow import AccessRequest, DmpWorkflow
from cardbridge.emulator.engine import IsoCard
from cardbridge.errors import InvalidInputError
from tests.cards.conftest import connected, recorded
from tests.support.xmldsig import attribute_texts, verify_xmlsec1

MakeCard = Callable[[object], IsoCard]
NOW = datetime(2026, 11, 26, 10, tzinfo=UTC)
VALIDITY = timedelta(minutes=30)
# PSO COMPUTE DIGITAL SIGNATURE (ISO 7816-8), the APDU by which the card signs.
COMPUTE_SIGNATURE = bytes.fromhex("002A9E9A")
REASON = "Patient inconscient admis aux urgences"
SECRET = "urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code"


@pytest.fixture
def workflow(tmp_path: Path) -> DmpWorkflow:
    return DmpWorkflow(
        Journal.open(tmp_path),
        LpsInfo("cardbridge-test", "cardbridge", "0.1.0"),
        vihf_validity=VALIDITY,
    )


@contextmanager
def counting_card(card: IsoCard) -> Iterator[tuple[CpsSession, Practitioner, list[bytes]]]:
    """The unlocked demo CPS, and the APDUs it receives after the PIN."""
    with connected(card) as connection:
        session = CpsSession(connection)
        session.verify_pin("1234")
        practitioner = session.read_practitioner(with_situations=True)
        with recorded(card) as sent:
            yield session, practitioner, sent


def signatures(sent: list[bytes]) -> int:
    return sum(apdu.startswith(COMPUTE_SIGNATURE) for apdu in sent)


PIERRE = patient_from_ins("295109912611193", test=True)


def consented(
    patient: PatientReference = PIERRE,
    *,
    caller: str = "native",
    caller_id: str | None = None,
    secret: bool = False,
    reason: str | None = None,
) -> AccessRequest:
    return AccessRequest(
        0,
        patient,
        AccessMode.NORMAL,
        consent_attested=True,
        reason=reason,
        caller=caller,
        secret=secret,
        caller_id=caller_id,
    )


def test_one_signature_for_the_calls_of_one_key(make_card: MakeCard, workflow: DmpWorkflow) -> None:
    card = make_card("demo-cps")
    with counting_card(card) as (session, practitioner, sent):
        first = workflow.open_access(session, practitioner, consented(), now=NOW)
        assert signatures(sent) == 1
        calls = [
            workflow.open_access(session, practitioner, consented(), now=NOW + timedelta(minutes=m))
            for m in (1, 10, 27)
        ]
        assert signatures(sent) == 1  # the card signed once for four calls
    assert {grant.vihf for grant in calls} == {first.vihf}
    assert [grant.reused for grant in (first, *calls)] == [False, True, True, True]
    # Each access is still traced, naming the assertion it used.
    records = workflow.journal.query()
    assert [r.details["vihf_id"] for r in records] == [first.assertion_id] * 4
    assert [r.details["vihf_reused"] for r in records] == [True, True, True, False]


def test_a_new_signature_near_the_end_of_the_validity(
    make_card: MakeCard, workflow: DmpWorkflow
) -> None:
    with counting_card(make_card("demo-cps")) as (session, practitioner, sent):
        first = workflow.open_access(session, practitioner, consented(), now=NOW)
        # Within the margin before its end, the assertion is no longer handed out.
        near_end = NOW + VALIDITY - DEFAULT_MARGIN
        second = workflow.open_access(session, practitioner, consented(), now=near_end)
        assert signatures(sent) == 2
    assert second.assertion_id != first.assertion_id
    assert second.not_on_or_after == near_end + VALIDITY


@pytest.mark.parametrize(
    ("change", "other"),
    [
        ("caller", consented(caller="https://app.example", caller_id="origin:https://app.example")),
        ("patient", consented(patient_from_ins("253072B07300470", test=True))),
        ("mode", AccessRequest(0, PIERRE, AccessMode.EMERGENCY, reason=REASON)),
        ("secret", consented(secret=True)),
    ],
)
def test_another_key_gets_its_own_signed_vihf(
    make_card: MakeCard, workflow: DmpWorkflow, change: str, other: AccessRequest
) -> None:
    with counting_card(make_card("demo-cps")) as (session, practitioner, sent):
        first = workflow.open_access(session, practitioner, consented(), now=NOW)
        second = workflow.open_access(session, practitioner, other, now=NOW + timedelta(minutes=1))
        assert signatures(sent) == 2, change
    assert second.assertion_id != first.assertion_id
    assert not second.reused


def test_a_caller_never_gets_another_callers_vihf(
    make_card: MakeCard, workflow: DmpWorkflow
) -> None:
    page = consented(caller="page", caller_id="page:pairing-1")
    other_page = consented(caller="page", caller_id="page:pairing-2")
    with counting_card(make_card("demo-cps")) as (session, practitioner, sent):
        mine = workflow.open_access(session, practitioner, page, now=NOW)
        theirs = workflow.open_access(session, practitioner, other_page, now=NOW)
        again = workflow.open_access(session, practitioner, page, now=NOW + timedelta(minutes=2))
        assert signatures(sent) == 2
    assert theirs.vihf != mine.vihf
    assert again.vihf == mine.vihf


def test_cleared_when_the_card_goes_or_the_pin_session_ends(
    make_card: MakeCard, workflow: DmpWorkflow
) -> None:
    native, web = consented(), consented(caller="https://app.example")
    with counting_card(make_card("demo-cps")) as (session, practitioner, sent):
        workflow.open_access(session, practitioner, native, now=NOW)
        workflow.open_access(session, practitioner, web, now=NOW)
        workflow.vihfs.clear_caller("https://app.example")  # that caller's PIN session ended
        workflow.open_access(session, practitioner, native, now=NOW)
        assert signatures(sent) == 2
        workflow.open_access(session, practitioner, web, now=NOW)
        assert signatures(sent) == 3
        workflow.vihfs.clear()  # the card was removed
        assert len(workflow.vihfs) == 0
        workflow.open_access(session, practitioner, native, now=NOW)
        assert signatures(sent) == 4


def _pem(der: bytes) -> str:
    certificate = x509.load_der_x509_certificate(der)
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


@pytest.mark.parametrize("mode", [AccessMode.EMERGENCY, AccessMode.REGULATION])
def test_the_reason_reaches_the_card_signed_vihf(
    make_card: MakeCard, workflow: DmpWorkflow, mode: AccessMode
) -> None:
    with counting_card(make_card("demo-cps")) as (session, practitioner, _):
        grant = workflow.open_access(
            session, practitioner, AccessRequest(0, PIERRE, mode, reason=f"  {REASON} "), now=NOW
        )
        signature_pem = _pem(session.certificates().signature)
    assert attribute_texts(grant.vihf, "Mode_Acces_Raison") == [REASON]
    assert grant.record.details["reason"] == REASON
    assert verify_xmlsec1(grant.vihf, signature_pem)


def test_a_normal_access_sends_no_reason(make_card: MakeCard, workflow: DmpWorkflow) -> None:
    with counting_card(make_card("demo-cps")) as (session, practitioner, _):
        grant = workflow.open_access(
            session, practitioner, consented(reason="Renouvellement"), now=NOW
        )
    assert attribute_texts(grant.vihf, "Mode_Acces_Raison") == []
    assert grant.record.details["reason"] is None


def test_secret_access_to_a_minors_dmp(make_card: MakeCard, workflow: DmpWorkflow) -> None:
    with connected(make_card("demo-vitale")) as connection:
        card = VitaleSession(connection).read()
    louise, pierre = patient_from_beneficiary(card, 1), patient_from_beneficiary(card, 0)
    # Louise's birth date on the demo card is lunar (20150235): her age is not known here,
    # so the secret access goes to the DMP, which knows it. Pierre, born 1955, is an adult.
    assert (louise.first_name, louise.birth_date) == ("LOUISE", "20150235")
    with counting_card(make_card("demo-cps")) as (session, practitioner, _):
        grant = workflow.open_access(session, practitioner, consented(louise, secret=True), now=NOW)
        signature_pem = _pem(session.certificates().signature)
        with pytest.raises(InvalidInputError, match="secret access") as adult:
            workflow.open_access(session, practitioner, consented(pierre, secret=True), now=NOW)
    assert adult.value.field == "secret"
    assert attribute_texts(grant.vihf, SECRET) == [
        "INVISIBLE_REPRESENTANTS_LEGAUX^1.2.250.1.213.1.1.4.13"
    ]
    assert grant.record.details["secret"] is True
    assert verify_xmlsec1(grant.vihf, signature_pem)


def test_a_card_put_back_signs_anew(make_card: MakeCard, workflow: DmpWorkflow) -> None:
    """The VIHF is reused only with the card session that signed it."""
    card = make_card("demo-cps")
    with counting_card(card) as (session, practitioner, _):
        first = workflow.open_access(session, practitioner, consented(), now=NOW)
    with counting_card(card) as (session, practitioner, sent):  # taken out and put back
        again = workflow.open_access(session, practitioner, consented(), now=NOW)
        assert signatures(sent) == 1
    assert again.assertion_id != first.assertion_id
    assert not again.reused
