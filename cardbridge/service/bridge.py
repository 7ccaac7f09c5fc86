"""The running bridge: a backend, its readers, the card service, events and challenges,
and who may use them (paired pages, approved origins, pending approvals).

:meth:`Bridge.from_settings` is the one place the bridge is assembled from the settings:
the backend (:func:`~cardbridge.service.backends.choose_backend`, the command line's choice
too), the certificate authorities (with the emulator's test PKI when its readers are
served), the DMP setup (:meth:`~cardbridge.service.dmp_assembly.DmpSetup.from_settings`),
then the readers, card service, events and who may call. The HTTP app is given the bridge
(:func:`cardbridge.api.app.create_app`) and only mounts routes and middleware on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from cardbridge.auth.nonces import Challenges, MemoryNonceStore
from cardbridge.config import Settings
from cardbridge.emulator.pki import TestPki
from cardbridge.pcsc.reader_interface import ReaderBackend
from cardbridge.private_dir import secure_data_dir
from cardbridge.service.approvals import Approvals
from cardbridge.service.authorities import CertificateAuthorities
from cardbridge.service.backends import choose_backend
from cardbridge.service.cards import DEFAULT_PIN_SESSION_MINUTES, CardService
from cardbridge.service.dmp import DmpService
from cardbridge.service.dmp_assembly import DmpSetup
from cardbridge.service.events import EventBroadcaster
from cardbridge.service.origins import OriginApprovals
from cardbridge.service.pairing import Pairings
from cardbridge.service.reader_pool import ReaderPool

log = logging.getLogger(__name__)

# How often idle PIN sessions are looked for, at most (and a tenth of their timeout).
SESSION_SWEEP_PERIOD = 30.0


@dataclass
class Bridge:
    """Everything the API serves, started and closed with the app."""

    backend: ReaderBackend
    readers: ReaderPool
    cards: CardService
    events: EventBroadcaster
    challenges: Challenges
    authorities: CertificateAuthorities
    dmp: DmpService
    pairings: Pairings
    origins: OriginApprovals
    approvals: Approvals
    _sweeper: asyncio.Task[None] | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, backend: ReaderBackend | None = None) -> Bridge:
        """The bridge the settings describe, over ``backend`` (default: the one
        :func:`~cardbridge.service.backends.choose_backend` chooses).

        The data dir is made private first (:func:`~cardbridge.private_dir.secure_data_dir`),
        before the emulator's test PKI or the DMP journal are written there. Nothing is
        started: :meth:`start` does it (the app's lifespan calls it).
        """
        secure_data_dir(settings.data_dir)
        if backend is None:
            backend = choose_backend(settings).backend
        test_pki = TestPki.load_or_create(settings.data_dir) if backend.kind == "emulator" else None
        return cls.build(
            backend,
            CertificateAuthorities.from_settings(settings, test_pki=test_pki),
            DmpSetup.from_settings(settings),
            state_dir=settings.state_dir,
            allowed_origins=settings.allowed_origins,
            pin_session_minutes=settings.pin_session_minutes,
        )

    @classmethod
    def build(
        cls,
        backend: ReaderBackend,
        authorities: CertificateAuthorities,
        dmp: DmpSetup,
        *,
        state_dir: Path,
        allowed_origins: tuple[str, ...] | list[str] = (),
        pin_session_minutes: float = DEFAULT_PIN_SESSION_MINUTES,
    ) -> Bridge:
        """The bridge made of these parts (:meth:`from_settings` makes them from the
        settings): over ``backend``, reaching the DMP as ``dmp`` says; paired pages and
        approved origins are kept in ``state_dir``."""
        readers = ReaderPool(backend)
        cards = CardService(readers, authorities, pin_session_minutes=pin_session_minutes)
        return cls(
            backend=backend,
            readers=readers,
            cards=cards,
            events=EventBroadcaster(backend.events),
            challenges=Challenges(MemoryNonceStore()),
            authorities=authorities,
            dmp=DmpService(cards, dmp, backend),
            pairings=Pairings(state_dir),
            origins=OriginApprovals(allowed_origins, state_dir),
            approvals=Approvals(),
        )

    async def start(self) -> None:
        """Start the backend (off the loop: it may wait for pcscd's first report).

        The readers subscribe to the backend's events before the event streams do, so a
        client told ``card_removed`` never finds the departed card's data still cached.
        """
        await asyncio.to_thread(self.readers.start)
        self.events.start(asyncio.get_running_loop())
        self._sweeper = asyncio.create_task(self._end_idle_sessions())

    async def _end_idle_sessions(self) -> None:
        """Lock the cards whose PIN session was left unused too long, even when nobody
        calls: nothing must sign without the PIN."""
        period = min(SESSION_SWEEP_PERIOD, self.cards.pin_session_timeout / 10)
        while True:
            await asyncio.sleep(period)
            try:
                await self.cards.expire_idle_sessions()
            except Exception:
                log.exception("ending idle PIN sessions failed")

    def end_streams(self) -> None:
        """End the event streams, which would otherwise hold the server open."""
        self.events.close()

    async def close(self) -> None:
        """End the streams, close every card connection, stop the backend's monitor."""
        self.end_streams()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await asyncio.to_thread(self.readers.close)
