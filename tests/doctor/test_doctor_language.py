"""``cardbridge doctor`` gives its advice in French by default, in English on request."""

from __future__ import annotations

import pytest

from cardbridge.commands import doctor as doctor_command
from cardbridge.doctor import run_checks
from tests.support.doctor_facts import HEALTHY_LOCAL as LOCAL
from tests.support.doctor_facts import STOPPED_PCSC as STOPPED


@pytest.mark.parametrize(
    ("environ", "fix", "summary"),
    [
        (
            {},
            "       à faire : Démarrez le service carte à puce : sudo systemctl enable --now "
            "pcscd.socket",
            "1 erreur. Corrigez les erreurs en commençant par la première, puis relancez "
            "« cardbridge doctor ».",
        ),
        (
            {"LANG": "fr_FR.UTF-8"},
            "       à faire : Démarrez le service carte à puce : sudo systemctl enable --now "
            "pcscd.socket",
            "1 erreur. Corrigez les erreurs en commençant par la première, puis relancez "
            "« cardbridge doctor ».",
        ),
        (
            {"LANG": "en_US.UTF-8"},
            "       fix: Start the smart-card service: sudo systemctl enable --now pcscd.socket",
            "1 error. Fix the errors from the top, then run `cardbridge doctor` again.",
        ),
    ],
)
def test_advice_in_the_locale(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], fix: str, summary: str
) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    lines = doctor_command.render(run_checks(STOPPED, LOCAL, "0.1.0")).splitlines()
    error = next(i for i, line in enumerate(lines) if line.startswith("ERROR"))
    assert "pcscd is not running" in lines[error]  # what was found stays in English
    assert lines[error + 1] == fix
    assert lines[-1] == summary
