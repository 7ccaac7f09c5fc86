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
from cardbridge.layouts.iasecc import (
    GET_DATA_P1P2,
    SDO_CLASS_PIN,
    SDO_CLASS_PRIVATE_KEY,
    TAG_DOCP,
    TAG_DOCP_SIZE,
    TAG_PIN_DATA,
    TAG_PRIVATE_KEY_DATA,
    TAG_TRIES_LEFT,
    TAG_TRIES_MAX,
    TAG_USAGE,
    acls_object,
    parse_status_query,
    sdo_answer,
)
from cardbridge.pcsc.apdu import SHORT_MAX_LE, SW, CommandApdu
from cardbridge.pcsc.tlv import Tlv

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


def _puk_holder(card: IsoCard, reference: int) -> Pin | None:
    """The PIN whose PUK answers under ``reference`` (global references only)."""
    if reference & LOCAL_REFERENCE:
        return None
    return next((p for p in card.mf.pins.values() if p.puk_reference == reference), None)


def _no_le(apdu: CommandApdu) -> None:
    # Under T=0 a case 1 command travels with P3 = 00 (ISO 7816-3 §12.2.2), which
    # reads as "Le = 256" without data: OpenSC sends the PIN status query so.
    if apdu.le is not None and (apdu.data or apdu.le != SHORT_MAX_LE):
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
    owner = _puk_holder(card, apdu.p2)
    if owner is not None:
        return _verify_puk(card, owner, apdu.data)
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


def _verify_puk(card: IsoCard, owner: Pin, data: bytes) -> Reply:
    """VERIFY of a PUK: its status without data, else a check that counts (nothing unlocked)."""
    if not data:
        if owner.puk_tries_left == 0:
            raise CardStatus(SW.AUTH_METHOD_BLOCKED)
        raise CardStatus(tries_left_sw(owner.puk_tries_left))
    outcome = owner.check_puk(data)
    if outcome is PinCheck.BLOCKED:
        raise CardStatus(SW.AUTH_METHOD_BLOCKED)
    if outcome is not PinCheck.OK:
        raise CardStatus(tries_left_sw(owner.puk_tries_left))
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
    """GET DATA (odd INS) of a security object of the current DF: a PIN's or PUK's
    control parameters (tries) or public data (lengths), a private key's control
    parameters (size, access rules). Secrets themselves are never readable.
    """
    if apdu.p1 << 8 | apdu.p2 != GET_DATA_P1P2:
        raise CardStatus(SW.INCORRECT_P1P2)
    tag, wanted = parse_status_query(apdu.data)
    kind, reference = (tag >> 8) & 0xFF, tag & 0xFF
    wanted_tag = int.from_bytes(wanted[:2], "big") if wanted[:1] == b"\x7f" else wanted[:1]
    if kind == SDO_CLASS_PIN:
        return _pin_object(card, tag, reference, wanted_tag)
    if kind == SDO_CLASS_PRIVATE_KEY:
        key = card.state.current_df.keys.get(LOCAL_REFERENCE | reference)
        if key is None:
            raise CardStatus(SW.REFERENCE_NOT_FOUND)
        if wanted_tag == TAG_PRIVATE_KEY_DATA:
            raise CardStatus(SW.INCORRECT_P1P2)  # a private key has no public data
        if wanted_tag != bytes((TAG_DOCP,)) or key.acl is None:
            raise CardStatus(SW.INCORRECT_DATA)
        size = Tlv(TAG_DOCP_SIZE, key.modulus_size.to_bytes(2, "big"))
        return Reply(sdo_answer(tag, [Tlv.of(TAG_DOCP, [size, acls_object(key.acl)])]))
    raise CardStatus(SW.REFERENCE_NOT_FOUND)


def _pin_object(card: IsoCard, tag: int, reference: int, wanted: int | bytes) -> Reply:
    df = card.state.current_df
    pin = df.pins.get(reference & 0x1F)
    owner = next((p for p in df.pins.values() if p.puk_reference == reference), None)
    if pin is None and owner is None:
        raise CardStatus(SW.REFERENCE_NOT_FOUND)
    if wanted == TAG_PIN_DATA:
        if pin is None:
            raise CardStatus(SW.INCORRECT_P1P2)
        lengths = [Tlv(0x80, bytes((pin.max_length,))), Tlv(0x81, bytes((pin.min_length,)))]
        return Reply(sdo_answer(tag, [Tlv.of(TAG_PIN_DATA, lengths)]))
    if wanted != bytes((TAG_DOCP,)):
        raise CardStatus(SW.INCORRECT_DATA)  # PIN values themselves are never readable
    if pin is not None:
        if pin.acl is None:
            return Reply(pin.status().to_bytes())
        counters = [_byte(TAG_TRIES_MAX, pin.max_tries), _byte(TAG_TRIES_LEFT, pin.tries_left)]
        return Reply(sdo_answer(tag, [Tlv.of(TAG_DOCP, [*counters, acls_object(pin.acl)])]))
    assert owner is not None
    docp = [_byte(TAG_TRIES_MAX, owner.puk_max_tries), _byte(TAG_TRIES_LEFT, owner.puk_tries_left)]
    if owner.puk_usage is not None:
        docp.append(Tlv(TAG_USAGE, owner.puk_usage.to_bytes(2, "big")))
    if owner.puk_acl is not None:
        docp.append(acls_object(owner.puk_acl))
    return Reply(sdo_answer(tag, [Tlv.of(TAG_DOCP, docp)]))


def _byte(tag: int, value: int) -> Tlv:
    return Tlv(tag, bytes((value,)))
