"""Who is calling: the three kinds of caller the local API serves, each with its credential.

- **native**: the clinician's own software, with the local API token (``Authorization:
  Bearer``); it may send the PIN in a request body.
- **page**: the bridge's own status page (and its approval window), paired once through a
  one-time link and then carrying an ``HttpOnly``, ``SameSite=Strict`` cookie; it is the
  screen the bridge owns, where the clinician types the PIN.
- **origin**: a web application of a configured origin that the clinician approved on
  the status page; it never sees the PIN (it asks through the approval window).

A caller's ``id`` is what a PIN session belongs to, and what the access journal records.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CallerKind(StrEnum):
    NATIVE = "native"
    PAGE = "page"
    ORIGIN = "origin"


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller. ``origin``: the web origin of an ``origin`` caller, the
    bridge's own for the page; ``pairing``: which paired page (its pairing's id)."""

    kind: CallerKind
    origin: str | None = None
    pairing: str | None = None

    @property
    def id(self) -> str:
        """Stable for the caller: ``native``, ``page:<pairing>`` or ``origin:<origin>``."""
        if self.kind is CallerKind.NATIVE:
            return "native"
        if self.kind is CallerKind.PAGE:
            return f"page:{self.pairing}"
        return f"origin:{self.origin}"

    @property
    def label(self) -> str:
        """What the access journal records of the caller: ``native``, ``page``, or the
        web application's origin."""
        if self.kind is CallerKind.ORIGIN:
            assert self.origin is not None
            return self.origin
        return self.kind.value

    @property
    def may_type_pin(self) -> bool:
        """Native software and the bridge's own page may send a PIN; a web page never."""
        return self.kind is not CallerKind.ORIGIN


NATIVE = Caller(CallerKind.NATIVE)


def page(pairing: str, origin: str) -> Caller:
    """The status page of pairing ``pairing``, served at ``origin``."""
    return Caller(CallerKind.PAGE, origin=origin, pairing=pairing)


def web_origin(origin: str) -> Caller:
    """A web application of an approved ``origin``."""
    return Caller(CallerKind.ORIGIN, origin=origin)
