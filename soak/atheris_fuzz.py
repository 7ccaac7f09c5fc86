"""``python -m soak.atheris_fuzz [TARGET…] [--seconds N]``: the fuzz targets of
:mod:`soak.fuzz_targets` under atheris, coverage-guided, each for N seconds.

Each target runs in a child process (libFuzzer owns the process and exits at the end)
with cardbridge instrumented, starting from the target's seeds. A crash (an exception
other than the typed errors the target allows) leaves its input in
``test-artifacts/fuzz/`` and fails the run; a table says how many inputs each target
ran. atheris is installed by ``make fuzz``: it is not a dependency of cardbridge.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "fuzz"
DEFAULT_SECONDS = 60
_EXECUTED = re.compile(r"stat::number_of_executed_units:\s*(\d+)")
_GRACE = 60  # beyond the fuzzing time: start-up, seeds, final statistics
_UNCAUGHT = "Uncaught Python exception"


def fuzz_one(name: str, seconds: int) -> None:
    """In the child: fuzz target ``name`` until libFuzzer stops (it exits the process)."""
    import atheris  # type: ignore[import-untyped]  # noqa: PLC0415 - only when fuzzing

    with atheris.instrument_imports(include=["cardbridge"]):
        from soak.fuzz_targets import TARGETS  # noqa: PLC0415 - imported instrumented

    target = TARGETS[name]
    corpus = Path(tempfile.mkdtemp(prefix=f"cardbridge-fuzz-{name}-"))
    for index, seed in enumerate(target.seeds()):
        (corpus / f"seed-{index}").write_bytes(seed)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    atheris.Setup(
        [
            sys.argv[0],
            str(corpus),
            f"-max_total_time={seconds}",
            f"-artifact_prefix={ARTIFACTS}/{name}-",
            "-print_final_stats=1",
            "-rss_limit_mb=4096",
        ],
        target.run,
    )
    atheris.Fuzz()


def run_child(name: str, seconds: int) -> tuple[bool, int, float, str]:
    """Fuzz ``name`` in a child process: (passed, inputs run, seconds, last output)."""
    start = time.monotonic()
    child = subprocess.run(
        [sys.executable, "-m", "soak.atheris_fuzz", "--child", name, "--seconds", str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # atheris prints the Python exception on stdout
        text=True,
        timeout=seconds + _GRACE,
        check=False,
    )
    executed = _EXECUTED.search(child.stdout)
    lines = child.stdout.strip().splitlines()
    # What to show of a crash: the Python exception and the input's file, else the end.
    first = next((i for i, line in enumerate(lines) if _UNCAUGHT in line), len(lines) - 25)
    tail = "\n".join(lines[max(first, 0) :][:60])
    return (
        child.returncode == 0,
        int(executed.group(1)) if executed else 0,
        time.monotonic() - start,
        tail,
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m soak.atheris_fuzz", description=__doc__)
    parser.add_argument("targets", nargs="*", help="default: every target")
    parser.add_argument("--seconds", type=int, default=DEFAULT_SECONDS, help="per target")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        fuzz_one(args.child, args.seconds)
        return 0

    from soak.fuzz_targets import TARGETS  # noqa: PLC0415 - the parent needs no atheris

    unknown = set(args.targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown target(s): {', '.join(sorted(unknown))}")
    rows = [("target", "inputs", "seconds", "result")]
    failed = []
    for name in args.targets or list(TARGETS):
        print(f"atheris: {name} for {args.seconds} s…", file=sys.stderr, flush=True)
        passed, executed, took, tail = run_child(name, args.seconds)
        rows.append((name, str(executed), f"{took:.0f}", "pass" if passed else "FAIL"))
        if not passed:
            failed.append(name)
            print(tail, file=sys.stderr)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))
    if failed:
        print(f"crashed: {', '.join(failed)} (inputs in {ARTIFACTS})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
