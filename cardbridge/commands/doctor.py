"""``cardbridge doctor``: check pcscd, readers, cards, configuration and the local API.

One line per check (ok, warning, error, or skipped when an earlier error makes it
moot), followed for each problem by the fix to apply. Exit status 0 when no check
failed (warnings allowed: "no card inserted" is not a broken installation), 1 otherwise;
``--strict`` fails on warnings too, for deployment scripts.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cardbridge.messages import doctor as texts
from cardbridge.messages.cli import say

if TYPE_CHECKING:
    from cardbridge.doctor import Report

# Labels by check status (cardbridge.doctor.Status values).
LABELS = {"ok": "OK", "warning": "WARN", "error": "ERROR", "skipped": "SKIP"}
_LABEL_WIDTH = max(map(len, LABELS.values()))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check pcscd, readers, permissions and configuration, and say what to fix",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cardbridge.doctor import diagnose
    from cardbridge.pcsc.backend import PcscBackend

    report = diagnose(PcscBackend())
    print(report.model_dump_json(indent=2) if args.json else render(report))
    return report.exit_code(strict=args.strict)


def render(report: Report) -> str:
    """The report as a technician reads it on a terminal."""
    title_width = max(len(check.title) for check in report.checks)
    indent = " " * (_LABEL_WIDTH + 2)
    lines = [f"cardbridge doctor {report.version}"]
    for check in report.checks:
        label = LABELS[check.status.value]
        lines.append(f"{label:<{_LABEL_WIDTH}}  {check.title:<{title_width}}  {check.message}")
        if check.fix:
            lines.append(f"{indent}{say(texts.FIX_LABEL)} {check.fix}")
    lines.append(_summary(report))
    return "\n".join(lines)


def _summary(report: Report) -> str:
    from cardbridge.doctor import Status

    errors = sum(check.status is Status.ERROR for check in report.checks)
    warnings = sum(check.status is Status.WARNING for check in report.checks)
    if not errors and not warnings:
        return say(texts.ALL_WELL)
    counts = [
        say(one if count == 1 else many, count=count)
        for count, one, many in (
            (errors, texts.ONE_ERROR, texts.ERRORS),
            (warnings, texts.ONE_WARNING, texts.WARNINGS),
        )
        if count
    ]
    advice = say(texts.FIX_FROM_THE_TOP) if errors else ""
    return f"{', '.join(counts)}.{advice}"
