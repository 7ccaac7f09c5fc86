"""What ``cardbridge serve`` prints when it starts: what a first run needs to know.

Which readers it serves (and why), the demo cards' PIN when they are emulated, where the
status page and its one-time pairing link are, which DMP it talks to (the offline DMP's
addresses with ``dmp_endpoint = sandbox``), and where native software finds the token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cardbridge.errors import CardBridgeError
from cardbridge.messages import Text
from cardbridge.messages import cli as texts
from cardbridge.messages.cli import say

if TYPE_CHECKING:
    from cardbridge.config import Settings
    from cardbridge.service.backends import BackendChoice


def banner_lines(
    settings: Settings, choice: BackendChoice, address: str, pairing_link: str
) -> list[str]:
    """The lines of the start banner, in the order printed, in the environment's language
    (``LANG``…, as every command)."""
    from cardbridge import __version__
    from cardbridge.config_sources import api_token_path

    lines = [say(texts.SERVES, version=__version__, reason=choice.reason)]
    lines += _readers(choice)
    lines += [
        say(texts.STATUS_PAGE, address=address),
        say(texts.PAIR_BROWSER, link=pairing_link),
        _dmp(settings),
    ]
    token_source = "CARDBRIDGE_API_TOKEN" if settings.api_token else str(api_token_path())
    lines.append(say(texts.NATIVE_TOKEN, source=token_source))
    return lines


def _readers(choice: BackendChoice) -> list[str]:
    try:
        readers = choice.backend.list_readers()
    except CardBridgeError:
        return []  # pcscd away: the reason already says the bridge waits for it
    if not readers:
        return [say(texts.NO_READER_YET)]
    lines = [
        say(texts.READERS),
        *(f"  - {say(_reader(state.name, state.card_type))}" for state in readers),
    ]
    if choice.backend.kind == "emulator":
        from cardbridge.emulator.profiles import CpsProfile, load_profile

        cps = load_profile("demo-cps")
        if isinstance(cps, CpsProfile):
            lines.append(say(texts.DEMO_PIN, pin=cps.pin))
    return lines


_CARDS = {"cps": texts.CARD_CPS, "vitale": texts.CARD_VITALE, "unknown": texts.CARD_UNKNOWN}


def _reader(name: str, card: str | None) -> Text:
    said = texts.NO_CARD if card is None else _CARDS.get(card, texts.CARD_OTHER.format(card=card))
    return texts.READER_CARD.format(reader=name, card=said)


def _dmp(settings: Settings) -> str:
    from cardbridge.dmp.endpoints import patient_pages_url, resolve_endpoint

    endpoint = resolve_endpoint(settings.dmp_endpoint)
    if not endpoint.is_sandbox:
        return say(texts.DMP_ENDPOINT, name=endpoint.name, url=endpoint.base_url)
    pages = patient_pages_url(settings.dmp_patient_pages, settings.dmp_endpoint)
    return say(texts.DMP_OFFLINE, url=endpoint.base_url, pages=pages)
