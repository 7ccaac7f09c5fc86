"""Checks of cardbridge's own parts, each from facts made up for the situation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cardbridge.config import Settings
from cardbridge.doctor.bridge_facts import PortFacts
from cardbridge.doctor.local_checks import (
    check_config,
    check_data_dir,
    check_port,
    check_service,
    check_token,
    check_trust,
)
from cardbridge.doctor.local_facts import Anchor, ConfigFacts, DirFacts, TokenFacts, TrustFacts
from cardbridge.doctor.report import Status
from cardbridge.doctor.unit_facts import UserUnit
from tests.support.doctor_facts import CONFIG_FILE, DATA, TOKEN
from tests.support.doctor_facts import HEALTHY_LOCAL as HEALTHY


def test_healthy_is_all_ok() -> None:
    messages = [
        check(HEALTHY)
        for check in (check_config, check_data_dir, check_token, check_trust, check_service)
    ]
    messages.append(check_port(HEALTHY, "0.1.0"))
    assert [(r.status, r.fix) for r in messages] == [(Status.OK, None)] * 6
    assert [r.message for r in messages] == [
        f"valid, {CONFIG_FILE}; from the environment: CARDBRIDGE_PORT",
        f"{DATA} is writable",
        f"{TOKEN}, mode 0600",
        "emulator test PKI (emulated cards only): “cardbridge TEST root” until 2055-01-01, "
        "“cardbridge TEST issuing CA” until 2045-01-01",
        "running, started with the session",
        "cardbridge already serving on 127.0.0.1:8470 (backend pcsc, pcscd up)",
    ]


def test_invalid_config_skips_what_depends_on_it() -> None:
    message = f"Invalid configuration ({CONFIG_FILE}): port: Input should be a valid integer"
    facts = replace(
        HEALTHY,
        config=ConfigFacts(CONFIG_FILE, True, None, message),
        data_dir=None,
        token=None,
        trust=None,
        port=None,
    )
    result = check_config(facts)
    assert (result.status, result.message) == (Status.ERROR, message)
    assert result.fix is not None
    assert str(CONFIG_FILE) in result.fix
    for check in (check_data_dir, check_token, check_trust):
        assert check(facts).message == "not checked: the configuration is invalid (see above)"
    assert check_port(facts, "0.1.0").status is Status.SKIPPED


def test_no_config_file() -> None:
    facts = replace(HEALTHY, config=ConfigFacts(CONFIG_FILE, False, Settings.model_construct()))
    assert check_config(facts).message == f"valid, no config file ({CONFIG_FILE})"


def test_emulator_mode_is_a_warning() -> None:
    settings = Settings.model_construct(emulator=True)
    result = check_config(replace(HEALTHY, config=ConfigFacts(CONFIG_FILE, True, settings)))
    assert result.status is Status.WARNING
    assert result.message.endswith("the bridge serves the built-in demo cards, not the readers")
    assert "unset CARDBRIDGE_EMULATOR" in (result.fix or "")


def test_data_dir() -> None:
    created = check_data_dir(replace(HEALTHY, data_dir=DirFacts(DATA, False, True)))
    assert (created.status, created.message) == (Status.OK, f"{DATA} will be created")
    refused = check_data_dir(replace(HEALTHY, data_dir=DirFacts(DATA, True, False, "Read-only")))
    assert refused.status is Status.ERROR
    assert refused.message == f"{DATA} is not writable: Read-only"
    assert refused.fix is not None
    assert f"sudo chown -R drmartin: {DATA}" in refused.fix


@pytest.mark.parametrize(
    ("token", "status", "message", "fix"),
    [
        (TokenFacts(TOKEN, True, True, mode=0o644), Status.OK, "set by CARDBRIDGE_API_TOKEN", None),
        (TokenFacts(TOKEN, False, False), Status.OK, "will be created at first start", None),
        (
            TokenFacts(TOKEN, False, True, mode=0o644, owner_uid=1000),
            Status.ERROR,
            "can be read by other users (mode 0644)",
            f"chmod 600 {TOKEN}",
        ),
        (
            TokenFacts(TOKEN, False, True, mode=0o600, owner_uid=0),
            Status.ERROR,
            "belongs to another user (uid 0)",
            f"sudo chown drmartin: {TOKEN}",
        ),
        (
            TokenFacts(TOKEN, False, True, regular=False, mode=0o700, owner_uid=1000),
            Status.ERROR,
            "is not a file",
            "Move it away",
        ),
    ],
)
def test_token(token: TokenFacts, status: Status, message: str, fix: str | None) -> None:
    result = check_token(replace(HEALTHY, token=token))
    assert result.status is status
    assert message in result.message
    assert (result.fix is None) if fix is None else (result.fix is not None and fix in result.fix)


def test_trust_anchors_missing_damaged_expired() -> None:
    directory = DATA / "emulator-pki"
    missing = check_trust(replace(HEALTHY, trust=TrustFacts(directory, exists=False)))
    assert missing.status is Status.WARNING
    assert missing.fix is not None
    assert "cardbridge emulator --export-trust" in missing.fix
    damaged = check_trust(
        replace(HEALTHY, trust=TrustFacts(directory, True, error="The test PKI is damaged"))
    )
    assert (damaged.status, damaged.fix) == (
        Status.ERROR,
        f"rm -r {directory} ; a new test PKI is made the next time it is needed.",
    )
    old = (Anchor("cardbridge TEST root", datetime(2025, 12, 31, tzinfo=UTC)),)
    expired = check_trust(replace(HEALTHY, trust=TrustFacts(directory, True, anchors=old)))
    assert expired.status is Status.ERROR
    assert expired.message == "expired: “cardbridge TEST root” on 2025-12-31"


def test_port_free() -> None:
    result = check_port(replace(HEALTHY, port=PortFacts("127.0.0.1", 8470, False)), "0.1.0")
    assert (result.status, result.message) == (Status.OK, "127.0.0.1:8470 is free for cardbridge")


def test_port_held_by_another_program() -> None:
    port = PortFacts("127.0.0.1", 8470, True, answer="HTTP 404 from “nginx”", owner="nginx, pid 9")
    result = check_port(replace(HEALTHY, port=port), "0.1.0")
    assert result.status is Status.ERROR
    assert result.message == (
        "port 8470 is used by another program (nginx, pid 9): HTTP 404 from “nginx”"
    )
    assert result.fix is not None
    assert "CARDBRIDGE_PORT" in result.fix


def test_port_held_by_another_cardbridge_version() -> None:
    result = check_port(HEALTHY, "0.2.0")
    assert result.status is Status.WARNING
    assert result.message == "cardbridge 0.1.0 is serving on 127.0.0.1:8470; this is 0.2.0"
    assert result.fix == "Restart it to run this version: systemctl --user restart cardbridge"


@pytest.mark.parametrize(
    ("unit", "status", "text"),
    [
        (None, Status.SKIPPED, "no systemd user session"),
        (UserUnit("not-found", "inactive", ""), Status.WARNING, "not installed"),
        (UserUnit("loaded", "failed", "enabled"), Status.ERROR, "failed"),
        (UserUnit("loaded", "inactive", "enabled"), Status.WARNING, "installed but inactive"),
        (UserUnit("loaded", "active", "disabled"), Status.WARNING, "not started at the next"),
    ],
)
def test_service(unit: UserUnit | None, status: Status, text: str) -> None:
    result = check_service(replace(HEALTHY, unit=unit))
    assert result.status is status
    assert text in result.message
    if status is not Status.SKIPPED:
        assert result.fix


def test_service_fixes_name_the_commands() -> None:
    missing = check_service(replace(HEALTHY, unit=UserUnit("not-found", "inactive", "")))
    assert missing.fix is not None
    assert "cardbridge install-service" in missing.fix
    failed = check_service(replace(HEALTHY, unit=UserUnit("loaded", "failed", "enabled")))
    assert failed.fix is not None
    assert "journalctl --user -u cardbridge" in failed.fix


def test_configured_trust_anchors() -> None:
    files = (Path("/etc/cardbridge/igc-sante.pem"),)
    roots = (Anchor("AC RACINE IGC-SANTE FORT", datetime(2036, 1, 1, tzinfo=UTC)),)
    good = check_trust(
        replace(HEALTHY, trust=TrustFacts(DATA, True, anchors=roots, configured=files))
    )
    assert (good.status, good.message) == (
        Status.OK,
        "configured: “AC RACINE IGC-SANTE FORT” until 2036-01-01",
    )
    unreadable = check_trust(
        replace(
            HEALTHY,
            trust=TrustFacts(DATA, True, error="cannot read it (No such file)", configured=files),
        )
    )
    assert unreadable.status is Status.ERROR
    assert unreadable.fix is not None
    assert "/etc/cardbridge/igc-sante.pem" in unreadable.fix
    old = (Anchor("AC RACINE IGC-SANTE FORT", datetime(2020, 1, 1, tzinfo=UTC)),)
    expired = check_trust(
        replace(HEALTHY, trust=TrustFacts(DATA, True, anchors=old, configured=files))
    )
    assert (expired.status, expired.message) == (
        Status.ERROR,
        "expired: “AC RACINE IGC-SANTE FORT” on 2020-01-01",
    )
