"""One DMP transaction through the bridge: on the CPS reader's worker, with the PIN
session's :class:`~cardbridge.service.dmp_link.DmpLink` (its transport and its signed
VIHFs), a VIHF for who asks, about whom and how.

A VIHF is signed by the card once per (practitioner, situation, patient, mode, reason,
caller) and reused, unchanged, for the transactions it covers until shortly before its
validity ends: the card signs once per patient's DMP opened, not once per call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from cardbridge.cards.cps_card import CpsCard
from cardbridge.cards.models import Practitioner, Situation
from cardbridge.dmp.access import AccessMode, normal_reason
from cardbridge.dmp.patients import InsReference
from cardbridge.dmp.transport import Transport
from cardbridge.dmp.vihf_cache import SignedVihf, VihfKey
from cardbridge.dmp.workflow import DmpWorkflow, chosen_situation
from cardbridge.service.callers import Caller
from cardbridge.service.cards import CardService
from cardbridge.service.dmp_link import DmpConnector, DmpLink
from cardbridge.service.memory import CardMemory

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DmpCall:
    """Who calls the DMP, about whom and how: what the VIHF states."""

    caller: Caller
    situation: int
    ins: InsReference | None
    mode: AccessMode = AccessMode.NORMAL
    reason: str | None = None
    secret: bool = False


@dataclass(frozen=True, slots=True)
class OnCard:
    """What a transaction gets on the CPS worker: the transport, the signed VIHF, the
    card, the practitioner in the chosen practice situation (a deposit's author), and the
    link (to remember an opened DMP)."""

    transport: Transport
    signed: SignedVihf
    card: CpsCard
    practitioner: Practitioner
    situation: Situation
    link: DmpLink
    # The VIHF was signed earlier and reused (the card did not sign it for this call).
    reused: bool = False

    @property
    def vihf(self) -> bytes:
        """The signed VIHF, as the transport sends it."""
        return self.signed.xml


class DmpCalls:
    """Runs transactions as :class:`DmpCall` says, on the CPS worker."""

    def __init__(self, cards: CardService, workflow: DmpWorkflow, connector: DmpConnector) -> None:
        self.cards = cards
        self.workflow = workflow
        self.connector = connector

    def link(self, reader: str | None = None) -> DmpLink | None:
        """The DMP link of the CPS's PIN session, if a transaction made one."""
        return self.cards.cps_reader(reader).memory.find_pin_scoped(DmpLink)

    async def run(
        self,
        call: DmpCall,
        transaction: Callable[[OnCard], T],
        reader: str | None = None,
    ) -> T:
        """Run ``transaction`` with the VIHF of ``call`` (signed now, or reused)."""
        practitioner = (await self.cards.practitioner(reader)).model

        def on_card(card: CpsCard, memory: CardMemory) -> T:
            link = memory.pin_scoped(DmpLink, lambda: DmpLink(self.connector.connect(card)))
            situation = self.connector.situation(chosen_situation(practitioner, call.situation))
            signed, reused = self._vihf(link, card, practitioner, situation, call)
            return transaction(
                OnCard(link.transport, signed, card, practitioner, situation, link, reused)
            )

        return await self.cards.run_in_pin_session(on_card, call.caller, reader)

    def _vihf(
        self,
        link: DmpLink,
        card: CpsCard,
        practitioner: Practitioner,
        situation: Situation,
        call: DmpCall,
    ) -> tuple[SignedVihf, bool]:
        """The VIHF of ``call``, and whether it was reused rather than signed now."""
        key = VihfKey(
            patient_cx=call.ins.cx if call.ins is not None else None,
            mode=call.mode,
            reason=normal_reason(call.mode, call.reason),
            secret=call.secret,
            caller=call.caller.id,
            practitioner=practitioner.national_id,
            situation=call.situation,
        )
        now = datetime.now(UTC)
        signed = link.vihfs.get(key, now, card=card)
        if signed is not None:
            return signed, True
        signer = self.connector.vihf_signer(card)
        mode = "DIRECTE" if self.connector.direct else "INDIRECTE"
        signed = self.workflow.sign_vihf(
            signer, practitioner, situation, key, now, authentication_mode=mode
        )
        link.vihfs.put(key, signed, now, card=card)
        return signed, False
