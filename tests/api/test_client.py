"""The Python client against the real server: models back, errors as the library's."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from cardbridge.api.dmp_models import JournalCheck
from cardbridge.client import CardBridgeClient
from cardbridge.config import Settings, ensure_api_token
from cardbridge.config_sources import api_token_path
from cardbridge.dmp.access import AccessMode
from cardbridge.dmp.catalogue import Visibility
from cardbridge.dmp.documents import DepositForm
from cardbridge.dmp.journal import JournalKind
from cardbridge.dmp.patients import PatientSelector, VitaleBeneficiary
from cardbridge.errors import (
    AuthError,
    CardAbsentError,
    ConfigError,
    ConfirmationRequiredError,
    ConsentRequiredError,
    InvalidInputError,
    NonceInvalidError,
    PinBlockedError,
    PinInvalidError,
    PinRequiredError,
    PinRetryLaterError,
    ReaderNotFoundError,
    WrongCardTypeError,
)
from testkit.dmp_sandbox import RunningSandbox
from testkit.sample_files import pdf
from testkit.server import LiveServer
from tests.api.conftest import CPS, PIN, VITALE, Demo, serving_dmp
from tests.support.dmp_fixtures import LOUISE, PIERRE
from tests.support.sse import EventFollower, named

ORIGIN = "https://dmp.example"


@pytest.fixture
def bridge(live: LiveServer) -> Iterator[CardBridgeClient]:
    with CardBridgeClient(live.url, token=live.token) as client:
        yield client


def test_every_method(bridge: CardBridgeClient) -> None:
    health = bridge.health()
    assert (health.backend, health.pcsc, health.status) == ("emulator", "up", "ok")
    assert [reader.name for reader in bridge.readers()] == [CPS, VITALE]
    assert bridge.practitioner().situations is None
    assert bridge.pin_status().tries_left == 3
    bridge.verify_pin(PIN)
    situations = bridge.practitioner(CPS).situations
    assert situations is not None
    assert situations[0].structure_id == "499700735741008"
    assert bridge.certificates().chain.count("BEGIN CERTIFICATE") == 2
    bridge.change_pin(PIN, "2468")
    bridge.change_pin("2468", PIN)
    challenge = bridge.challenge(ORIGIN)
    token = bridge.token(challenge.nonce, ORIGIN, pin=PIN)
    check = bridge.verify_token(token, challenge.nonce, ORIGIN)
    assert check.valid
    assert check.practitioner is not None
    assert check.practitioner.rpps == "99700735741"
    assert bridge.vitale(VITALE).insured.nir == "1550672000101"


def test_errors_are_the_library_errors(bridge: CardBridgeClient, demo: Demo) -> None:
    with pytest.raises(PinInvalidError) as wrong:
        bridge.verify_pin("0000")
    assert wrong.value.tries_left == 2
    assert wrong.value.reader == CPS
    with pytest.raises(PinRetryLaterError) as wait:
        bridge.verify_pin("0000")
    assert wait.value.retry_after == 1
    time.sleep(1.0)
    with pytest.raises(PinInvalidError):
        bridge.verify_pin("0000")
    time.sleep(2.0)
    with pytest.raises(ConfirmationRequiredError) as unconfirmed:
        bridge.verify_pin("0000")
    assert unconfirmed.value.tries_left == 1
    with pytest.raises(PinBlockedError):
        bridge.verify_pin("0000", confirm_last_try=True)
    with pytest.raises(ConfirmationRequiredError):
        bridge.unblock_pin("12345678", PIN)
    bridge.unblock_pin("12345678", PIN, confirm=True)
    with pytest.raises(InvalidInputError) as invalid:
        bridge.verify_pin("12")
    assert invalid.value.field == "pin"
    with pytest.raises(ReaderNotFoundError):
        bridge.practitioner("nope")
    with pytest.raises(WrongCardTypeError):
        bridge.vitale(CPS)
    with pytest.raises(NonceInvalidError):
        bridge.token("c2hvcnQ=", ORIGIN, pin=PIN)
    demo.backend.remove(VITALE)
    with pytest.raises(CardAbsentError):
        bridge.vitale()


def test_events(live: LiveServer, demo: Demo) -> None:
    follower = EventFollower(live)
    try:
        follower.wait_for(named("state"))
        demo.backend.remove(CPS)
        follower.wait_for(named("card_removed", CPS))
    finally:
        follower.close()


def test_token_from_the_config_dir(
    live: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("CARDBRIDGE_API_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="No local API token"):
        CardBridgeClient(live.url)
    ensure_api_token(Settings())
    with CardBridgeClient(live.url) as client, pytest.raises(AuthError):
        client.readers()  # a token, but not this server's
    api_token_path().write_text(live.token)
    with CardBridgeClient(live.url) as client:
        assert len(client.readers()) == 2


# Louise has a DMP on which the demo CPS has no authorization (the sandbox's seed).
INS = LOUISE
PDF = pdf()  # a one-page PDF written by pypdf


@pytest.fixture
def dmp_bridge(
    demo: Demo, dmp: RunningSandbox, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CardBridgeClient]:
    """A client of a server with a journal of its own, reaching the offline DMP."""
    with (
        serving_dmp(
            demo.backend, dmp, tmp_path_factory.mktemp("roots"), data_dir=tmp_path
        ) as server,
        CardBridgeClient(server.url, token=server.token, timeout=60) as client,
    ):
        yield client


def test_dmp_methods(dmp_bridge: CardBridgeClient) -> None:
    bridge = dmp_bridge
    types = bridge.document_types()
    assert any(t.code == "11488-4" and t.known for t in types)
    by_ins = bridge.select_patient(PatientSelector(ins="2 15 02 75 123 456 10"))
    assert by_ins.ins is not None
    assert by_ins.ins.value == INS
    insured = bridge.select_patient(PatientSelector(vitale=VitaleBeneficiary(beneficiary=0)))
    assert insured.source == "vitale"

    bridge.verify_pin(PIN)
    with pytest.raises(ConsentRequiredError) as refused:
        bridge.dmp_access(0, PatientSelector(ins=INS))
    assert refused.value.reason == "first access by you to this patient's DMP"
    grant = bridge.dmp_access(0, PatientSelector(ins=INS), consent=True)
    assert (grant.mode, grant.consent_needed) == (AccessMode.NORMAL, True)
    assert grant.vihf.startswith("<?xml")
    emergency = bridge.dmp_access(
        0, PatientSelector(ins=INS), mode=AccessMode.EMERGENCY, reason="Patient inconscient"
    )
    assert emergency.mode is AccessMode.EMERGENCY

    form = DepositForm(
        title="CR de consultation",
        document_date=date(2026, 11, 20),
        type="11488-4",
        event_start=date(2026, 11, 20),
        visibility=Visibility.HIDDEN_FROM_PROFESSIONALS,
    )
    bridge.dmp_access(0, PatientSelector(ins=PIERRE))  # a deposit goes in an opened DMP
    deposited = bridge.deposit_document(0, form, PDF, "cr.pdf", beneficiary=0)
    assert deposited.metadata.format_code.code == "urn:ihe:iti:xds-sd:pdf:2008"
    assert deposited.metadata.confidentiality_codes[0].code == "MASQUE_PS"
    assert deposited.metadata.unique_id == deposited.receipt.unique_id

    records = bridge.journal(patient=INS)
    assert [r.kind for r in records] == ["access", "access"]
    assert records[0].seq == emergency.journal_seq
    assert [r.kind for r in bridge.journal(patient=PIERRE)] == ["deposit", "access"]
    today = datetime.now().astimezone().date()
    assert len(bridge.journal(since=today, kind=JournalKind.ACCESS, limit=1)) == 1
    assert bridge.journal(until=today - timedelta(days=1)) == []
    assert bridge.journal(practitioner="899999999999") == []
    assert bridge.verify_journal() == JournalCheck(ok=True, records=4, problems=[])


def test_dmp_errors_name_the_field(dmp_bridge: CardBridgeClient) -> None:
    with pytest.raises(InvalidInputError) as wrong_key:
        dmp_bridge.select_patient(PatientSelector(ins="295109912611194"))
    assert wrong_key.value.field == "ins"
    with pytest.raises(PinRequiredError):
        dmp_bridge.dmp_access(0, PatientSelector(ins=INS), consent=True)
    dmp_bridge.verify_pin(PIN)
    with pytest.raises(InvalidInputError) as no_reason:
        dmp_bridge.dmp_access(0, PatientSelector(ins=INS), mode=AccessMode.REGULATION)
    assert no_reason.value.field == "reason"
    form = DepositForm(
        title="CR",
        document_date=date(2026, 11, 20),
        type="11488-4",
        event_start=date(2026, 11, 20),
    )
    with pytest.raises(InvalidInputError) as not_a_document:
        dmp_bridge.deposit_document(0, form, b"<html></html>", "cr.txt", ins=INS)
    assert not_a_document.value.field == "file"
    with pytest.raises(InvalidInputError) as bad_patient:
        dmp_bridge.journal(patient="MARTIN")
    assert bad_patient.value.field == "patient"
