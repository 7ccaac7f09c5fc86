"""Helpers shared by the tests, the benchmarks (``bench/``) and the soak runs (``soak/``).

Scripted cards and APDU checks, the bridge served on a free port or as a process, pcscd and
its vpcd readers, the offline DMP and the requests a DMP client sends it, Web eID tokens,
sample files. It is not part of the ``cardbridge`` package (nothing there imports it), and
it never imports ``tests``: the benchmarks and the soak runs do not depend on the test
suite (docs/architecture.md, checked by import-linter).
"""
