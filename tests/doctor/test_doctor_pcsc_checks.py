"""Checks of the smart-card chain, each from facts made up for the situation."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cardbridge.doctor.card_checks import check_cards, check_readers
from cardbridge.doctor.pcsc_checks import (
    PcscFacts,
    Reach,
    check_access,
    check_installed,
    check_reachable,
    check_running,
    reachability,
)
from cardbridge.doctor.pcsc_facts import (
    DEFAULT_SOCKET,
    CardProbe,
    PcscdBinary,
    PcscFailure,
    SocketFacts,
)
from cardbridge.doctor.report import Status
from cardbridge.pcsc.scard_codes import ScardCode
from cardbridge.workstation import PCSC_GROUP, POLKIT_RULE
from tests.support.doctor_facts import CPS3, PCSCD_1, failed
from tests.support.doctor_facts import HEALTHY_PCSC as HEALTHY
from tests.support.doctor_facts import STOPPED_PCSC as STOPPED

POLKIT_REFUSED = replace(HEALTHY, probe=failed(ScardCode.F_COMM_ERROR))


def test_healthy_chain_is_all_ok() -> None:
    for check in (check_installed, check_running, check_reachable, check_access, check_readers):
        result = check(HEALTHY)
        assert result.status is Status.OK, result
        assert result.fix is None
    assert check_cards(HEALTHY).message == "CPS3 (IAS-ECC) recognised in “Reader A”"
    assert check_readers(HEALTHY).message == "2 readers: “Reader A”, “Reader B”"
    assert check_installed(HEALTHY).message == "pcsc-lite 2.0.3, asks polkit (/usr/sbin/pcscd)"
    assert check_access(HEALTHY).message == (
        "drmartin may use the smart-card service (polkit allows it)"
    )


def test_pcscd_not_installed() -> None:
    facts = replace(STOPPED, binary=None)
    result = check_installed(facts)
    assert result.status is Status.ERROR
    assert result.fix == "Install the smart-card service: sudo apt install pcscd libccid"
    for check in (check_running, check_reachable):
        assert check(facts).status is Status.SKIPPED


@pytest.mark.parametrize(
    ("facts", "status", "text"),
    [
        (HEALTHY, Status.OK, "pid 812"),
        (replace(HEALTHY, pids=()), Status.OK, "hidden from this user"),
        (replace(STOPPED, socket_unit="active"), Status.ERROR, "pcscd did not start"),
        (replace(STOPPED, socket_unit="inactive"), Status.ERROR, "pcscd.socket is inactive"),
        (STOPPED, Status.ERROR, "pcscd is not running"),
    ],
)
def test_running(facts: PcscFacts, status: Status, text: str) -> None:
    result = check_running(facts)
    assert result.status is status
    assert text in result.message


def test_not_running_says_how_to_start_it_once() -> None:
    assert check_running(STOPPED).fix == (
        "Start the smart-card service: sudo systemctl enable --now pcscd.socket"
    )
    # One cause, one error: the later checks step aside.
    assert [check(STOPPED).status for check in (check_reachable, check_access)] == [
        Status.SKIPPED,
        Status.SKIPPED,
    ]
    assert check_readers(STOPPED).message == "not checked: pcscd cannot be reached"
    assert check_cards(STOPPED).status is Status.SKIPPED


@pytest.mark.parametrize(
    ("facts", "reach"),
    [
        (HEALTHY, Reach.ANSWERED),
        (STOPPED, Reach.NOT_RUNNING),
        (replace(STOPPED, pids=(812,)), Reach.NO_SOCKET),
        (
            replace(STOPPED, pids=(812,), socket=SocketFacts(DEFAULT_SOCKET, True, False, 0o600)),
            Reach.SOCKET_DENIED,
        ),
        (replace(STOPPED, pids=(812,), socket=HEALTHY.socket), Reach.UNANSWERED),
        (replace(STOPPED, socket=HEALTHY.socket), Reach.NOT_RUNNING),  # a stale socket file
        (POLKIT_REFUSED, Reach.POLKIT_DENIED),
        (replace(POLKIT_REFUSED, binary=PCSCD_1), Reach.CLOSED),
        (replace(POLKIT_REFUSED, pids=()), Reach.CLOSED),  # socket active, pcscd died
        (replace(POLKIT_REFUSED, pids=(), socket_unit=None), Reach.NOT_RUNNING),
        (replace(HEALTHY, probe=failed(ScardCode.E_INVALID_HANDLE)), Reach.FAILED),
    ],
)
def test_reachability(facts: PcscFacts, reach: Reach) -> None:
    assert reachability(facts) is reach


def test_polkit_version_from_the_version_number_alone() -> None:
    unknown_features = PcscdBinary(Path("/usr/sbin/pcscd"), "2.3.1", polkit=False)
    assert reachability(replace(POLKIT_REFUSED, binary=unknown_features)) is Reach.POLKIT_DENIED


def test_polkit_refusal() -> None:
    assert check_reachable(POLKIT_REFUSED).status is Status.OK
    result = check_access(POLKIT_REFUSED)
    assert result.status is Status.ERROR
    assert result.message.startswith("pcscd refused drmartin: polkit does not allow it")
    assert "pcsc-lite 2.0.3" in result.message
    assert result.fix is not None
    assert f"sudo usermod -aG {PCSC_GROUP} drmartin" in result.fix
    assert f"sudo cp {POLKIT_RULE} /etc/polkit-1/rules.d/" in result.fix
    assert "Rejected unauthorized PC/SC client" in result.fix


def test_polkit_refusing_the_card_only() -> None:
    refused = CardProbe(
        "Reader A", CPS3, PcscFailure(ScardCode.W_SECURITY_VIOLATION, "refused (polkit)")
    )
    facts = replace(HEALTHY, probe=replace(HEALTHY.probe, cards=(refused,)))
    result = check_access(facts)
    assert result.status is Status.ERROR
    assert result.message == "polkit refuses drmartin access to the card in “Reader A”"
    cards = check_cards(facts)
    assert cards.message == "card in “Reader A” not checked: access refused"
    assert cards.status is Status.OK  # the error is on the access line, once


def test_socket_permission() -> None:
    facts = replace(
        STOPPED, pids=(812,), socket=SocketFacts(DEFAULT_SOCKET, True, False, mode=0o600)
    )
    assert check_reachable(facts).status is Status.SKIPPED
    result = check_access(facts)
    assert result.status is Status.ERROR
    assert result.message == (
        "drmartin may not open pcscd's socket /run/pcscd/pcscd.comm (mode 0600)"
    )
    assert result.fix is not None
    assert "SocketMode=0666" in result.fix


@pytest.mark.parametrize(
    ("facts", "text"),
    [
        (replace(STOPPED, pids=(812,)), "pcscd runs but its socket /run/pcscd/pcscd.comm does not"),
        (replace(POLKIT_REFUSED, binary=PCSCD_1), "closed the connection"),
        (replace(STOPPED, pids=(812,), socket=HEALTHY.socket), "nothing answers"),
        (replace(HEALTHY, probe=failed(ScardCode.E_INVALID_HANDLE)), "answered with an error"),
    ],
)
def test_unreachable(facts: PcscFacts, text: str) -> None:
    result = check_reachable(facts)
    assert result.status is Status.ERROR
    assert text in result.message
    assert result.fix is not None
    assert "sudo systemctl restart pcscd.socket pcscd" in result.fix
    assert check_access(facts).status is Status.SKIPPED


def test_socket_moved_by_the_environment() -> None:
    elsewhere = SocketFacts(Path("/tmp/nowhere"), exists=False, accessible=False)
    result = check_reachable(replace(STOPPED, pids=(812,), socket=elsewhere))
    assert result.message == (
        "PCSCLITE_CSOCK_NAME sends PC/SC programs to /tmp/nowhere, which does not exist"
    )
    assert result.fix == "Unset PCSCLITE_CSOCK_NAME: pcscd listens on /run/pcscd/pcscd.comm."
