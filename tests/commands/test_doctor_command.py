"""``cardbridge doctor``: the report, its rendering, its JSON and the exit status."""

from __future__ import annotations

import json

import pytest

import cardbridge.doctor as doctor_package
from cardbridge import cli
from cardbridge.commands import doctor as doctor_command
from cardbridge.doctor import Report, Status, run_checks
from cardbridge.doctor.report import Check, CheckResult
from tests.support.doctor_facts import HEALTHY_LOCAL as LOCAL
from tests.support.doctor_facts import HEALTHY_PCSC as PCSC
from tests.support.doctor_facts import STOPPED_PCSC as STOPPED

OK = Check("a", "first").ok("fine")
WARNING = Check("b", "second check").warning("no card in any reader", "Insert the CPS.")
ERROR = Check("c", "third").error("pcscd is not running", "sudo systemctl start pcscd")
SKIPPED = Check("d", "fourth").skipped("pcscd cannot be reached")


def report(*checks: CheckResult) -> Report:
    return Report.of("9.9.9", list(checks))


@pytest.mark.parametrize(
    ("checks", "status", "code", "strict_code"),
    [
        ((OK, SKIPPED), Status.OK, 0, 0),
        ((OK, WARNING), Status.WARNING, 0, 1),
        ((WARNING, ERROR, SKIPPED), Status.ERROR, 1, 1),
    ],
)
def test_status_and_exit_code(
    checks: tuple[CheckResult, ...], status: Status, code: int, strict_code: int
) -> None:
    result = report(*checks)
    assert result.status is status
    assert result.exit_code() == code
    assert result.exit_code(strict=True) == strict_code


def test_every_check_in_order() -> None:
    result = run_checks(PCSC, LOCAL, "0.1.0")
    assert [check.id for check in result.checks] == [
        "pcscd_installed",
        "pcscd_running",
        "pcscd_reachable",
        "pcsc_access",
        "readers",
        "cards",
        "cps_pin",
        "config",
        "data_dir",
        "api_token",
        "trust_anchors",
        "api_port",
        "service",
    ]
    assert result.status is Status.OK
    stopped = run_checks(STOPPED, LOCAL, "0.1.0")
    assert stopped.status is Status.ERROR
    assert [c.id for c in stopped.checks if c.status is Status.ERROR] == ["pcscd_running"]


def test_render_one_line_per_check_and_the_fix_below() -> None:
    text = doctor_command.render(report(OK, WARNING, ERROR, SKIPPED))
    assert text.splitlines() == [
        "cardbridge doctor 9.9.9",
        "OK     first         fine",
        "WARN   second check  no card in any reader",
        "       fix: Insert the CPS.",
        "ERROR  third         pcscd is not running",
        "       fix: sudo systemctl start pcscd",
        "SKIP   fourth        not checked: pcscd cannot be reached",
        "1 error, 1 warning. Fix the errors from the top, then run `cardbridge doctor` again.",
    ]
    assert doctor_command.render(report(OK)).endswith("\nAll is well.")
    assert doctor_command.render(report(WARNING, WARNING)).endswith("\n2 warnings.")


@pytest.fixture
def diagnosed(monkeypatch: pytest.MonkeyPatch) -> list[Report]:
    """The report the command gets instead of looking at this machine."""
    reports: list[Report] = []
    monkeypatch.setattr(doctor_package, "diagnose", lambda readers: reports[0])
    return reports


def test_command_exit_codes(diagnosed: list[Report], capsys: pytest.CaptureFixture[str]) -> None:
    diagnosed.append(report(OK, WARNING))
    assert cli.main(["doctor"]) == 0
    assert cli.main(["doctor", "--strict"]) == 1
    diagnosed[0] = report(OK, ERROR)
    assert cli.main(["doctor"]) == 1
    assert "ERROR  third" in capsys.readouterr().out


def test_command_json(diagnosed: list[Report], capsys: pytest.CaptureFixture[str]) -> None:
    diagnosed.append(report(OK, ERROR))
    assert cli.main(["doctor", "--json"]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed["status"] == "error"
    assert printed["version"] == "9.9.9"
    assert printed["checks"][1] == {
        "id": "c",
        "title": "third",
        "status": "error",
        "message": "pcscd is not running",
        "fix": "sudo systemctl start pcscd",
    }
    assert Report.model_validate(printed) == diagnosed[0]
