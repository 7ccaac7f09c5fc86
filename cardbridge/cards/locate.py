"""Finding the reader that holds the card an operation needs: one rule for the command
line (readers asked now) and the server (the monitor's snapshot)."""

from __future__ import annotations

from collections.abc import Sequence

from cardbridge.errors import CardAbsentError, ReaderNotFoundError, WrongCardTypeError
from cardbridge.messages import inputs as say
from cardbridge.pcsc.atr import CardFamily
from cardbridge.pcsc.reader_interface import ReaderBackend, ReaderState

_CARD_NAMES = {CardFamily.CPS: "CPS", CardFamily.VITALE: "Vitale"}


def choose_reader(
    readers: Sequence[ReaderState], family: CardFamily, reader: str | None = None
) -> ReaderState:
    """The reader holding a card of ``family``: ``reader`` if named (it must hold one),
    else a reader whose card the ATR recognised, else one with an unrecognised card (its
    session will tell). Raise what tells the clinician what to do."""
    what = _CARD_NAMES.get(family, "")
    if reader is not None:
        state = next((s for s in readers if s.name == reader), None)
        if state is None:
            known = ", ".join(f"“{r.name}”" for r in readers)
            raise ReaderNotFoundError(
                say.NO_SUCH_READER.format(reader=reader, known=known or say.NO_READERS)
            )
        if not state.card_present:
            raise CardAbsentError(say.NO_CARD_IN_READER.format(what=what), reader=reader)
        # A card with no readable ATR is not refused here: talking to it tells.
        if state.card_type not in (family, CardFamily.UNKNOWN, None):
            raise WrongCardTypeError(say.NOT_THIS_CARD.format(what=what), reader=reader)
        return state
    if not readers:
        raise ReaderNotFoundError
    for wanted in (family, CardFamily.UNKNOWN):
        for state in readers:
            if state.card_type is wanted:
                return state
    raise CardAbsentError(say.NO_CARD_ANYWHERE.format(what=what))


def find_reader(
    backend: ReaderBackend, family: CardFamily, reader: str | None = None
) -> ReaderState:
    """:func:`choose_reader` over the readers the backend reports now."""
    return choose_reader(backend.list_readers(), family, reader)
