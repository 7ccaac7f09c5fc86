"""SHA-256 split in two: the host hashes the whole blocks, the card finishes.

IAS-ECC cards (the CPS3 among them) compute a signature over a hash whose last step
they perform themselves (PSO HASH, docs/domain.md §1): the host sends the intermediate
SHA-256 state after the complete 64-byte blocks, the number of bits already hashed,
and the remaining bytes. :mod:`hashlib` can neither export nor resume a state, so
this module has the FIPS 180-4 compression function in pure Python: about 0.15 ms per
64-byte block, fine for the few kilobytes of an assertion to sign.
"""

from __future__ import annotations

from itertools import count, islice

BLOCK_SIZE = 64
DIGEST_SIZE = 32
STATE_SIZE = 32
_MASK = 0xFFFFFFFF


def _primes() -> list[int]:
    found: list[int] = []
    for n in count(2):
        if all(n % p for p in found if p * p <= n):
            found.append(n)
            if len(found) == 64:
                return found
    raise AssertionError("unreachable")


def _fraction_bits(prime: int, root: int) -> int:
    """The first 32 bits of the fractional part of ``prime ** (1/root)``, exactly."""
    scaled = prime << (32 * root)
    low, high = 0, 1 << (32 + prime.bit_length())
    while low < high:  # integer root by bisection: the largest x with x**root <= scaled
        mid = (low + high + 1) // 2
        if mid**root <= scaled:
            low = mid
        else:
            high = mid - 1
    return low & _MASK


_PRIMES = _primes()
_K = tuple(_fraction_bits(p, 3) for p in _PRIMES)
INITIAL_STATE = b"".join(_fraction_bits(p, 2).to_bytes(4, "big") for p in islice(_PRIMES, 8))


def _rotr(x: int, n: int) -> int:
    return ((x >> n) | (x << (32 - n))) & _MASK


def _compress(state: list[int], block: bytes) -> list[int]:
    w = [int.from_bytes(block[i : i + 4], "big") for i in range(0, BLOCK_SIZE, 4)]
    for i in range(16, 64):
        s0 = _rotr(w[i - 15], 7) ^ _rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
        s1 = _rotr(w[i - 2], 17) ^ _rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
        w.append((w[i - 16] + s0 + w[i - 7] + s1) & _MASK)
    a, b, c, d, e, f, g, h = state
    for i in range(64):
        t1 = h + (_rotr(e, 6) ^ _rotr(e, 11) ^ _rotr(e, 25)) + ((e & f) ^ (~e & g)) + _K[i] + w[i]
        t2 = (_rotr(a, 2) ^ _rotr(a, 13) ^ _rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))
        a, b, c, d, e, f, g, h = (t1 + t2) & _MASK, a, b, c, (d + t1) & _MASK, e, f, g
    return [(x + y) & _MASK for x, y in zip(state, (a, b, c, d, e, f, g, h), strict=True)]


def _words(state: bytes) -> list[int]:
    if len(state) != STATE_SIZE:
        raise ValueError(f"a SHA-256 state has {STATE_SIZE} bytes")
    return [int.from_bytes(state[i : i + 4], "big") for i in range(0, STATE_SIZE, 4)]


def _bytes(words: list[int]) -> bytes:
    return b"".join(x.to_bytes(4, "big") for x in words)


def split(message: bytes) -> tuple[bytes, int, bytes]:
    """Hash the whole blocks of ``message``: ``(state, bits hashed, remaining bytes)``.

    The remaining part is shorter than a block (possibly empty).
    """
    whole = len(message) - len(message) % BLOCK_SIZE
    words = _words(INITIAL_STATE)
    for offset in range(0, whole, BLOCK_SIZE):
        words = _compress(words, message[offset : offset + BLOCK_SIZE])
    return _bytes(words), whole * 8, message[whole:]


def finish(state: bytes, bits_hashed: int, remaining: bytes) -> bytes:
    """The SHA-256 digest of a message whose first ``bits_hashed`` bits gave ``state``."""
    if bits_hashed < 0 or bits_hashed % (BLOCK_SIZE * 8):
        raise ValueError("the bits already hashed must be a whole number of blocks")
    total_bits = bits_hashed + 8 * len(remaining)
    if total_bits >= 1 << 64:
        raise ValueError("message too long for SHA-256")
    tail = remaining + b"\x80" + bytes(-(len(remaining) + 9) % BLOCK_SIZE)
    tail += total_bits.to_bytes(8, "big")
    words = _words(state)
    for offset in range(0, len(tail), BLOCK_SIZE):
        words = _compress(words, tail[offset : offset + BLOCK_SIZE])
    return _bytes(words)
