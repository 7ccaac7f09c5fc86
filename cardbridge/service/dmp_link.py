"""The DMP as one PIN session reaches it: the transport (whose connection the card
authenticated, kept alive), the VIHFs the card signed, and the patients' DMPs opened.

A :class:`DmpLink` lives in the card's memory for as long as the PIN session
(:meth:`~cardbridge.service.memory.CardMemory.pin_scoped`): it is closed, and its signed
VIHFs forgotten, when the session ends, another caller verifies the PIN or the card
leaves. Everything here runs on the CPS reader's worker, where the card may sign.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cardbridge.cards.cps_card import CpsCard
from cardbridge.cards.models import Situation
from cardbridge.dmp.access import AccessMode
from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.results import PatientCandidate
from cardbridge.dmp.transport import Transport
from cardbridge.dmp.vihf_cache import VihfCache
from cardbridge.dmp.workflow import VihfSigner


class DmpConnector(Protocol):
    """How the bridge reaches the DMP: made once from the settings
    (:mod:`cardbridge.service.dmp_assembly`)."""

    def connect(self, card: CpsCard) -> Transport:
        """A transport to the DMP for this card's PIN session (direct mode: its TLS
        client is the card's authentication key, which signs the handshake)."""
        ...

    def vihf_signer(self, card: CpsCard) -> VihfSigner:
        """Who signs the VIHFs: the CPS signature key in direct mode, the structure's
        SIGN key in indirect mode."""
        ...

    def situation(self, chosen: Situation) -> Situation:
        """The practice situation the VIHF and the documents state: the card's ``chosen``
        one in direct mode, the structure's in indirect mode."""
        ...

    @property
    def direct(self) -> bool:
        """Direct mode: the practitioner's card authenticates the TLS connection."""
        ...


@dataclass(frozen=True, slots=True)
class OpenedAccess:
    """A patient's DMP opened in this PIN session: how, and what the DMP answered."""

    situation: int
    ins: InsReference
    mode: AccessMode
    reason: str | None
    opened_at: datetime
    # A secret access (a minor's DMP): the document transactions' VIHFs say so too.
    secret: bool = False


class DmpLink:
    """The DMP connection, signed VIHFs and opened DMPs of one PIN session."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.vihfs = VihfCache()
        self._opened: dict[tuple[str, str], OpenedAccess] = {}
        # The candidates of the DMP searches (TD0.5), by INS: their traits head a deposit.
        self._candidates: dict[str, PatientCandidate] = {}
        self._lock = threading.Lock()

    def opened(self, caller: str, ins: InsReference) -> OpenedAccess | None:
        """The access ``caller`` opened to the DMP of ``ins`` in this session, if any."""
        with self._lock:
            return self._opened.get((caller, ins.cx))

    def remember(self, caller: str, access: OpenedAccess) -> None:
        with self._lock:
            self._opened[(caller, access.ins.cx)] = access

    def remember_candidates(self, candidates: list[PatientCandidate]) -> None:
        with self._lock:
            self._candidates.update((candidate.ins, candidate) for candidate in candidates)

    def candidate(self, ins: str) -> PatientCandidate | None:
        """The DMP search's candidate of this INS in this PIN session, if any."""
        with self._lock:
            return self._candidates.get(ins)

    def close(self) -> None:
        """End the DMP connection (the PIN session ended or the card left)."""
        with self._lock:
            self._opened.clear()
            self._candidates.clear()
        self.vihfs.clear()
        close: Callable[[], None] | None = getattr(self.transport, "close", None)
        if close is not None:
            close()
