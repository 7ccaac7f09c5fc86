"""Where emulated cards get their RSA-2048 key pairs.

A real card generates its keys once; the emulator does it when a card object is
built. Generation takes a tenth of a second or more, so tests and benchmarks that
build many cards pass a :class:`KeyPool`, which hands out a few keys again and again.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 2048
PUBLIC_EXPONENT = 65537

KeySource = Callable[[], rsa.RSAPrivateKey]
"""Returns the private key for the next key pair of a card."""


def generate_key() -> rsa.RSAPrivateKey:
    """A fresh RSA-2048 key (the default :data:`KeySource`)."""
    return rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=KEY_BITS)


class KeyPool:
    """A :data:`KeySource` cycling through ``size`` keys generated on first use.

    Cards built from one pool share keys, which only tests and benchmarks accept.
    ``size`` should be even so that a CPS's two keys always differ.
    """

    def __init__(self, size: int = 4) -> None:
        if size < 2:
            raise ValueError("a CPS needs two different keys")
        self._size = size
        self._keys: list[rsa.RSAPrivateKey] = []
        self._cycle: itertools.cycle[int] = itertools.cycle(range(size))
        self._lock = threading.Lock()

    def __call__(self) -> rsa.RSAPrivateKey:
        with self._lock:
            index = next(self._cycle)
            while len(self._keys) <= index:
                self._keys.append(generate_key())
            return self._keys[index]
