"""Finding the reader that holds the card a command needs."""

from __future__ import annotations

from cardbridge.errors import CardAbsentError, ReaderNotFoundError, WrongCardTypeError
from cardbridge.pcsc.atr import CardFamily
from cardbridge.pcsc.readers import ReaderBackend, ReaderState

_CARD_NAMES = {CardFamily.CPS: "CPS card", CardFamily.VITALE: "Vitale card"}


def find_reader(
    backend: ReaderBackend, family: CardFamily, reader: str | None = None
) -> ReaderState:
    """The reader holding a card of ``family``: ``reader`` if given (it must hold one),
    else the first such reader by name. Raise what tells the clinician what to do."""
    readers = backend.list_readers()
    card = _CARD_NAMES.get(family, "card")
    if reader is not None:
        state = next((r for r in readers if r.name == reader), None)
        if state is None:
            known = ", ".join(r.name for r in readers) or "none"
            raise ReaderNotFoundError(f"No reader named {reader!r}. Readers: {known}.")
        if not state.card_present:
            raise CardAbsentError(f"Insert the {card} in the reader {reader!r}.", reader=reader)
        if state.card_type is not family:
            raise WrongCardTypeError(
                f"The card in {reader!r} is not a {card}: insert the {card} there.", reader=reader
            )
        return state
    if not readers:
        raise ReaderNotFoundError
    for state in readers:
        if state.card_present and state.card_type is family:
            return state
    raise CardAbsentError(f"Insert the {card} in a reader.")
