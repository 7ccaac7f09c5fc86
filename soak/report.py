"""The soak's report: the checks table (the benchmarks' format), the per-route table, the
JSON file."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench.framework import Result
from soak.load import Tally
from soak.run import SoakReport


def _columns(rows: Sequence[tuple[str, ...]]) -> str:
    """``rows`` (the first is the header) as aligned columns."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def route_table(tally: Tally) -> str:
    """Per route: calls, 2xx, expected errors by code, unexpected answers."""
    rows = [("route", "calls", "2xx", "expected errors", "unexpected")]
    for label, route in tally.routes.items():
        expected = ", ".join(f"{code} {n}" for code, n in sorted(route.expected.items()))
        unexpected = ", ".join(f"{what} {n}" for what, n in sorted(route.unexpected.items()))
        rows.append((label, str(route.calls), str(route.ok), expected, unexpected))
    return _columns(rows)


def check_table(results: list[Result]) -> str:
    """The checks: figure, limit, pass/FAIL, and how it was arrived at."""
    rows = [("check", "value", "unit", "limit", "result", "note")]
    for r in results:
        verdict = {True: "pass", False: "FAIL", None: ""}[r.passed]
        rows.append((r.name, f"{r.value:.4g}", r.unit, str(r.target or ""), verdict, r.note))
    return _columns(rows)


def text(report: SoakReport) -> str:
    """Both tables, the unexpected answers kept, the verdict."""
    parts = [route_table(report.tally), "", check_table(report.results)]
    if report.tally.examples:
        parts += ["", "unexpected answers (first ones):"]
        parts += [
            f"  {e.elapsed:6.1f} s  {e.route}  {e.outcome}: {e.detail}"
            for e in report.tally.examples
        ]
    parts += [f"note: {note}" for note in report.notes]
    parts += ["", "soak: PASS" if report.passed else "soak: FAIL"]
    return "\n".join(parts)


def write_json(report: SoakReport, path: Path) -> None:
    config = asdict(report.config)
    config["data_dir"] = None if config["data_dir"] is None else str(config["data_dir"])
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "config": config,
        "warmup_end_s": round(report.warmup_end, 1),
        "passed": report.passed,
        "results": [result.to_json() for result in report.results],
        "routes": {
            label: {
                "calls": route.calls,
                "ok": route.ok,
                "expected": dict(route.expected),
                "unexpected": dict(route.unexpected),
                "outside_schema": dict(route.outside_schema),
            }
            for label, route in report.tally.routes.items()
        },
        "unexpected_examples": [asdict(example) for example in report.tally.examples],
        "card_moves": report.moves,
        "card_events": report.events,
        "samples": [asdict(sample) for sample in report.samples],
        "notes": report.notes,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
