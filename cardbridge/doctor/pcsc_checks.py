"""Checks of the smart-card service: pcscd installed, running, reachable, allowing this user.

Every function reads :class:`PcscFacts` and returns one result. How pcscd failed is
decided once, in :func:`reachability`, from the PC/SC return code and the system facts:

- ``SCARD_E_NO_SERVICE``: the client library could not connect to the socket (missing,
  not ours to open, or nobody listening);
- ``SCARD_F_COMM_ERROR`` while pcscd runs: pcscd closed the connection before answering.
  pcsc-lite 2 does exactly that when polkit refuses ``access_pcsc`` (its log says
  "Rejected unauthorized PC/SC client"); older versions do it on a protocol mismatch;
- ``SCARD_W_SECURITY_VIOLATION`` from SCardConnect: polkit refused ``access_card``
  (pcsc-lite 2.0.1 and later).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto

from cardbridge.doctor.pcsc_facts import (
    DEFAULT_SOCKET,
    SOCKET_VARIABLE,
    PcscdBinary,
    PcscProbe,
    SocketFacts,
)
from cardbridge.doctor.report import Check, CheckResult
from cardbridge.messages import Text
from cardbridge.messages import doctor as advice
from cardbridge.pcsc.scard_codes import ScardCode
from cardbridge.workstation import PCSC_GROUP, POLKIT_RULE

PCSCD_INSTALLED = Check("pcscd_installed", "pcscd installed")
PCSCD_RUNNING = Check("pcscd_running", "pcscd running")
PCSCD_REACHABLE = Check("pcscd_reachable", "pcscd reachable")
PCSC_ACCESS = Check("pcsc_access", "smart-card access")
# First PC/SC major version that asks polkit (when built with it).
POLKIT_MAJOR = 2


def polkit_fix(user: str) -> Text:
    """What lets ``user`` through polkit: the group and the rule shipped with cardbridge."""
    return advice.POLKIT.format(group=PCSC_GROUP, user=user, rule=POLKIT_RULE)


@dataclass(frozen=True, slots=True)
class PcscFacts:
    """Everything the smart-card checks look at."""

    user: str
    binary: PcscdBinary | None
    pids: tuple[int, ...]  # gathered after the probe, which may have started pcscd
    socket_unit: str | None  # state of pcscd.socket; None without systemd
    socket: SocketFacts
    probe: PcscProbe

    @property
    def polkit_capable(self) -> bool:
        major = self.binary.major if self.binary else None
        return bool(self.binary and (self.binary.polkit or (major or 0) >= POLKIT_MAJOR))


class Reach(Enum):
    """How far a PC/SC client got with pcscd."""

    ANSWERED = auto()
    NOT_RUNNING = auto()
    NO_SOCKET = auto()  # pcscd runs, its socket is gone
    SOCKET_DENIED = auto()
    POLKIT_DENIED = auto()
    CLOSED = auto()  # pcscd closed the connection, not polkit
    UNANSWERED = auto()
    FAILED = auto()  # another PC/SC error


_NO_SERVICE = frozenset({ScardCode.E_NO_SERVICE, ScardCode.E_SERVICE_STOPPED})


def reachability(facts: PcscFacts) -> Reach:
    """The one reading of the probe's failure that the checks below share."""
    failure = facts.probe.failure
    if failure is None:
        return Reach.ANSWERED
    running = bool(facts.pids) or facts.socket_unit == "active"
    if failure.code == ScardCode.F_COMM_ERROR:
        if not facts.pids:
            return Reach.NOT_RUNNING if facts.socket_unit != "active" else Reach.CLOSED
        return Reach.POLKIT_DENIED if facts.polkit_capable else Reach.CLOSED
    if failure.code not in _NO_SERVICE:
        return Reach.FAILED
    if not facts.socket.exists:
        return Reach.NO_SOCKET if running else Reach.NOT_RUNNING
    if not facts.socket.accessible:
        return Reach.SOCKET_DENIED
    return Reach.UNANSWERED if running else Reach.NOT_RUNNING


