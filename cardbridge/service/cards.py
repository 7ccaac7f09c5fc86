"""CPS and Vitale operations as the API serves them: cached per card insertion, run on
the reader's worker.

Identity (the practitioner, the certificates, the Vitale card) is read once per card
insertion and then answered from memory, without a word to the card, until the card
leaves (:mod:`cardbridge.service.readers` drops the memory then). The PIN status is
always asked of the card: another program may have spent tries. The practice
situations are shown once the PIN was verified through the bridge, and hidden again
when another program resets the card (which un-verifies it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cardbridge.auth.signing import sign_challenge
from cardbridge.auth.token import AuthToken
from cardbridge.cards.cps import CpsSession
from cardbridge.cards.models import PinStatus, Practitioner, VitaleCard
from cardbridge.cards.vitale import VitaleSession
from cardbridge.errors import PinError, PinRequiredError
from cardbridge.pcsc.atr import CardFamily
from cardbridge.service.authorities import CertificateAuthorities
from cardbridge.service.memory import Snapshot
from cardbridge.service.models import CertificateBundle
from cardbridge.service.readers import CardAccess, ReaderPool, ReaderSlot

T = TypeVar("T")


def _cps(access: CardAccess) -> CpsSession:
    return access.memory.session(CpsSession, lambda: CpsSession(access.connection))


def _pem(der: bytes) -> str:
    certificate = x509.load_der_x509_certificate(der)
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


class CardService:
    """The card operations of the API, over the readers of a :class:`ReaderPool`."""

    def __init__(self, readers: ReaderPool, authorities: CertificateAuthorities) -> None:
        self.readers = readers
        self.authorities = authorities

    def cps_reader(self, reader: str | None = None) -> ReaderSlot:
        """The reader holding the CPS (``reader`` if named)."""
        return self.readers.choose(CardFamily.CPS, reader)

    # --- CPS identity -------------------------------------------------------------

    async def practitioner(self, reader: str | None = None) -> Snapshot[Practitioner]:
        """The practitioner; situations once the PIN was verified through the bridge."""
        slot = self.cps_reader(reader)
        memory = slot.memory
        cached = memory.practitioner
        if cached is not None and (not memory.pin_verified or cached.model.situations is not None):
            return cached
        return await slot.run(self._read_practitioner)

    @staticmethod
    def _read_practitioner(access: CardAccess) -> Snapshot[Practitioner]:
        memory = access.memory
        session = _cps(access)
        if memory.pin_verified:
            try:
                practitioner = session.read_practitioner(with_situations=True)
            except PinRequiredError:  # un-verified behind our back (power cycle)
                memory.pin_verified = False
                practitioner = session.read_practitioner()
        else:
            practitioner = session.read_practitioner()
        memory.bind(access.connection.atr, practitioner.card.serial, reader=access.reader)
        memory.practitioner = Snapshot(practitioner)
        return memory.practitioner

    async def certificates(self, reader: str | None = None) -> Snapshot[CertificateBundle]:
        """The two certificates and the known chain above them (PEM)."""
        slot = self.cps_reader(reader)
        cached = slot.memory.certificates
        if cached is not None:
            return cached
        return await slot.run(self._read_certificates)

    def _read_certificates(self, access: CardAccess) -> Snapshot[CertificateBundle]:
        read = _cps(access).certificates()
        bundle = CertificateBundle(
            authentication=_pem(read.authentication),
            signature=_pem(read.signature),
            chain=self.authorities.chain_pem(read.authentication),
        )
        access.memory.certificates = Snapshot(bundle)
        return access.memory.certificates

    # --- PIN ----------------------------------------------------------------------

    async def run_cps(
        self,
        operation: Callable[[CpsSession], T],
        reader: str | None = None,
        *,
        changes_card: bool,
    ) -> T:
        """Run ``operation`` on the CPS session of the reader's held connection, on its
        worker (for workflows such as the DMP's VIHF signature). ``changes_card``: the
        operation is not run again after a reset by another program."""
        return await self.cps_reader(reader).run(
            lambda access: operation(_cps(access)), retry_reset=not changes_card
        )

    async def pin_status(self, reader: str | None = None) -> PinStatus:
        """Tries left, asked of the card (no try spent)."""
        return await self.run_cps(lambda session: session.pin_status(), reader, changes_card=False)

    async def verify_pin(self, pin: str, reader: str | None = None) -> None:
        """VERIFY once; then the situations are read, while the card is unlocked."""

        def verify(access: CardAccess) -> None:
            try:
                _cps(access).verify_pin(pin)
            except PinError:
                # A refused VERIFY leaves the card locked, whatever it was before.
                access.memory.forget_pin()
                raise
            access.memory.pin_verified = True
            self._read_practitioner(access)

        await self.cps_reader(reader).run(verify, retry_reset=False)

    async def change_pin(self, old: str, new: str, reader: str | None = None) -> None:
        """Change the PIN (a wrong ``old`` spends a try)."""
        await self.run_cps(lambda session: session.change_pin(old, new), reader, changes_card=True)

    async def unblock_pin(self, puk: str, new_pin: str, reader: str | None = None) -> None:
        """Unblock the PIN with the PUK, setting ``new_pin``."""
        await self.run_cps(
            lambda session: session.unblock_pin(puk, new_pin), reader, changes_card=True
        )

    # --- Authentication -----------------------------------------------------------

    def require_pin(self, reader: str | None, pin: str | None) -> None:
        """Refuse early (before a nonce is spent) a token that the card would refuse:
        no PIN given, and none verified through the bridge."""
        if pin is None and not self.cps_reader(reader).memory.pin_verified:
            raise PinRequiredError("Signing in needs the CPS PIN: enter the PIN of the card.")

    async def sign_challenge(
        self, origin: str, nonce: str, *, pin: str | None = None, reader: str | None = None
    ) -> AuthToken:
        """A Web eID token for ``origin`` and ``nonce``, signed by the CPS."""

        def sign(access: CardAccess) -> AuthToken:
            session = _cps(access)
            if pin is not None:
                session.verify_pin(pin)
                access.memory.pin_verified = True
            return sign_challenge(session, origin, nonce)

        return await self.cps_reader(reader).run(sign, retry_reset=False)

    # --- Vitale -------------------------------------------------------------------

    async def vitale(self, reader: str | None = None) -> Snapshot[VitaleCard]:
        """The Vitale card, its insured and beneficiaries."""
        slot = self.readers.choose(CardFamily.VITALE, reader)
        cached = slot.memory.vitale
        if cached is not None:
            return cached
        return await slot.run(self._read_vitale)

    @staticmethod
    def _read_vitale(access: CardAccess) -> Snapshot[VitaleCard]:
        session = access.memory.session(VitaleSession, lambda: VitaleSession(access.connection))
        card = session.read()
        access.memory.bind(access.connection.atr, card.card.serial, reader=access.reader)
        access.memory.vitale = Snapshot(card)
        return access.memory.vitale
