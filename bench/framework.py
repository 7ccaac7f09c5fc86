"""The benchmark framework: registration, results with targets, the table and the JSON."""

from __future__ import annotations

import importlib
import json
import operator
import os
import pkgutil
import platform
import statistics
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

Comparison = Literal["<", "<=", ">", ">="]
_COMPARE: dict[Comparison, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True, slots=True)
class Target:
    """What a measured value must satisfy, e.g. ``Target("<=", 1.10)``."""

    comparison: Comparison
    limit: float

    def met(self, value: float) -> bool:
        return _COMPARE[self.comparison](value, self.limit)

    def __str__(self) -> str:
        return f"{self.comparison} {self.limit:g}"


@dataclass(frozen=True, slots=True)
class Result:
    """One measured figure. A ratio names the baseline it was measured against, same run."""

    name: str
    value: float
    unit: str
    target: Target | None = None
    baseline: float | None = None
    baseline_unit: str = ""
    note: str = ""
    error: str | None = None  # the benchmark failed: value is meaningless
    benchmark: str = ""  # the registered benchmark that measured it (set by run)

    @property
    def passed(self) -> bool | None:
        """``None`` when there is no target (an informative figure)."""
        if self.error is not None:
            return False
        return None if self.target is None else self.target.met(self.value)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["target"] = None if self.target is None else str(self.target)
        data["passed"] = self.passed
        return data


@dataclass
class Recorder:
    """Collects the results of one benchmark function."""

    results: list[Result] = field(default_factory=list)

    def record(self, result: Result) -> None:
        self.results.append(result)
        print(f"  {result.name}: {result.value:.4g} {result.unit}", file=sys.stderr)


BenchFunction = Callable[[Recorder], None]


@dataclass(frozen=True, slots=True)
class Benchmark:
    name: str
    function: BenchFunction


_REGISTRY: list[Benchmark] = []


def benchmark(name: str) -> Callable[[BenchFunction], BenchFunction]:
    """Register the decorated function as the benchmark ``name``."""

    def register(function: BenchFunction) -> BenchFunction:
        _REGISTRY.append(Benchmark(name, function))
        return function

    return register


def discover() -> list[Benchmark]:
    """Import every ``bench/bench_*.py`` module; return the benchmarks they registered."""
    package = Path(__file__).parent
    for module in sorted(pkgutil.iter_modules([str(package)]), key=lambda m: m.name):
        if module.name.startswith("bench_"):
            importlib.import_module(f"bench.{module.name}")
    return list(_REGISTRY)


def run(benchmarks: Iterable[Benchmark]) -> list[Result]:
    """Run each benchmark; one that raises becomes a failed result, the others still run."""
    results: list[Result] = []
    for bench in benchmarks:
        print(f"{bench.name}…", file=sys.stderr)
        recorder = Recorder()
        try:
            bench.function(recorder)
        except Exception as error:
            traceback.print_exc()
            recorder.record(Result(bench.name, float("nan"), "", error=repr(error)))
        results += [replace(result, benchmark=bench.name) for result in recorder.results]
    return results


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (0.95 for p95), interpolated between samples."""
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[round(fraction * 100) - 1]


def table(results: Sequence[Result]) -> str:
    """The one table printed at the end."""
    rows = [("benchmark", "value", "unit", "target", "baseline", "result")]
    for r in results:
        baseline = f"{r.baseline:.4g} {r.baseline_unit}" if r.baseline is not None else ""
        verdict = {True: "pass", False: "FAIL", None: ""}[r.passed]
        value = "error" if r.error else f"{r.value:.4g}"
        rows.append((r.name, value, r.unit, str(r.target or ""), baseline, verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def write_json(results: Sequence[Result], path: Path) -> None:
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "results": [r.to_json() for r in results],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
