"""PIN commands: VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER, and GET DATA.

A PIN reference with bit 8 clear is global (kept by the MF); with bit 8 set it is
local to the current DF. Formats of PIN data are ours: ASCII digits, optionally
right-padded with ``FF`` (CHANGE REFERENCE DATA: two 8-byte padded blocks, or the old
and new PINs back to back).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cardbridge.emulator.engine.security import Pin, PinCheck
from cardbridge.emulator.engine.status import CardStatus, Reply, tries_left_sw
from cardbridge.layouts.cps import VERIFY_RESET_STATUS
from cardbridge.layouts.iasecc import GET_DATA_P1P2, TAG_DOCP, parse_status_query
from cardbridge.pcsc.apdu import SW, CommandApdu

if TYPE_CHECKING:
    from cardbridge.emulator.engine.card import IsoCard

LOCAL_REFERENCE = 0x80
PADDED_BLOCK = 8
RRC_PUK_AND_NEW_PIN = 0x00
RRC_PUK_ONLY = 0x01
CHANGE_OLD_AND_NEW = 0x00
CHANGE_NEW_ONLY = 0x01


def _pin(card: IsoCard, reference: int) -> Pin:
    holder = card.state.current_df if reference & LOCAL_REFERENCE else card.mf
    pin = holder.pins.get(reference & ~LOCAL_REFERENCE)
    if pin is None:
        raise CardStatus(SW.REFERENCE_NOT_FOUND)
    return pin


def _no_le(apdu: CommandApdu) -> None:
    if apdu.le is not None:
        raise CardStatus(SW.WRONG_LENGTH)


def _refuse(card: IsoCard, pin: Pin, outcome: PinCheck, tries: int) -> None:
    """Turn a failed check into its status word (never returns)."""
    card.state.verified.discard(pin)
    if outcome is PinCheck.BLOCKED:
        raise CardStatus(SW.AUTH_METHOD_BLOCKED)
    if outcome is PinCheck.BAD_FORMAT:
        raise CardStatus(SW.INCORRECT_DATA)
    raise CardStatus(tries_left_sw(tries))


def verify(card: IsoCard, apdu: CommandApdu) -> Reply:
    """VERIFY; without data it answers the PIN status without spending a try."""
    _no_le(apdu)
    if apdu.p1 == VERIFY_RESET_STATUS:
        if apdu.data:
            raise CardStatus(SW.WRONG_LENGTH)
        card.state.verified.discard(_pin(card, apdu.p2))
        return Reply()
    if apdu.p1:
        raise CardStatus(SW.INCORRECT_P1P2)
    pin = _pin(card, apdu.p2)
    if not apdu.data:
        if pin.blocked:
            raise CardStatus(SW.AUTH_METHOD_BLOCKED)
        if pin in card.state.verified:
            return Reply()
        raise CardStatus(tries_left_sw(pin.tries_left))
    outcome = pin.check(apdu.data)
    if outcome is not PinCheck.OK:
        _refuse(card, pin, outcome, pin.tries_left)
    card.state.verified.add(pin)
    return Reply()


def change_reference_data(card: IsoCard, apdu: CommandApdu) -> Reply:
    """CHANGE REFERENCE DATA: old and new PIN, or the new PIN once verified."""
    _no_le(apdu)
    pin = _pin(card, apdu.p2)
    if apdu.p1 == CHANGE_NEW_ONLY:
        if pin not in card.state.verified:
            raise CardStatus(SW.SECURITY_CONDITION_NOT_SATISFIED)
        old, new = None, apdu.data
    elif apdu.p1 == CHANGE_OLD_AND_NEW:
        split = PADDED_BLOCK if len(apdu.data) == 2 * PADDED_BLOCK else len(pin.value)
        old, new = apdu.data[:split], apdu.data[split:]
    else:
        raise CardStatus(SW.INCORRECT_P1P2)
    if not pin.well_formed(new):  # checked first: a malformed new PIN costs no try
        raise CardStatus(SW.INCORRECT_DATA)
    if old is not None:
        outcome = pin.check(old)
        if outcome is not PinCheck.OK:
            _refuse(card, pin, outcome, pin.tries_left)
    pin.change(new)
    card.state.verified.add(pin)
    return Reply()


def reset_retry_counter(card: IsoCard, apdu: CommandApdu) -> Reply:
    """RESET RETRY COUNTER with the PUK: unblock, and set a new PIN when one is given."""
    _no_le(apdu)
    if apdu.p1 not in (RRC_PUK_AND_NEW_PIN, RRC_PUK_ONLY):
        raise CardStatus(SW.INCORRECT_P1P2)
    pin = _pin(card, apdu.p2)
    if pin.puk is None:
        raise CardStatus(SW.REFERENCE_NOT_FOUND)
    puk, new = apdu.data[: len(pin.puk)], apdu.data[len(pin.puk) :]
    malformed = len(puk) < len(pin.puk) or (new and not pin.well_formed(new))
    if malformed or (apdu.p1 == RRC_PUK_ONLY) == bool(new):
        raise CardStatus(SW.INCORRECT_DATA)
    outcome = pin.check_puk(puk)
    if outcome is not PinCheck.OK:
        _refuse(card, pin, outcome, pin.puk_tries_left)
    if new:
        pin.change(new)
    else:
        pin.tries_left = pin.max_tries
    return Reply()


def get_data(card: IsoCard, apdu: CommandApdu) -> Reply:
    """GET DATA (even INS): no data object of that kind on these cards."""
    raise CardStatus(SW.REFERENCE_NOT_FOUND)


def get_security_object(card: IsoCard, apdu: CommandApdu) -> Reply:
    """GET DATA (odd INS) of a PIN's control parameters (tries), from the current DF."""
    if apdu.p1 << 8 | apdu.p2 != GET_DATA_P1P2:
        raise CardStatus(SW.INCORRECT_P1P2)
    tag, wanted = parse_status_query(apdu.data)
    if tag >> 8 != 0xBF81:
        raise CardStatus(SW.REFERENCE_NOT_FOUND)
    pin = card.state.current_df.pins.get(tag & 0x1F)
    if pin is None:
        raise CardStatus(SW.REFERENCE_NOT_FOUND)
    if not wanted or wanted[0] != TAG_DOCP:
        # PIN values themselves are never readable.
        raise CardStatus(SW.INCORRECT_DATA)
    return Reply(pin.status().to_bytes())
