"""The running bridge: a backend, its readers, the card service, events and challenges."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from cardbridge.auth.nonces import Challenges, MemoryNonceStore
from cardbridge.dmp.workflow import DmpWorkflow
from cardbridge.pcsc.readers import ReaderBackend
from cardbridge.service.authorities import CertificateAuthorities
from cardbridge.service.cards import CardService
from cardbridge.service.dmp import DmpService
from cardbridge.service.events import EventBroadcaster
from cardbridge.service.readers import ReaderPool


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

    @classmethod
    def build(
        cls, backend: ReaderBackend, authorities: CertificateAuthorities, workflow: DmpWorkflow
    ) -> Bridge:
        readers = ReaderPool(backend)
        cards = CardService(readers, authorities)
        return cls(
            backend=backend,
            readers=readers,
            cards=cards,
            events=EventBroadcaster(backend.events),
            challenges=Challenges(MemoryNonceStore()),
            authorities=authorities,
            dmp=DmpService(cards, workflow, backend),
        )

    async def start(self) -> None:
        """Start the backend (off the loop: it may wait for pcscd's first report).

        The readers subscribe to the backend's events before the event streams do, so a
        client told ``card_removed`` never finds the departed card's data still cached.
        """
        await asyncio.to_thread(self.readers.start)
        self.events.start(asyncio.get_running_loop())

    def end_streams(self) -> None:
        """End the event streams, which would otherwise hold the server open."""
        self.events.close()

    async def close(self) -> None:
        """End the streams, close every card connection, stop the backend's monitor."""
        self.end_streams()
        await asyncio.to_thread(self.readers.close)
