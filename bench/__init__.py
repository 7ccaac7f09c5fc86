"""cardbridge benchmarks: ``python -m bench`` (or ``make bench``) runs them all.

Each ``bench/bench_*.py`` module registers functions with :func:`bench.framework.benchmark`;
they measure and :meth:`~bench.framework.Recorder.record` results, each with its unit and,
when the project has one, its target. One table is printed and ``bench/results.json``
written. Benchmarks print figures; tests never assert timings.
"""
