"""Facts about the smart-card service, gathered from the system for the checks.

Each function asks the system one thing and returns a frozen value; the checks
(:mod:`cardbridge.doctor.pcsc_checks`) only interpret those values, so that tests
can give them any situation without a pcscd.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cardbridge.cards.cps import CpsSession
from cardbridge.cards.models import PinStatus
from cardbridge.errors import CardBridgeError, PcscError
from cardbridge.pcsc.atr import CardFamily, identify_atr
from cardbridge.pcsc.connection import Connection
from cardbridge.pcsc.reader_interface import ReaderState

DEFAULT_SOCKET = Path("/run/pcscd/pcscd.comm")
# pcsc-lite's client library looks here for another socket path; honour it the same way.
SOCKET_VARIABLE = "PCSCLITE_CSOCK_NAME"
# A normal user's PATH often lacks the sbin directories, where pcscd lives.
_SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")
_COMMAND_TIMEOUT = 5.0
# What `systemctl is-active` prints for a unit systemd knows; anything else means "no answer".
_UNIT_STATES = frozenset(
    {"active", "inactive", "failed", "activating", "deactivating", "reloading", "maintenance"}
)


@dataclass(frozen=True, slots=True)
class PcscdBinary:
    """The installed pcscd and what ``pcscd --version`` says about it."""

    path: Path
    version: str | None
    polkit: bool

    @property
    def major(self) -> int | None:
        if self.version is None:
            return None
        head = self.version.split(".", 1)[0]
        return int(head) if head.isdigit() else None


@dataclass(frozen=True, slots=True)
class SocketFacts:
    """pcscd's socket file as this user sees it."""

    path: Path
    exists: bool
    accessible: bool  # this user may connect (read and write)
    mode: int | None = None


@dataclass(frozen=True, slots=True)
class PcscFailure:
    """A failed PC/SC call: the return code when known, and cardbridge's message."""

    code: int | None
    message: str

    @classmethod
    def of(cls, error: PcscError) -> PcscFailure:
        return cls(error.scard_code, error.message)


@dataclass(frozen=True, slots=True)
class CardProbe:
    """A card that was present, whether connecting to it (shared) failed, and for a CPS
    its PIN counter or why it could not be read."""

    reader: str
    atr: bytes | None
    failure: PcscFailure | None = None
    pin: PinStatus | None = None
    pin_error: str | None = None


@dataclass(frozen=True, slots=True)
class PcscProbe:
    """What talking to pcscd gave: a failure, or the readers and their cards."""

    failure: PcscFailure | None
    readers: tuple[ReaderState, ...] = ()
    cards: tuple[CardProbe, ...] = ()


class Readers(Protocol):
    """The part of a reader backend the probe uses."""

    def list_readers(self) -> list[ReaderState]: ...

    def connect(self, reader: str) -> Connection: ...


def find_pcscd(search_path: str | None = None) -> PcscdBinary | None:
    """pcscd on PATH or in the sbin directories, with its version; None when absent."""
    path = search_path if search_path is not None else os.environ.get("PATH", "")
    found = shutil.which("pcscd", path=os.pathsep.join([path, *_SBIN]))
    if found is None:
        return None
    try:
        output = subprocess.run(
            [found, "--version"],
            capture_output=True,
            text=True,
            timeout=_COMMAND_TIMEOUT,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        output = ""
    return parse_pcscd_version(Path(found), output)


def parse_pcscd_version(path: Path, output: str) -> PcscdBinary:
    """Read ``pcscd --version``: ``pcsc-lite version 2.0.3.`` and ``Enabled features: …``."""
    version = re.search(r"pcsc-lite version (\d+(?:\.\d+)*)", output)
    features = re.search(r"^Enabled features:(.*)$", output, re.MULTILINE)
    return PcscdBinary(
        path,
        version.group(1) if version else None,
        polkit=bool(features and "polkit" in features.group(1).split()),
    )


def pcscd_pids(proc: Path = Path("/proc")) -> tuple[int, ...]:
    """Processes named pcscd that this user can see (``hidepid`` may hide them)."""
    pids = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "pcscd":
                pids.append(int(entry.name))
        except OSError:  # the process ended, or is not ours to look at
            continue
    return tuple(sorted(pids))


def socket_unit_state(unit: str = "pcscd.socket") -> str | None:
    """``active``, ``inactive``… for a system unit; None without a systemd to ask."""
    systemctl = shutil.which("systemctl")
    if systemctl is None:
        return None
    try:
        answer = subprocess.run(
            [systemctl, "is-active", unit],
            capture_output=True,
            text=True,
            timeout=_COMMAND_TIMEOUT,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return answer if answer in _UNIT_STATES else None


def socket_path() -> Path:
    """Where the PC/SC client library connects to pcscd."""
    return Path(os.environ.get(SOCKET_VARIABLE) or DEFAULT_SOCKET)


def socket_facts(path: Path) -> SocketFacts:
    """Whether ``path`` exists and this user may connect to it."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return SocketFacts(path, exists=False, accessible=False)
    accessible = stat.S_ISSOCK(mode) and os.access(path, os.R_OK | os.W_OK)
    return SocketFacts(path, exists=True, accessible=accessible, mode=stat.S_IMODE(mode))


def probe_pcsc(readers: Readers) -> PcscProbe:
    """List the readers, then connect to each card (shared, left as found) and disconnect.

    Connecting is what pcsc-lite 2 submits to polkit's ``access_card``, and what fails
    when another program holds the card exclusively: listing alone would not tell. A
    CPS also gives its PIN counter, read without spending a try, as ``GET /v1/cps/pin``.
    """
    try:
        states = tuple(readers.list_readers())
    except PcscError as error:
        return PcscProbe(PcscFailure.of(error))
    cards = []
    for state in states:
        if not state.card_present:
            continue
        try:
            with readers.connect(state.name) as connection:
                pin, pin_error = _pin_counter(connection)
        except PcscError as error:
            cards.append(CardProbe(state.name, state.atr, PcscFailure.of(error)))
            continue
        cards.append(CardProbe(state.name, state.atr, None, pin, pin_error))
    return PcscProbe(None, states, tuple(cards))


def _pin_counter(connection: Connection) -> tuple[PinStatus | None, str | None]:
    """The PIN counter of a CPS in contact mode; nothing for other cards."""
    model = identify_atr(connection.atr)
    if model.family is not CardFamily.CPS or model.contactless:
        return None, None
    try:
        return CpsSession(connection).pin_status(), None
    except CardBridgeError as error:
        return None, error.message
