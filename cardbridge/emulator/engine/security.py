"""Secrets a card holds: PINs with their try counters, and private RSA keys.

Counters are persistent (they live as long as the card object); whether a PIN is
verified is volatile and kept by the card's :class:`~.state.VolatileState`. A
:class:`CardKey` signs only when the engine asks it to, after its checks: no method
returns the private key.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from enum import Enum

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from cardbridge.layouts.iasecc import Crt, PinSecurityObject

PAD_BYTES = b"\xff\x00"


class PinCheck(Enum):
    """Outcome of presenting a secret to a :class:`Pin`."""

    OK = "ok"
    WRONG = "wrong"
    BLOCKED = "blocked"
    BAD_FORMAT = "bad_format"


def _unpad(secret: bytes) -> bytes:
    """PINs may come right-padded (``FF`` or ``00``) to a fixed block: strip the padding."""
    return secret.rstrip(PAD_BYTES)


@dataclass(eq=False)
class Pin:
    """A PIN and its PUK, each with a try counter. ``eq=False``: identity matters.

    ``puk_reference``, when set, is the reference under which the PUK answers VERIFY
    and GET DATA of its own (IAS-ECC cards keep it as a PIN object of its own);
    ``acl`` / ``puk_acl`` are what GET DATA reports of them (tag ``8C``), and
    ``puk_usage`` the PUK's remaining uses, when the card reports one.
    """

    reference: int
    value: bytes = field(repr=False)
    puk: bytes | None = field(default=None, repr=False)
    max_tries: int = 3
    puk_max_tries: int = 10
    min_length: int = 4
    max_length: int = 8
    puk_reference: int | None = None
    acl: bytes | None = None
    puk_acl: bytes | None = None
    puk_usage: int | None = None
    tries_left: int = field(init=False)
    puk_tries_left: int = field(init=False)

    def __post_init__(self) -> None:
        self.tries_left = self.max_tries
        self.puk_tries_left = self.puk_max_tries

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0

    def status(self) -> PinSecurityObject:
        return PinSecurityObject(self.reference, self.max_tries, self.tries_left)

    def well_formed(self, candidate: bytes) -> bool:
        """Digits of an acceptable length (after padding is stripped)."""
        pin = _unpad(candidate)
        return self.min_length <= len(pin) <= self.max_length and pin.isdigit()

    def check(self, candidate: bytes) -> PinCheck:
        """Compare and count: a wrong PIN costs a try, a right one restores them all."""
        if self.blocked:
            return PinCheck.BLOCKED
        if not self.well_formed(candidate):
            return PinCheck.BAD_FORMAT
        if hmac.compare_digest(_unpad(candidate), self.value):
            self.tries_left = self.max_tries
            return PinCheck.OK
        self.tries_left -= 1
        return PinCheck.WRONG

    def check_puk(self, candidate: bytes) -> PinCheck:
        if self.puk is None or self.puk_tries_left == 0:
            return PinCheck.BLOCKED
        if hmac.compare_digest(_unpad(candidate), self.puk):
            self.puk_tries_left = self.puk_max_tries
            return PinCheck.OK
        self.puk_tries_left -= 1
        return PinCheck.WRONG

    def change(self, new_value: bytes) -> None:
        """Set a new PIN (already checked well-formed) and unblock it."""
        self.value = _unpad(new_value)
        self.tries_left = self.max_tries


class CardKey:
    """A private RSA key that signs only through the card's commands.

    ``usages`` lists the security environments (MSE SET templates) it may serve;
    ``pin`` must be verified before any use.
    """

    __slots__ = (
        "__numbers",
        "acl",
        "modulus_size",
        "pin",
        "public_key",
        "reference",
        "signatures",
        "usages",
    )

    def __init__(
        self,
        reference: int,
        private_key: RSAPrivateKey,
        *,
        usages: frozenset[Crt],
        pin: Pin,
        acl: bytes | None = None,
    ) -> None:
        numbers = private_key.private_numbers()
        self.reference = reference
        self.usages = usages
        self.pin = pin
        self.acl = acl  # what GET DATA reports of the key (tag 8C), when the card does
        self.public_key: RSAPublicKey = private_key.public_key()
        self.modulus_size = (numbers.public_numbers.n.bit_length() + 7) // 8
        # How many signatures the key made: tests count the card's work (one per TLS
        # session, one per VIHF…).
        self.signatures = 0
        self.__numbers = (
            numbers.public_numbers.n,
            numbers.p,
            numbers.q,
            numbers.dmp1,
            numbers.dmq1,
            numbers.iqmp,
        )

    def __repr__(self) -> str:
        return f"CardKey(reference=0x{self.reference:02X}, bits={self.modulus_size * 8})"

    def sign_pkcs1(self, data: bytes) -> bytes:
        """RSA signature of ``data`` (typically a DigestInfo) with PKCS#1 v1.5 type 1 padding.

        ``data`` must leave room for at least 8 padding bytes (the caller checks sizes).
        """
        padding_length = self.modulus_size - 3 - len(data)
        if padding_length < 8:
            raise ValueError("data too long for the modulus")
        block = b"\x00\x01" + b"\xff" * padding_length + b"\x00" + data
        n, p, q, dmp1, dmq1, iqmp = self.__numbers
        m = int.from_bytes(block, "big")
        # Chinese remainder theorem: two half-size exponentiations instead of one.
        s1, s2 = pow(m, dmp1, p), pow(m, dmq1, q)
        signature = s2 + q * ((iqmp * (s1 - s2)) % p)
        self.signatures += 1
        return (signature % n).to_bytes(self.modulus_size, "big")