def check_installed(facts: PcscFacts) -> CheckResult:
    binary = facts.binary
    if binary is None:
        return PCSCD_INSTALLED.error(
            "pcscd, the smart-card service, is not installed", advice.INSTALL_PCSCD
        )
    version = f"pcsc-lite {binary.version}" if binary.version else "version unknown"
    polkit = ", asks polkit" if binary.polkit else ""
    return PCSCD_INSTALLED.ok(f"{version}{polkit} ({binary.path})")


def check_running(facts: PcscFacts) -> CheckResult:
    if facts.binary is None:
        return PCSCD_RUNNING.skipped("pcscd is not installed")
    if facts.pids:
        return PCSCD_RUNNING.ok(f"pid {', '.join(map(str, facts.pids))}")
    if facts.probe.failure is None:
        return PCSCD_RUNNING.ok("it answers (its process is hidden from this user)")
    if facts.socket_unit == "active":
        return PCSCD_RUNNING.error(
            "pcscd.socket is active but pcscd did not start or stopped at once",
            advice.RESTART_PCSCD,
        )
    unit = f"; pcscd.socket is {facts.socket_unit}" if facts.socket_unit else ""
    return PCSCD_RUNNING.error(f"pcscd is not running{unit}", advice.START_PCSCD)


def check_reachable(facts: PcscFacts) -> CheckResult:
    path = facts.socket.path
    reach = reachability(facts)
    if facts.binary is None:
        return PCSCD_REACHABLE.skipped("pcscd is not installed")
    if reach is Reach.NOT_RUNNING:
        return PCSCD_REACHABLE.skipped("pcscd is not running")
    if reach is Reach.SOCKET_DENIED:
        return PCSCD_REACHABLE.skipped("this user may not open its socket (see below)")
    if reach in (Reach.ANSWERED, Reach.POLKIT_DENIED):
        return PCSCD_REACHABLE.ok(f"pcscd listens on {path}")
    if reach is Reach.NO_SOCKET and path != DEFAULT_SOCKET:
        return PCSCD_REACHABLE.error(
            f"{SOCKET_VARIABLE} sends PC/SC programs to {path}, which does not exist",
            advice.UNSET_SOCKET_VARIABLE.format(variable=SOCKET_VARIABLE, socket=DEFAULT_SOCKET),
        )
    failure = facts.probe.failure
    detail = failure.message if failure else ""
    message = {
        Reach.NO_SOCKET: f"pcscd runs but its socket {path} does not exist",
        Reach.CLOSED: f"pcscd closed the connection on {path} without answering",
        Reach.UNANSWERED: f"nothing answers on pcscd's socket {path}",
    }.get(reach, f"pcscd answered with an error: {detail}")
    return PCSCD_REACHABLE.error(message, advice.RESTART_PCSCD)


def check_access(facts: PcscFacts) -> CheckResult:
    reach = reachability(facts)
    user = facts.user
    if reach is Reach.SOCKET_DENIED:
        mode = f" (mode {facts.socket.mode:04o})" if facts.socket.mode is not None else ""
        return PCSC_ACCESS.error(
            f"{user} may not open pcscd's socket {facts.socket.path}{mode}",
            advice.SOCKET_FOR_EVERYONE,
        )
    if reach is Reach.POLKIT_DENIED:
        version = facts.binary.version if facts.binary and facts.binary.version else "2"
        return PCSC_ACCESS.error(
            f"pcscd refused {user}: polkit does not allow it (pcsc-lite {version} asks "
            "polkit about every program, and by default allows the active local session only)",
            polkit_fix(user),
        )
    if reach is not Reach.ANSWERED:
        return PCSC_ACCESS.skipped("pcscd cannot be reached")
    refused = [
        card.reader
        for card in facts.probe.cards
        if card.failure and card.failure.code == ScardCode.W_SECURITY_VIOLATION
    ]
    if refused:
        readers = ", ".join(f"“{name}”" for name in refused)
        return PCSC_ACCESS.error(
            f"polkit refuses {user} access to the card in {readers}", polkit_fix(user)
        )
    how = " (polkit allows it)" if facts.polkit_capable else ""
    return PCSC_ACCESS.ok(f"{user} may use the smart-card service{how}")
