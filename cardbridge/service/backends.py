"""Which readers to serve: pcscd's, a PKCS#11 module's slots, or the built-in emulated
ones, and why. The one choice of the server and of the command line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cardbridge.config_sources import any_setting_given
from cardbridge.errors import PcscError
from cardbridge.messages import Text
from cardbridge.messages import cli as texts
from cardbridge.pcsc.backend import PcscBackend
from cardbridge.pcsc.reader_interface import ReaderBackend

if TYPE_CHECKING:
    from cardbridge.config import Settings
    from cardbridge.emulator.keys import KeySource

# The emulated readers and the PKCS#11 backend are imported only when chosen: the command
# line lists pcscd's readers without loading the emulator, its PKI or python-pkcs11.


@dataclass(frozen=True)
class BackendChoice:
    """The backend to serve and the words that tell the user which one and why (in both
    languages: the start banner says them in the environment's)."""

    backend: ReaderBackend
    reason: Text


def choose_backend(settings: Settings, *, keys: KeySource | None = None) -> BackendChoice:
    """PC/SC, unless the emulated readers or the PKCS#11 module are asked for, or the
    emulated readers are chosen as fallback.

    ``settings.emulator`` forces the emulated readers; ``card_backend = pkcs11`` serves
    the slots of ``pkcs11_module`` (the module must load); ``settings.emulator_fallback``
    (set by ``make run``) serves the emulated readers when pcscd is absent or no reader
    holds a card at start. Otherwise PC/SC is served even while pcscd is away: the
    monitor waits for it. ``keys`` makes the emulated cards' keys (fresh RSA keys by
    default).
    """
    if settings.emulator:
        return BackendChoice(_demo(settings, keys), texts.SERVES_EMULATED)
    if settings.card_backend == "pkcs11":
        from cardbridge.cards.pkcs11_backend import Pkcs11Backend, describe_module, slot_states

        module = str(settings.pkcs11_module)
        described = describe_module(module)  # ConfigError now, not at the first request
        slots = slot_states(module)
        return BackendChoice(
            Pkcs11Backend(module),
            texts.SERVES_PKCS11.format(module=module, described=described, slots=len(slots)),
        )
    pcsc = PcscBackend(busy_timeout=settings.card_busy_timeout)
    try:
        readers = pcsc.list_readers()
    except PcscError:
        if settings.emulator_fallback:
            return BackendChoice(_demo(settings, keys), texts.SERVES_EMULATED_NO_PCSCD)
        return BackendChoice(pcsc, texts.SERVES_PCSC_WAITING)
    if settings.emulator_fallback and not any(state.card_present for state in readers):
        return BackendChoice(_demo(settings, keys), texts.SERVES_EMULATED_NO_CARD)
    return BackendChoice(pcsc, texts.SERVES_PCSC.format(readers=len(readers)))


def _demo(settings: Settings, keys: KeySource | None) -> ReaderBackend:
    from cardbridge.emulator.inprocess import demo_backend
    from cardbridge.emulator.keys import generate_key

    return demo_backend(data_dir=settings.data_dir, keys=keys or generate_key)


# The settings that decide which backend choose_backend chooses; the others it reads
# (card_busy_timeout, data_dir, pkcs11_module) only configure the one chosen.
CHOOSING_SETTINGS = ("emulator", "card_backend", "emulator_fallback")


def listing_backend() -> ReaderBackend:
    """The backend whose readers ``cardbridge readers`` lists: :func:`choose_backend`'s.

    When none of :data:`CHOOSING_SETTINGS` is given, that choice is PC/SC, whatever the
    other settings say: the command then lists pcscd's readers without loading the
    settings (pydantic alone would triple its time). Otherwise it loads them, and
    reports an invalid configuration as every other command does.
    """
    if not any_setting_given(CHOOSING_SETTINGS):
        return PcscBackend()
    from cardbridge.config import load_settings

    return choose_backend(load_settings()).backend
