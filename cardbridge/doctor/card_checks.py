"""Checks of what pcscd sees: readers, the cards in them, the CPS PIN counter."""

from __future__ import annotations

from cardbridge.doctor.pcsc_checks import PcscFacts
from cardbridge.doctor.pcsc_facts import CardProbe
from cardbridge.doctor.report import Check, CheckResult, Status
from cardbridge.errors import PinBlockedError
from cardbridge.messages import Text
from cardbridge.messages import doctor as advice
from cardbridge.pcsc.atr import CardFamily, format_atr, identify_atr
from cardbridge.pcsc.scard_codes import ScardCode
from cardbridge.workstation import UDEV_RULES

READERS = Check("readers", "readers present")
CARDS = Check("cards", "cards recognised")
CPS_PIN = Check("cps_pin", "CPS PIN")

READER_FIX = advice.READER.format(rules=UDEV_RULES)


def check_readers(facts: PcscFacts) -> CheckResult:
    if facts.probe.failure is not None:
        return READERS.skipped("pcscd cannot be reached")
    names = [state.name for state in facts.probe.readers]
    if not names:
        return READERS.error("pcscd sees no card reader", READER_FIX)
    count = "1 reader" if len(names) == 1 else f"{len(names)} readers"
    return READERS.ok(f"{count}: " + ", ".join(f"“{name}”" for name in names))


def check_cards(facts: PcscFacts) -> CheckResult:
    if facts.probe.failure is not None or not facts.probe.readers:
        return CARDS.skipped("no reader to look at")
    if not facts.probe.cards:
        return CARDS.warning("no card in any reader", advice.INSERT_CARD)
    found: list[str] = []
    fixes: list[Text] = []
    for card in facts.probe.cards:
        text, fix = _describe_card(card)
        found.append(text)
        if fix and fix not in fixes:
            fixes.append(fix)
    if fixes:
        return CARDS.warning("; ".join(found), _joined(fixes))
    return CARDS.ok("; ".join(found))


def _joined(fixes: list[Text]) -> Text:
    return Text(" ".join(fix.fr for fix in fixes), " ".join(fix.en for fix in fixes))


def _describe_card(card: CardProbe) -> tuple[str, Text | None]:
    """What to say about one card, and the fix when it is a problem."""
    where = f"“{card.reader}”"
    code = card.failure.code if card.failure else None
    if code == ScardCode.W_SECURITY_VIOLATION:
        return f"card in {where} not checked: access refused", None
    if code == ScardCode.E_SHARING_VIOLATION:
        return (
            f"the card in {where} is held exclusively by another program",
            advice.CLOSE_OTHER_PROGRAM,
        )
    if card.failure is not None or card.atr is None:
        return f"the card in {where} does not answer", advice.REINSERT_CARD
    model = identify_atr(card.atr)
    if model.family is CardFamily.UNKNOWN:
        return (
            f"unknown card in {where} (ATR {format_atr(card.atr)})",
            advice.UNKNOWN_CARD,
        )
    return f"{model.label} recognised in {where}", None


def check_pin(facts: PcscFacts) -> CheckResult:
    """The PIN counter of each CPS: a blocked PIN is an error, any spent try a warning.

    "PIN blocked without warning" usually means another program presented a wrong PIN
    (often a saved one) behind the clinician's back: a counter below its maximum while
    nobody typed a wrong PIN is the early sign.
    """
    found = [card for card in facts.probe.cards if card.pin or card.pin_error]
    if not found:
        return CPS_PIN.skipped("no CPS in a reader")
    notes: list[tuple[Status, str, Text | None]] = []
    for card in found:
        where = f"the CPS in “{card.reader}”"
        pin = card.pin
        if pin is None:
            notes.append(
                (
                    Status.WARNING,
                    f"the PIN counter of {where} could not be read: {card.pin_error}",
                    advice.REINSERT_CARD,
                )
            )
        elif pin.blocked:
            notes.append((Status.ERROR, f"blocked on {where}", PinBlockedError.default_text()))
        elif pin.tries_left < pin.max_tries:
            last = ": the next wrong PIN blocks the card" if pin.tries_left == 1 else ""
            notes.append(
                (
                    Status.WARNING,
                    f"{pin.tries_left} of {pin.max_tries} tries left on {where}{last}",
                    advice.CHECK_PIN_USERS,
                )
            )
        else:
            notes.append(
                (Status.OK, f"{pin.tries_left} of {pin.max_tries} tries left on {where}", None)
            )
    message = "; ".join(text for _, text, _ in notes)
    fixes = _joined(list(dict.fromkeys(fix for _, _, fix in notes if fix)))
    statuses = {status for status, _, _ in notes}
    if Status.ERROR in statuses:
        return CPS_PIN.error(message, fixes)
    if Status.WARNING in statuses:
        return CPS_PIN.warning(message, fixes)
    return CPS_PIN.ok(message)
