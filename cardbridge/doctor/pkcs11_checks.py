"""The PKCS#11 module of ``card_backend = pkcs11``: does it load, and does it see a CPS?

Reported by ``cardbridge doctor`` only when the bridge is set to use a module (the
facts are gathered by loading it in the doctor's process, which ends soon after).
"""

from __future__ import annotations

from dataclasses import dataclass

from cardbridge.cards.pkcs11_backend import describe_module, slot_states
from cardbridge.doctor.report import Check, CheckResult
from cardbridge.errors import CardBridgeError
from cardbridge.messages import doctor as advice
from cardbridge.pcsc.atr import CardFamily
from cardbridge.pcsc.reader_interface import ReaderState

PKCS11_MODULE = Check("pkcs11_module", "PKCS#11 module")


@dataclass(frozen=True, slots=True)
class Pkcs11Facts:
    """The module named by the settings, as loading it showed."""

    module: str
    description: str | None = None  # the module's own (C_GetInfo), once loaded
    slots: tuple[ReaderState, ...] = ()
    error: str | None = None


def pkcs11_facts(module: str) -> Pkcs11Facts:
    """Load ``module`` and list its slots and tokens."""
    try:
        description = describe_module(module)
        slots = tuple(slot_states(module))
    except CardBridgeError as error:
        return Pkcs11Facts(module, error=error.message)
    return Pkcs11Facts(module, description, slots)


def check_pkcs11(facts: Pkcs11Facts) -> CheckResult:
    if facts.error is not None:
        return PKCS11_MODULE.error(facts.error, advice.INSTALL_MODULE)
    what = f"{facts.module} ({facts.description})"
    if not facts.slots:
        return PKCS11_MODULE.error(f"{what} shows no slot", advice.CONNECT_READER)
    cps = [state.name for state in facts.slots if state.card_type is CardFamily.CPS]
    count = "1 slot" if len(facts.slots) == 1 else f"{len(facts.slots)} slots"
    if not cps:
        return PKCS11_MODULE.warning(f"{what} loads, {count}, no CPS in them", advice.INSERT_CPS)
    return PKCS11_MODULE.ok(f"{what} loads, {count}; CPS in " + ", ".join(f"“{n}”" for n in cps))
