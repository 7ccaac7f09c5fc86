"""``python -m soak [--minutes M | --seconds S] [--output FILE]``: the soak of the local API.

Mixed API load on the two emulated demo readers while their cards are pulled out and
put back, against a real uvicorn server on a loopback port (in this process); progress
lines while it runs, then the per-route table and the checks table. Exit status 1 if
a check fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from soak.report import text, write_json
from soak.run import SoakConfig, run_soak

DEFAULT_OUTPUT = Path(__file__).parent / "results.json"
DEFAULT_MINUTES = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m soak", description=__doc__)
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=float, default=DEFAULT_MINUTES, help="default: 10")
    length.add_argument("--seconds", type=float, help="instead of --minutes")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON results file")
    parser.add_argument("--seed", type=int, default=SoakConfig.seed)
    args = parser.parse_args()
    seconds = args.seconds if args.seconds is not None else args.minutes * 60
    if seconds <= 0:
        parser.error("the soak needs a positive duration")

    report = run_soak(SoakConfig(seconds=seconds, seed=args.seed))
    print(text(report))
    write_json(report, args.output)
    print(f"\nresults written to {args.output}")
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
