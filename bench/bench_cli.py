"""The CLI's start: ``cardbridge --version`` and ``cardbridge readers`` as processes, vs a
bare ``python -c pass`` and OpenSC's ``opensc-tool -l`` (a C program listing the readers),
same run. Medians of interleaved runs, so that drift in the machine's load hits all alike;
then each command's peak memory (maximum resident set).

Issue 17's targets are in wall time on this machine: ``--version`` ≤ 0.1 s and ``readers``
≤ 0.15 s, where ``python -c pass`` takes about 23 ms. They are checked as ratios to that
baseline (4× and 6×), which a loaded machine slows alike.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.framework import Recorder, Result, Target, benchmark

ROUNDS = 15
CARDBRIDGE = str(Path(sys.executable).with_name("cardbridge"))
# Runs ``argv`` and prints the largest resident set of its children, in kB: the child's
# own peak, since the runner starts no other.
_PEAK_RSS = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], capture_output=True, check=False, timeout=60); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False, timeout=60)
    return time.perf_counter() - started


def _peak_megabytes(command: list[str]) -> float:
    measured = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, *command],
        capture_output=True,
        check=True,
        text=True,
        timeout=120,
    )
    return int(measured.stdout) / 1024


@benchmark("cli-start")
def cli_start(recorder: Recorder) -> None:
    commands = {
        "python": [sys.executable, "-c", "pass"],
        "version": [CARDBRIDGE, "--version"],
        "readers": [CARDBRIDGE, "readers"],
    }
    opensc = shutil.which("opensc-tool")
    if opensc is not None:
        commands["opensc"] = [opensc, "-l"]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_index in range(ROUNDS):
        names = list(commands) if round_index % 2 == 0 else list(reversed(commands))
        for name in names:
            times[name].append(_seconds(commands[name]))
    median = {name: statistics.median(values) * 1000 for name, values in times.items()}
    recorder.record(Result("python -c pass", median["python"], "ms"))
    recorder.record(
        Result(
            "cardbridge --version / python -c pass",
            median["version"] / median["python"],
            "ratio",
            target=Target("<=", 4.0),
            note=f"{median['version']:.0f} ms: the parser imports no web or card stack",
        )
    )
    recorder.record(
        Result(
            "cardbridge readers / python -c pass",
            median["readers"] / median["python"],
            "ratio",
            target=Target("<=", 6.0),
            note=f"{median['readers']:.0f} ms: no settings, emulator or API model loaded",
        )
    )
    if "opensc" in median:
        recorder.record(
            Result(
                "cardbridge readers / opensc-tool -l",
                median["readers"] / median["opensc"],
                "ratio",
                note="informative: a Python program against a C one",
            )
        )
    for name in ("python", "version", "readers"):
        program, *arguments = commands[name]
        recorder.record(
            Result(
                f"peak memory: {Path(program).name} {' '.join(arguments)}",
                _peak_megabytes(commands[name]),
                "MB",
            )
        )
