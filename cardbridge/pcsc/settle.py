"""Reading an ATR again while pcscd is still powering the card up.

pcscd can report a card's ATR before the card has finished answering to reset: padded to
the 33 bytes of its buffer, or cut short. Such an ATR is not the card's, so naming the
card from it would call a CPS ``unknown``. :func:`settled_state` asks pcscd again (the
same zero-timeout SCardGetStatusChange, a few times, a few milliseconds apart) until the
ATR is exactly what its ISO 7816-3 structure announces, the card is gone, or the bounded
wait is over (docs/atr.md). A card present without an ATR is read again the same way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from cardbridge.pcsc.atr import AtrShape, atr_shape, format_atr
from cardbridge.pcsc.scard_codes import ScardCode, StateFlag

log = logging.getLogger(__name__)

SETTLE_ATTEMPTS = 25
SETTLE_INTERVAL = 0.02
"""At most 0.5 s per card: a card answers to reset within ~40 000 clock cycles (ISO 7816-3),
and pcscd publishes the ATR right after."""


def settled_state(
    api: Any,
    context: int,
    name: str,
    event_state: int,
    atr: Sequence[int],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, list[int]]:
    """``(event_state, atr)`` of ``name`` once its ATR is complete, read again if needed.

    ``api`` is the scard module (or a stand-in). Returns the last state read: a reader
    that stays inconsistent after :data:`SETTLE_ATTEMPTS` keeps its ATR (and is named
    from it), with a warning.
    """
    state, current = event_state, list(atr)
    for _ in range(SETTLE_ATTEMPTS):
        if not state & StateFlag.PRESENT:
            return state, current
        # No ATR yet is read again too: pcscd says a card it failed to power up (pulled
        # while powering, or mute) is present without one, until its next poll.
        if current and atr_shape(bytes(current)) is AtrShape.COMPLETE:
            return state, current
        sleep(SETTLE_INTERVAL)
        code, answer = api.SCardGetStatusChange(context, 0, [(name, StateFlag.UNAWARE)])
        if code not in (ScardCode.S_SUCCESS, ScardCode.E_TIMEOUT) or not answer:
            return state, current
        _, state, current = answer[0]
        current = list(current)
    if state & StateFlag.PRESENT and current:
        shape = atr_shape(bytes(current))
        if shape is not AtrShape.COMPLETE:
            log.warning("%s: the card's ATR stays %s: %s", name, shape, format_atr(bytes(current)))
    elif state & StateFlag.PRESENT:
        log.warning("%s: the card does not answer to reset (no ATR)", name)
    return state, current
