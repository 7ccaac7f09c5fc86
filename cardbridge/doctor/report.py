"""What ``cardbridge doctor`` finds: one :class:`CheckResult` per check, in a :class:`Report`.

The models are pydantic so that ``cardbridge doctor --json`` prints them as they are
(and the status page could serve them). A check's ``id`` is stable, for scripts; its
``title``, ``message`` and ``fix`` are for the support technician reading the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from cardbridge.messages import Text, language_of_environment


class Status(StrEnum):
    """How a check went.

    ``skipped`` is a check that could not run because an earlier one failed (no
    readers to look at when pcscd is down): the earlier error already says what to do,
    and one cause should not print three errors.
    """

    OK = "ok"
    WARNING = "warning"
    ERROR = "error"
    SKIPPED = "skipped"


# Worst first: the report's status is the first of these that any check has.
_SEVERITY = (Status.ERROR, Status.WARNING)


class CheckResult(BaseModel):
    """The outcome of one check."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(examples=["pcscd_running"], description="Stable identifier of the check.")
    title: str = Field(examples=["pcscd running"])
    status: Status
    message: str = Field(description="What was found.")
    fix: str | None = Field(
        None, description="What to do, when the status is warning or error; else null."
    )


class Report(BaseModel):
    """Every check, in the order they are shown."""

    model_config = ConfigDict(frozen=True)

    version: str = Field(description="Version of cardbridge that ran the checks.")
    status: Status = Field(description="error if any check failed, else warning if any warned.")
    checks: list[CheckResult]

    @classmethod
    def of(cls, version: str, checks: list[CheckResult]) -> Report:
        statuses = {check.status for check in checks}
        status = next((s for s in _SEVERITY if s in statuses), Status.OK)
        return cls(version=version, status=status, checks=checks)

    def exit_code(self, *, strict: bool = False) -> int:
        """0 when nothing failed (warnings too, with ``strict``), else 1."""
        failing = {Status.ERROR, Status.WARNING} if strict else {Status.ERROR}
        return 1 if self.status in failing else 0


@dataclass(frozen=True, slots=True)
class Check:
    """A check's identity; makes its results."""

    id: str
    title: str

    def ok(self, message: str) -> CheckResult:
        return CheckResult(id=self.id, title=self.title, status=Status.OK, message=message)

    def warning(self, message: str, fix: Text | str) -> CheckResult:
        return CheckResult(
            id=self.id, title=self.title, status=Status.WARNING, message=message, fix=_said(fix)
        )

    def error(self, message: str, fix: Text | str) -> CheckResult:
        return CheckResult(
            id=self.id, title=self.title, status=Status.ERROR, message=message, fix=_said(fix)
        )

    def skipped(self, reason: str) -> CheckResult:
        return CheckResult(
            id=self.id, title=self.title, status=Status.SKIPPED, message=f"not checked: {reason}"
        )


def _said(fix: Text | str) -> str:
    """The advice in the language of the environment (``LANG``…), as the CLI speaks (a
    plain string is taken as it is)."""
    return fix.in_(language_of_environment()) if isinstance(fix, Text) else fix
