"""The benchmark framework's bookkeeping (the benchmarks themselves run in ``make bench``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.framework import Benchmark, Recorder, Result, Target, percentile, run, table, write_json


@pytest.mark.parametrize(
    ("target", "value", "met"),
    [
        (Target("<=", 1.10), 1.10, True),
        (Target("<=", 1.10), 1.11, False),
        (Target("<", 0.5), 0.5, False),
        (Target(">=", 100), 120, True),
    ],
)
def test_target(target: Target, value: float, met: bool) -> None:
    assert target.met(value) is met


def test_results_pass_fail_or_inform() -> None:
    assert Result("a", 1.0, "ratio", Target("<=", 1.1)).passed is True
    assert Result("b", 1.2, "ratio", Target("<=", 1.1)).passed is False
    assert Result("c", 52.0, "µs").passed is None
    assert Result("d", float("nan"), "", error="boom").passed is False


def test_percentile() -> None:
    samples = [float(i) for i in range(1, 21)]
    assert percentile(samples, 0.5) == pytest.approx(10.5)
    assert percentile(samples, 0.95) == pytest.approx(19.05)
    assert percentile([3.0], 0.95) == 3.0


def test_run_keeps_going_after_a_failing_benchmark(tmp_path: Path) -> None:
    def good(recorder: Recorder) -> None:
        recorder.record(Result("ratio", 1.05, "ratio", Target("<=", 1.1), baseline=50.0))

    def broken(recorder: Recorder) -> None:
        raise RuntimeError("no reader")

    results = run([Benchmark("broken", broken), Benchmark("good", good)])
    assert [(r.benchmark, r.passed) for r in results] == [("broken", False), ("good", True)]

    text = table(results)
    assert text.splitlines()[0].split() == [
        "benchmark",
        "value",
        "unit",
        "target",
        "baseline",
        "result",
    ]
    assert "FAIL" in text
    assert "pass" in text

    path = tmp_path / "results.json"
    write_json(results, path)
    document = json.loads(path.read_text())
    good_json = document["results"][1]
    assert good_json["target"] == "<= 1.1"
    assert good_json["baseline"] == 50.0
    assert good_json["passed"] is True
    assert document["results"][0]["error"] == "RuntimeError('no reader')"
