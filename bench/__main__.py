"""``python -m bench [NAME…] [--output FILE]``: run the benchmarks, print one table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.framework import discover, run, table, write_json

DEFAULT_OUTPUT = Path(__file__).parent / "results.json"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="run only the benchmarks with these names")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON results file")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args()

    benchmarks = discover()
    if args.list:
        print("\n".join(b.name for b in benchmarks))
        return 0
    unknown = set(args.names) - {b.name for b in benchmarks}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    selected = [b for b in benchmarks if not args.names or b.name in args.names]

    results = run(selected)
    print(table(results))
    write_json(results, args.output)
    print(f"\nresults written to {args.output}")
    missed = [r.name for r in results if r.passed is False]
    if missed:
        print(f"target missed or benchmark failed: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
