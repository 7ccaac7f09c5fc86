"""The offline DMP: the national service's wire protocols and rules, served on loopback.

``cardbridge dmp-sandbox`` serves it. It stands to the DMP as the emulator stands to the
cards: SOAP 1.2 services at the real paths, mutual TLS with the test PKI's certificates,
VIHF checks, the rights matrix, SQLite storage and one trace per request. The facts it
follows, and the choices of ours where the facts run out, are in ``docs/dmp-sandbox.md``.

This package never imports :mod:`cardbridge.dmp` (the client side): the two meet only on
the wire, so that a mistake in one is not silently shared by the other.
"""
