"""The CLI's start: ``cardbridge --version`` and ``cardbridge readers`` as processes, vs a
bare ``python -c pass`` and OpenSC's ``opensc-tool -l`` (a C program listing the readers),
same run. Medians of interleaved runs, so that drift in the machine's load hits all alike.
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


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False, timeout=60)
    return time.perf_counter() - started


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
    recorder.record(Result("cardbridge readers", median["readers"], "ms"))
    if "opensc" in median:
        recorder.record(
            Result(
                "cardbridge readers / opensc-tool -l",
                median["readers"] / median["opensc"],
                "ratio",
                note="informative: a Python program against a C one",
            )
        )
