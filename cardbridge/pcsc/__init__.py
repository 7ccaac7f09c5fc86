"""PC/SC transport: APDUs, BER-TLV, the ``Connection`` protocol, readers and their monitor.

Only :mod:`cardbridge.pcsc.backend` and :mod:`cardbridge.pcsc.monitor` import pyscard.
"""
