"""Credentials for cardbridge's DMP transport in tests: an emulated CPS in process whose
card signs the TLS handshake, and software keys of the test identities."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from cardbridge.cards.cps import CpsSession
from cardbridge.dmp.card_credential import CardCredential
from cardbridge.emulator.engine import IsoCard
from cardbridge.emulator.engine.files import DedicatedFile
from cardbridge.emulator.engine.security import CardKey
from cardbridge.emulator.inprocess import EmulatedBackend
from cardbridge.layouts.cps import KeyReference

READER = "transport test reader"


def card_key(card: IsoCard, reference: int) -> CardKey:
    """The emulated card's key ``reference`` (to read its signature counter)."""
    pending: list[DedicatedFile] = [card.mf]
    while pending:
        folder = pending.pop()
        if reference in folder.keys:
            return folder.keys[reference]
        pending += [child for child in folder.children if isinstance(child, DedicatedFile)]
    raise LookupError(reference)


@dataclass
class EmulatedCps:
    """A powered emulated CPS with its PIN verified, and its authentication key."""

    card: IsoCard
    session: CpsSession

    @property
    def authentication_key(self) -> CardKey:
        return card_key(self.card, KeyReference.AUTHENTICATION)

    def credential(self) -> CardCredential:
        """The card's authentication certificate, signed for by the card."""
        return CardCredential(
            [self.session.authentication_certificate()], self.session.authenticate_digest
        )


@contextmanager
def emulated_cps(card: IsoCard, pin: str = "1234") -> Iterator[EmulatedCps]:
    """``card`` in an in-process reader, its PIN verified, for the block."""
    backend = EmulatedBackend([READER])
    backend.insert(READER, card)
    with backend.connect(READER) as connection:
        session = CpsSession(connection)
        session.verify_pin(pin)
        yield EmulatedCps(card, session)


def software_credential(certificate: bytes, key: rsa.RSAPrivateKey) -> CardCredential:
    """A credential whose signing is a software key's (what a card does, without one)."""

    def sign_digest(digest: bytes) -> bytes:
        return key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))

    return CardCredential([certificate], sign_digest)


def der(certificate: object) -> bytes:
    """The DER bytes of a :class:`cryptography.x509.Certificate`."""
    return certificate.public_bytes(serialization.Encoding.DER)  # type: ignore[attr-defined, no-any-return]
