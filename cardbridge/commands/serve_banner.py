"""What ``cardbridge serve`` prints when it starts: what a first run needs to know.

Which readers it serves (and why), the demo cards' PIN when they are emulated, where the
status page and its one-time pairing link are, which DMP it talks to (the offline DMP's
addresses with ``dmp_endpoint = sandbox``), and where native software finds the token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cardbridge.errors import CardBridgeError

if TYPE_CHECKING:
    from cardbridge.config import Settings
    from cardbridge.service.backends import BackendChoice


def banner_lines(
    settings: Settings, choice: BackendChoice, address: str, pairing_link: str
) -> list[str]:
    """The lines of the start banner, in the order printed."""
    from cardbridge import __version__
    from cardbridge.config import api_token_path

    lines = [f"cardbridge {__version__} serves {choice.reason}."]
    lines += _readers(choice)
    lines += [
        f"Status page: {address}/   API documentation: {address}/docs",
        "Pair your browser with the status page (follow once, within 10 minutes; later, "
        f"`cardbridge open` does it): {pairing_link}",
        _dmp(settings),
    ]
    token_source = "CARDBRIDGE_API_TOKEN" if settings.api_token else str(api_token_path())
    lines.append(f"Native clients send the API token of {token_source}. Ctrl-C stops.")
    return lines


def _readers(choice: BackendChoice) -> list[str]:
    try:
        readers = choice.backend.list_readers()
    except CardBridgeError:
        return []  # pcscd away: the reason already says the bridge waits for it
    if not readers:
        return ["No reader is connected yet: the status page shows readers as they come."]
    lines = ["Readers:", *(f"  - {_reader(state.name, state.card_type)}" for state in readers)]
    if choice.backend.kind == "emulator":
        from cardbridge.emulator.profiles import CpsProfile, load_profile

        cps = load_profile("demo-cps")
        if isinstance(cps, CpsProfile):
            lines.append(
                f"The demo cards are emulated: the demo CPS's PIN is {cps.pin} "
                "(test cards: no real practitioner, no real patient)."
            )
    return lines


_CARDS = {
    "cps": "a CPS card",
    "vitale": "a Vitale card",
    "unknown": "a card that is no CPS nor Vitale",
}


def _reader(name: str, card: str | None) -> str:
    return f"{name}: {_CARDS.get(card, card) if card is not None else 'no card'}"


def _dmp(settings: Settings) -> str:
    from cardbridge.dmp.endpoints import patient_pages_url, resolve_endpoint

    endpoint = resolve_endpoint(settings.dmp_endpoint)
    if not endpoint.is_sandbox:
        return f"DMP: {endpoint.name} ({endpoint.base_url})."
    pages = patient_pages_url(settings.dmp_patient_pages, settings.dmp_endpoint)
    return (
        f"DMP: the offline DMP at {endpoint.base_url} (started by `make run`, or "
        f"`cardbridge dmp-sandbox`); its patient pages: {pages}/"
    )
