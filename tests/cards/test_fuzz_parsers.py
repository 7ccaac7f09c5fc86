"""Card data parsers and card sessions fed garbage: each refusal is one exact typed error
(the status word the card gave, or unreadable card data), whatever is read writes back to
the same bytes' meaning, and the commands sent stay well-formed APDUs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cardbridge.cards.cps import CpsSession
from cardbridge.cards.vitale import VitaleSession
from cardbridge.emulator.profiles import parse_profile
from cardbridge.errors import CardBridgeError, CardDataError, ProfileError, WrongCardTypeError
from cardbridge.layouts import cps, vitale
from cardbridge.messages import inputs
from cardbridge.pcsc.apdu import ApduError, CommandApdu
from cardbridge.pcsc.tlv import Tlv, TlvError
from testkit.decoders import DECODERS, check_decoding
from tests.support.fuzzing import examples

# Bytes that look like the real thing often enough to reach deep into the decoders.
tags = st.sampled_from(
    [
        0x5A,
        0x65,
        0x80,
        0x81,
        0x82,
        0x83,
        0x84,
        0x85,
        0x86,
        0x90,
        0x93,
        0xE1,
        0xE2,
        0xE3,
        0xEC,
        0xEE,
        0xA0,
        0x9A,
        0x9B,
        0x9D,
        0xBF8101,
    ]
)


@st.composite
def tlv_like(draw: st.DrawFn, depth: int = 2) -> bytes:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        tag = draw(tags)
        if depth and Tlv(tag).constructed:
            parts.append(Tlv(tag, draw(tlv_like(depth - 1))).to_bytes())
        else:
            parts.append(Tlv(tag, draw(st.binary(max_size=20))).to_bytes())
    data = b"".join(parts) + draw(st.binary(max_size=4))
    if draw(st.booleans()) and data:
        data = data[: draw(st.integers(0, len(data)))]
    return data


@pytest.mark.parametrize("index", range(len(DECODERS)))
@settings(max_examples=examples(150), deadline=None)
@given(data=st.one_of(st.binary(max_size=80), tlv_like()))
def test_decoders_refuse_with_card_data_errors_or_read_back(index: int, data: bytes) -> None:
    check_decoding(index, data)


class GarbageCard:
    """A connection whose card answers random bytes and status words."""

    def __init__(self, atr: bytes, answers: list[tuple[bytes, int]]) -> None:
        self.reader = "fuzz"
        self.atr = atr
        self._answers = iter(answers)

        self.sent: list[bytes] = []
        self.status_words = {sw for _, sw in answers} | {0x6F00}

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent.append(apdu)
        return next(self._answers, (b"", 0x6F00))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def close(self) -> None:
        pass

    def __enter__(self) -> GarbageCard:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass


answers = st.lists(
    st.tuples(
        st.one_of(st.binary(max_size=260), tlv_like()),
        st.sampled_from(
            [0x9000, 0x9000, 0x9000, 0x6282, 0x6A82, 0x6982, 0x63C1, 0x6110, 0x6C08, 0x6B00, 0x6F00]
        ),
    ),
    max_size=30,
)


def _refusal(operation: Callable[[], object]) -> CardBridgeError | None:
    try:
        operation()
    except CardBridgeError as error:
        return error
    return None


def _as_a_card_would(card: GarbageCard, operation: Callable[[], object]) -> None:
    """A refusal is the card's status word (one it answered, never 9000) or its data found
    unreadable; and every command sent on the way was a well-formed APDU."""
    refusal = _refusal(operation)
    if isinstance(refusal, WrongCardTypeError):
        # A chip serial that reads well but does not name the CPS issuer: not a CPS, which
        # is what the Cryptolib answers too (cards/cps.py, _confirm_issuer).
        assert card.atr == cps.ATR_CPS3
        assert refusal.text == inputs.NOT_ISSUED_BY_ANS
    elif refusal is not None:
        assert type(refusal) in (ApduError, CardDataError, TlvError), repr(refusal)
        if isinstance(refusal, ApduError):
            assert refusal.sw in card.status_words
            assert refusal.sw != 0x9000
    for apdu in card.sent:
        extended = len(apdu) > 5 and apdu[4] == 0
        assert CommandApdu.from_bytes(apdu).to_bytes(extended=extended) == apdu


@settings(max_examples=examples(200), deadline=None)
@given(answers=answers)
def test_cps_session_on_a_garbage_card(answers: list[tuple[bytes, int]]) -> None:
    card = GarbageCard(cps.ATR_CPS3, answers)
    session = CpsSession(card)  # type: ignore[arg-type]
    for operation in (
        lambda: session.read_practitioner(with_situations=True),
        session.pin_status,
        lambda: session.verify_pin("1234"),
        lambda: session.sign(b"x"),
        session.certificates,
    ):
        _as_a_card_would(card, operation)


@settings(max_examples=examples(200), deadline=None)
@given(answers=answers)
def test_vitale_session_on_a_garbage_card(answers: list[tuple[bytes, int]]) -> None:
    card = GarbageCard(vitale.ATR_VITALE2, answers)
    _as_a_card_would(card, VitaleSession(card).read)  # type: ignore[arg-type]


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)


@settings(max_examples=examples(300), deadline=None)
@given(
    data=st.one_of(
        yaml_values,
        st.fixed_dictionaries(
            {"kind": st.sampled_from(["cps", "vitale"])},
            optional={
                "serial": st.text(max_size=12),
                "pin": st.text(max_size=6),
                "holder": yaml_values,
                "situations": yaml_values,
                "insured": yaml_values,
                "beneficiaries": yaml_values,
            },
        ),
    )
)
def test_profiles_refuse_garbage_with_profile_errors(data: Any) -> None:
    with pytest.raises(ProfileError) as refused:
        parse_profile(yaml.safe_load(yaml.safe_dump(data)))
    assert type(refused.value) is ProfileError
    assert refused.value.code == "profile_invalid"
