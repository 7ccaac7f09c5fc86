"""Fuzz targets: functions of one ``bytes`` input that feed it to a parser and fail
(raise anything but a typed cardbridge error, or an ``AssertionError``) only on a bug.

``python -m soak.atheris_fuzz`` runs them under atheris (coverage-guided, from the
seeds below); ``tests/soak/test_fuzz_targets.py`` runs them on Hypothesis inputs, so
they work in ``make test`` too. The card, PKI and token they need are made once, in a
temporary data dir.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from cardbridge.auth.origin import normalize_origin
from cardbridge.auth.signing import sign_challenge
from cardbridge.auth.trust import TrustStore
from cardbridge.auth.verifier import TokenVerifier
from cardbridge.cards.certificates import parse_practitioner_certificate
from cardbridge.cards.cps import CpsSession
from cardbridge.emulator.card import VirtualCard
from cardbridge.emulator.factory import build_card
from cardbridge.emulator.inprocess import EmulatedBackend
from cardbridge.emulator.keys import KeyPool
from cardbridge.emulator.pki import TestPki
from cardbridge.emulator.profiles import (
    PACKAGE,
    PROFILE_DIR,
    list_profiles,
    load_profile,
    parse_profile,
)
from cardbridge.errors import AuthError, CardBridgeError, CardDataError, ProfileError
from cardbridge.pcsc.apdu import CommandApdu, MalformedApduError, ResponseApdu
from cardbridge.pcsc.tlv import TlvError, parse_all
from testkit.apdu import VALID_COMMANDS, check_answer
from testkit.decoders import DECODERS, check_decoding

ORIGIN = "https://dmp.example.fr"
NONCE = "q5SY8vYzWmxmJXc8zbDjd1cYqXdUFEjHHjHkLnC9YHE="
PIN = "1234"
_READER = "fuzz"


@dataclass(frozen=True)
class FuzzTarget:
    """A fuzz target, and valid inputs for a fuzzer to start from (the same each time)."""

    name: str
    run: Callable[[bytes], None]
    seeds: Callable[[], list[bytes]]


# --- What the targets share, made at first use --------------------------------------


@cache
def _data_dir() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="cardbridge-fuzz-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


@cache
def _pki() -> TestPki:
    return TestPki.load_or_create(_data_dir())


@cache
def _keys() -> KeyPool:
    return KeyPool(2)


def _demo_cps() -> VirtualCard:
    card = build_card(load_profile("demo-cps"), data_dir=_data_dir(), keys=_keys())
    card.power_on()
    return card


@cache
def _fuzzed_card() -> VirtualCard:
    """The card that the APDU sequences go to (its state carries over, reset each time)."""
    return _demo_cps()


@contextlib.contextmanager
def _session() -> Iterator[CpsSession]:
    backend = EmulatedBackend([_READER])
    backend.insert(_READER, _demo_cps())
    with backend.connect(_READER) as connection:
        yield CpsSession(connection)


@cache
def _valid_token() -> bytes:
    with _session() as session:
        token = sign_challenge(session, ORIGIN, NONCE, pin=PIN)
    return json.dumps(token.to_json()).encode()


@cache
def _verifier() -> TokenVerifier:
    pki = _pki()
    return TokenVerifier(TrustStore.from_pem(pki.trust_anchors_pem(), pki.intermediates_pem()))


@cache
def _certificates() -> tuple[bytes, bytes]:
    with _session() as session:
        certificates = session.certificates()
    return certificates.authentication, certificates.signature


# --- The targets ---------------------------------------------------------------------


def tlv(data: bytes) -> None:
    """BER-TLV: objects or ``TlvError``, never a value longer than the input."""
    with contextlib.suppress(TlvError):
        for item in parse_all(data, padding=True):
            assert len(item.value) <= len(data)


def apdu(data: bytes) -> None:
    """APDUs parse, and commands encode back to the same command, or are malformed."""
    with contextlib.suppress(MalformedApduError):
        command = CommandApdu.from_bytes(data)
        assert CommandApdu.from_bytes(command.to_bytes()) == command
    with contextlib.suppress(MalformedApduError):
        response = ResponseApdu.from_bytes(data)
        assert response.to_bytes() == data


def card_data(data: bytes) -> None:
    """The CPS, Vitale and IAS-ECC file decoders (the first byte picks one): a refusal is
    ``CardDataError`` (or ``TlvError``), and what is read writes back to the same."""
    if not data:
        return
    check_decoding(data[0] % len(DECODERS), data[1:])


def _refusal(run: Callable[[], object], kind: type[CardBridgeError]) -> CardBridgeError | None:
    try:
        run()
    except kind as error:
        return error
    return None


def certificate(data: bytes) -> None:
    """A CPS certificate (DER): the practitioner it names, or exactly ``CardDataError``."""
    refusal = _refusal(lambda: parse_practitioner_certificate(data), CardDataError)
    if refusal is None:
        holder = parse_practitioner_certificate(data).holder
        assert holder.national_id is None or holder.national_id.encode() in data
    else:
        assert type(refusal) is CardDataError, repr(refusal)


def token(data: bytes) -> None:
    """A Web eID token through the whole verification: one typed ``AuthError`` (never the
    base class), or the genuine token's signer, certificate and signature."""
    refusal = _refusal(lambda: _verifier().verify(data, NONCE, ORIGIN), AuthError)
    if refusal is not None:
        assert type(refusal) is not AuthError, repr(refusal)
        return
    accepted, genuine = json.loads(data), json.loads(_valid_token())
    for signed in ("algorithm", "signature", "unverifiedCertificate"):
        assert accepted[signed] == genuine[signed]


