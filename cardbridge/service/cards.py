"""CPS and Vitale operations as the API serves them: cached per card insertion, run on
the reader's worker.

Identity (the practitioner, the certificates, the Vitale card) is read once per card
insertion and then answered from memory, without a word to the card, until the card
leaves (:mod:`cardbridge.service.reader_pool` drops the memory then). The PIN status is
always asked of the card: another program may have spent tries. The practice
situations are shown once the PIN was verified through the bridge, and hidden again
when another program resets the card (which un-verifies it) or the PIN session ends.

A PIN verification opens a PIN session for its caller alone (:mod:`cardbridge.service.callers`):
DMP work needs the caller's own session, which ends after ``pin_session_minutes``
without use, at card removal or on request, and locks the card again when it ends. A
login token needs the PIN every time. Wrong codes make the next try wait, and the PIN's
last try and every PUK try need a confirmation (:mod:`cardbridge.service.pin_guard`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cardbridge.auth.signing import sign_challenge
from cardbridge.auth.token import AuthToken
from cardbridge.cards.cps_card import CpsCard, open_cps
from cardbridge.cards.models import PinStatus, Practitioner, VitaleCard
from cardbridge.cards.pkcs11_backend import NO_APDU_MESSAGE
from cardbridge.cards.vitale import VitaleSession
from cardbridge.errors import (
    CardBridgeError,
    PinError,
    PinInvalidError,
    PinRequiredError,
    PukInvalidError,
    WrongCardTypeError,
)
from cardbridge.messages import inputs as say
from cardbridge.messages.refusals import PIN_SESSION_IDLE
from cardbridge.pcsc.atr import CardFamily
from cardbridge.service.authorities import CertificateAuthorities
from cardbridge.service.callers import NATIVE, Caller
from cardbridge.service.memory import CardMemory, Snapshot
from cardbridge.service.models import CertificateBundle
from cardbridge.service.pin_guard import PinBackoff, require_confirmation, require_puk_confirmation
from cardbridge.service.reader_pool import CardAccess, ReaderPool, ReaderSlot

log = logging.getLogger(__name__)

T = TypeVar("T")
# Minutes a PIN session stays open without use (the setting pin_session_minutes).
DEFAULT_PIN_SESSION_MINUTES = 10


@dataclass(frozen=True)
class _CpsOfConnection:
    """The memory's key for the CPS session of the reader's connection."""

    card: CpsCard


def _cps(access: CardAccess) -> CpsCard:
    """The CPS session of the reader's connection (:func:`open_cps`), opened once per
    connection: a cached session does not touch the connection again."""
    return access.memory.session(
        _CpsOfConnection, lambda: _CpsOfConnection(open_cps(access.connection))
    ).card


def _lock_card(access: CardAccess) -> None:
    """Clear the card's verified PIN (worker thread). A card that refuses the
    deauthentication command loses our connection instead: pcscd powers it down once no
    other program holds it, and the bridge will not count on its verified state."""
    memory = access.memory
    memory.forget_pin()
    if not _cps(access).deauthenticate():
        log.warning("the CPS refused to clear its PIN state: closing the bridge's connection")
        access.drop_connection()


def _pem(der: bytes) -> str:
    certificate = x509.load_der_x509_certificate(der)
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


class CardService:
    """The card operations of the API, over the readers of a :class:`ReaderPool`."""

    def __init__(
        self,
        readers: ReaderPool,
        authorities: CertificateAuthorities,
        *,
        pin_session_minutes: float = DEFAULT_PIN_SESSION_MINUTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.readers = readers
        self.authorities = authorities
        self.pin_session_timeout = pin_session_minutes * 60
        self.backoff = PinBackoff(clock=clock)
        self._clock = clock

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
        operation: Callable[[CpsCard], T],
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

    async def run_in_pin_session(
        self,
        operation: Callable[[CpsCard, CardMemory], T],
        caller: Caller,
        reader: str | None = None,
    ) -> T:
        """Run ``operation`` on the CPS worker with the memory of the card's PIN session
        (:meth:`CardMemory.pin_scoped`: what it keeps there ends with the session), once
        ``caller``'s own session is checked open. Not run again after a reset."""
        self.require_session(caller, reader)

        def run(access: CardAccess) -> T:
            if access.memory.pin_owner != caller.id:  # ended while this call was queued
                raise PinRequiredError(say.NO_PIN_SESSION)
            return operation(_cps(access), access.memory)

        return await self.cps_reader(reader).run(run, retry_reset=False)

    async def pin_status(self, reader: str | None = None) -> PinStatus:
        """Tries left, asked of the card (no try spent)."""
        return await self.run_cps(lambda session: session.pin_status(), reader, changes_card=False)

    def _try_pin(self, access: CardAccess, pin: str, *, confirmed: bool) -> None:
        """One VERIFY with ``pin``, if the wait after a wrong code is over and, on the last
        try, if the caller confirmed it (worker thread)."""
        self.backoff.check(access.reader)
        session = _cps(access)
        require_confirmation(
            session.pin_status().tries_left, confirmed=confirmed, reader=access.reader
        )
        try:
            session.verify_pin(pin)
        except PinError as error:
            # A refused VERIFY leaves the card locked, whatever it was before.
            access.memory.forget_pin()
            if isinstance(error, PinInvalidError):
                self.backoff.failed(access.reader)
            raise
        self.backoff.succeeded(access.reader)
        access.memory.pin_verified = True

    async def verify_pin(
        self,
        pin: str,
        reader: str | None = None,
        *,
        caller: Caller = NATIVE,
        confirm_last_try: bool = False,
    ) -> None:
        """VERIFY once and open a PIN session for ``caller`` alone (another caller's
        session on that card ends); then the situations are read."""

        def verify(access: CardAccess) -> None:
            self._try_pin(access, pin, confirmed=confirm_last_try)
            if access.memory.pin_owner != caller.id:
                # Another caller's session ends: its signed VIHFs go with it.
                access.memory.end_pin_scope()
            access.memory.pin_owner = caller.id
            access.memory.pin_used_at = self._clock()
            self._read_practitioner(access)

        await self.cps_reader(reader).run(verify, retry_reset=False)

    def require_session(self, caller: Caller, reader: str | None = None) -> None:
        """Refuse (``pin_required``) a caller without an open PIN session on the CPS: the
        PIN verified by another caller, or a session idle too long, does not count. A
        session in use is kept open."""
        memory = self.cps_reader(reader).memory
        if not memory.pin_verified or memory.pin_owner != caller.id:
            raise PinRequiredError(say.NO_PIN_SESSION)
        now = self._clock()
        if now - memory.pin_used_at > self.pin_session_timeout:
            raise PinRequiredError(PIN_SESSION_IDLE)
        memory.pin_used_at = now

    async def end_session(self, caller: Caller, reader: str | None = None) -> bool:
        """End ``caller``'s PIN session on the CPS (the card is locked again); ``False``
        when it had none."""
        slot = self.cps_reader(reader)
        if slot.memory.pin_owner != caller.id:
            return False
        await slot.run(self._end_session_on, retry_reset=False)
        return True

    async def expire_idle_sessions(self) -> int:
        """End the PIN sessions left unused longer than the timeout; how many ended."""
        now = self._clock()
        ended = 0
        for slot in self.readers.slots():
            memory = slot.memory
            if memory.pin_owner is not None and now - memory.pin_used_at > self.pin_session_timeout:
                try:
                    await slot.run(self._end_session_on, retry_reset=False)
                except CardBridgeError:
                    continue  # the card left or pcscd is away: no session is left either
                ended += 1
        return ended

    @staticmethod
    def _end_session_on(access: CardAccess) -> None:
        _lock_card(access)

    async def change_pin(
        self, old: str, new: str, reader: str | None = None, *, confirm_last_try: bool = False
    ) -> None:
        """Change the PIN (a wrong ``old`` spends a try, so it is guarded like a VERIFY)."""

        def change(access: CardAccess) -> None:
            self.backoff.check(access.reader)
            session = _cps(access)
            require_confirmation(
                session.pin_status().tries_left, confirmed=confirm_last_try, reader=access.reader
            )
            try:
                session.change_pin(old, new)
            except PinInvalidError:
                access.memory.forget_pin()
                self.backoff.failed(access.reader)
                raise
            self.backoff.succeeded(access.reader)

        await self.cps_reader(reader).run(change, retry_reset=False)

    async def unblock_pin(
        self, puk: str, new_pin: str, reader: str | None = None, *, confirm: bool = False
    ) -> None:
        """Unblock the PIN with the PUK, setting ``new_pin``: every PUK try is confirmed
        and waits after a wrong one."""

        def unblock(access: CardAccess) -> None:
            require_puk_confirmation(confirmed=confirm, reader=access.reader)
            self.backoff.check(access.reader)
            try:
                _cps(access).unblock_pin(puk, new_pin)
            except PukInvalidError:
                self.backoff.failed(access.reader)
                raise
            self.backoff.succeeded(access.reader)

        await self.cps_reader(reader).run(unblock, retry_reset=False)

    # --- Authentication -----------------------------------------------------------

    async def sign_challenge(
        self,
        origin: str,
        nonce: str,
        *,
        pin: str,
        reader: str | None = None,
        confirm_last_try: bool = False,
    ) -> AuthToken:
        """A Web eID token for ``origin`` and ``nonce``, signed by the CPS after a VERIFY
        with ``pin`` (a login needs the PIN every time). Unless a PIN session is open on
        the card, the card is locked again right after signing."""

        def sign(access: CardAccess) -> AuthToken:
            self._try_pin(access, pin, confirmed=confirm_last_try)
            try:
                return sign_challenge(_cps(access), origin, nonce)
            finally:
                if access.memory.pin_owner is None:
                    _lock_card(access)

        return await self.cps_reader(reader).run(sign, retry_reset=False)

    # --- Vitale -------------------------------------------------------------------

    async def vitale(self, reader: str | None = None) -> Snapshot[VitaleCard]:
        """The Vitale card, its insured and beneficiaries."""
        if self.readers.backend.kind == "pkcs11":
            raise WrongCardTypeError(NO_APDU_MESSAGE)
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
