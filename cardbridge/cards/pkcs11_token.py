"""A CPS seen through a PKCS#11 module (the ANS Cryptolib, OpenSC's, or any other).

The thin layer over python-pkcs11 that :mod:`cardbridge.cards.cps_pkcs11` uses: find the
token (by the slot's description, i.e. the reader name), read certificates and data
objects by label, log in, sign with a key found by label. PKCS#11 errors become
cardbridge's typed errors. Tries left come from the token's flags, the only counter
PKCS#11 gives: ``USER_PIN_COUNT_LOW`` (a try was wasted), ``USER_PIN_FINAL_TRY``,
``USER_PIN_LOCKED`` (docs/cps-card.md, "The PKCS#11 road").
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import pkcs11
from pkcs11 import Attribute, Mechanism, ObjectClass, TokenFlag, UserType
from pkcs11 import exceptions as p11

from cardbridge.errors import (
    CardCommunicationError,
    CardDataError,
    CardError,
    CardRemovedError,
    ConfigError,
    PinBlockedError,
    PinError,
    PinFormatError,
    PinInvalidError,
    PinRequiredError,
    ReaderNotFoundError,
)
from cardbridge.messages import configuration
from cardbridge.messages import inputs as say

PIN_MAX_TRIES = 3
"""The CPS PIN's tries (a real CPS3's CHV 1; the Cryptolib assumes 3 for the CPS4)."""

MODULE_LOCK = threading.RLock()
"""Held around every PKCS#11 call of this process. python-pkcs11 initialises a module
with ``C_Initialize(NULL)``, which tells the module that no two threads call it at once
(PKCS#11 v2.40, 5.4): SoftHSM2 then takes no locks of its own and crashes when the slot
monitor and a reader's worker call it together."""

P = ParamSpec("P")
R = TypeVar("R")


def serialised(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` run while holding :data:`MODULE_LOCK`."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with MODULE_LOCK:
            return function(*args, **kwargs)

    return run


# What a module answers once the card left: its sessions are gone with it.
_REMOVED = (
    p11.TokenNotPresent,
    p11.DeviceRemoved,
    p11.SessionHandleInvalid,
    p11.SessionClosed,
    p11.TokenNotRecognised,
)


def token_call(method: Callable[P, R]) -> Callable[P, R]:
    """A :class:`Pkcs11Token` method run while holding :data:`MODULE_LOCK`, a removed
    card answered as ``card_removed`` and any other unexpected PKCS#11 failure as
    ``card_communication_error`` (the errors a method expects are mapped in it)."""

    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        reader = getattr(args[0], "reader", None)
        with MODULE_LOCK:
            try:
                return method(*args, **kwargs)
            except _REMOVED:
                raise CardRemovedError(reader=reader) from None
            except p11.PKCS11Error as error:
                raise CardCommunicationError(
                    say.PKCS11_FAILED.format(error=type(error).__name__),
                    reader=reader,
                ) from None

    return run


class Pkcs11Token:
    """The token in one slot of a PKCS#11 module, and one session to it."""

    @token_call
    def __init__(self, module: str, reader: str | None = None) -> None:
        try:
            library = pkcs11.lib(module)
        except (RuntimeError, OSError) as error:
            raise ConfigError(
                configuration.PKCS11_MODULE_NOT_LOADED.format(module=module, reason=error)
            ) from None
        slots = library.get_slots(token_present=True)
        if reader is not None:
            slots = [s for s in slots if s.slot_description.strip() == reader]
        if not slots:
            raise ReaderNotFoundError(say.PKCS11_NO_CARD, reader=reader)
        self.reader = slots[0].slot_description.strip()
        self._slot = slots[0]
        self._token = slots[0].get_token()
        self._session: Any = self._token.open()

    @token_call
    def close(self) -> None:
        self._session.close()

    @property
    def label(self) -> str:
        return str(self._token.label).strip()  # read when the token was found: no call

    @token_call
    def tries_left(self) -> int:
        """Tries left as the token's flags tell them (see the module docstring)."""
        flags = self._slot.get_token().flags  # asked again: the token's info is a snapshot
        if flags & TokenFlag.USER_PIN_LOCKED:
            return 0
        if flags & TokenFlag.USER_PIN_FINAL_TRY:
            return 1
        if flags & TokenFlag.USER_PIN_COUNT_LOW:
            return PIN_MAX_TRIES - 1
        return PIN_MAX_TRIES

    @token_call
    def login(self, pin: str) -> None:
        """C_Login as the user, once; the PIN errors say how many tries are left.

        Logged in already, the token is logged out first (C_Login would answer
        ``CKR_USER_ALREADY_LOGGED_IN``): the PIN is presented anew, as a VERIFY presents it
        to the card, and a wrong one leaves the token locked, as it leaves the card."""
        if self._session.user_type != UserType.NOBODY:
            self.logout()
        try:
            session = self._token.open(user_pin=pin)
        except (p11.PinIncorrect, p11.PinLocked, p11.PinLenRange, p11.PinInvalid) as error:
            raise self._pin_error(error) from None
        self._session.close()
        self._session = session

    def _pin_error(self, error: p11.PKCS11Error) -> PinError:
        """What a refused PIN means for the clinician: the tries left, blocked, or a PIN
        of the wrong shape."""
        if isinstance(error, p11.PinLocked):
            return PinBlockedError(reader=self.reader)
        if isinstance(error, p11.PinLenRange | p11.PinInvalid):
            return PinFormatError(reader=self.reader)
        left = self.tries_left()
        if not left:
            return PinBlockedError(reader=self.reader)
        return PinInvalidError(left, reader=self.reader)

    @token_call
    def logout(self) -> bool:
        """C_Logout (the session logged in is closed, a fresh one opened): nothing signs
        without the PIN again. ``False`` when the module refused."""
        try:
            session = self._token.open()
            self._session.close()  # python-pkcs11 calls C_Logout first when logged in
        except p11.PKCS11Error:
            return False
        self._session = session
        return True

    @token_call
    def set_pin(self, old: str, new: str) -> None:
        """C_SetPIN in a read-write session; a wrong ``old`` spends a try."""
        try:
            with self._token.open(rw=True) as session:
                session.set_pin(old, new)
        except (p11.PinIncorrect, p11.PinLocked, p11.PinLenRange, p11.PinInvalid) as error:
            raise self._pin_error(error) from None

    @token_call
    def value(self, kind: ObjectClass, label: str) -> bytes:
        """CKA_VALUE of the one object of ``kind`` labelled ``label``."""
        found = list(self._session.get_objects({Attribute.CLASS: kind, Attribute.LABEL: label}))
        if not found:
            if kind is ObjectClass.DATA and label.startswith("CPS_ACTIVITY_"):
                raise PinRequiredError(say.SITUATIONS_PROTECTED, reader=self.reader)
            raise CardDataError(f"The card has no {label}.", reader=self.reader)
        return bytes(found[0][Attribute.VALUE])

    @token_call
    def labels(self, kind: ObjectClass) -> list[str]:
        """Labels of the objects of ``kind`` this session sees."""
        return [str(o[Attribute.LABEL]) for o in self._session.get_objects({Attribute.CLASS: kind})]

    @token_call
    def sign(self, key_label: str, mechanism: Mechanism, data: bytes) -> bytes:
        """C_Sign with the private key labelled ``key_label``."""
        keys = list(
            self._session.get_objects(
                {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: key_label}
            )
        )
        if not keys:
            raise PinRequiredError(say.SIGNS_AFTER_PIN, reader=self.reader)
        try:
            return bytes(keys[0].sign(data, mechanism=mechanism))
        except p11.UserNotLoggedIn:
            raise PinRequiredError(say.SIGNS_AFTER_PIN, reader=self.reader) from None
        except (p11.FunctionNotSupported, p11.MechanismInvalid):
            raise CardError(
                f"The card's middleware cannot sign with {key_label} "
                f"({mechanism.name}): use the PC/SC backend for this card.",
                reader=self.reader,
            ) from None