def origin(data: bytes) -> None:
    """Origins: refused, or normalised to a text that normalises to itself."""
    text = data.decode("utf-8", errors="replace")
    with contextlib.suppress(AuthError):
        normal = normalize_origin(text)
        assert normalize_origin(normal) == normal


def profile(data: bytes) -> None:
    """Emulator profiles (YAML): a profile, or an error naming the field."""
    try:
        document = yaml.safe_load(data)
    except yaml.YAMLError:
        return
    refusal = _refusal(lambda: parse_profile(document), ProfileError)
    if refusal is not None:
        assert type(refusal) is ProfileError, repr(refusal)


def card_commands(data: bytes) -> None:
    """APDU sequences (each one prefixed by its length) to the emulated CPS, from a
    reset: every answer well-formed."""
    card = _fuzzed_card()
    card.reset()
    position = 0
    while position < len(data):
        length = data[position]
        check_answer(card, data[position + 1 : position + 1 + length])
        position += 1 + length


def _profile_file(name: str) -> bytes:
    return resources.files(PACKAGE).joinpath(PROFILE_DIR, f"{name}.yaml").read_bytes()


def _commands(*commands: str) -> bytes:
    raw = [bytes.fromhex(command) for command in commands]
    return b"".join(bytes((len(command),)) + command for command in raw)


TARGETS: dict[str, FuzzTarget] = {
    target.name: target
    for target in (
        FuzzTarget(
            "tlv", tlv, lambda: [bytes.fromhex("6F 0A 84 03 A0 00 01 A5 03 80 01 02 00 00")]
        ),
        FuzzTarget("apdu", apdu, lambda: [bytes.fromhex(c) for c in VALID_COMMANDS]),
        FuzzTarget("card-data", card_data, lambda: [bytes((i,)) for i in range(len(DECODERS))]),
        FuzzTarget("certificate", certificate, lambda: list(_certificates())),
        FuzzTarget("token", token, lambda: [_valid_token()]),
        FuzzTarget(
            "origin",
            origin,
            lambda: [b"https://dmp.example.fr", b"http://[::1]:8470", b"https://xn--dmp-ea.fr"],
        ),
        FuzzTarget(
            "profile",
            profile,
            lambda: [_profile_file(name) for name in list_profiles()],
        ),
        FuzzTarget(
            "card-commands",
            card_commands,
            lambda: [_commands(*VALID_COMMANDS[:5]), _commands(*VALID_COMMANDS)],
        ),
    )
}
