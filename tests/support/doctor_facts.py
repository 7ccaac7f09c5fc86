"""Facts of a healthy workstation and of a stopped pcscd, for the doctor's tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from cardbridge.cards.models import PinStatus
from cardbridge.config import Settings
from cardbridge.doctor.bridge_facts import Health, PortFacts
from cardbridge.doctor.local_checks import LocalFacts
from cardbridge.doctor.local_facts import Anchor, ConfigFacts, DirFacts, TokenFacts, TrustFacts
from cardbridge.doctor.pcsc_checks import PcscFacts
from cardbridge.doctor.pcsc_facts import (
    DEFAULT_SOCKET,
    CardProbe,
    PcscdBinary,
    PcscFailure,
    PcscProbe,
    SocketFacts,
)
from cardbridge.doctor.unit_facts import UserUnit
from cardbridge.pcsc.reader_interface import ReaderState
from cardbridge.pcsc.scard_codes import ScardCode

CPS3 = bytes.fromhex("3BAC00402A001225006480000310009000")
VITALE2 = bytes.fromhex("3B 75 13 00 00 43 09 EA 90 00")
UNKNOWN_ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
PCSCD_2 = PcscdBinary(Path("/usr/sbin/pcscd"), "2.0.3", polkit=True)
PCSCD_1 = PcscdBinary(Path("/usr/sbin/pcscd"), "1.9.9", polkit=False)
HEALTHY_PCSC = PcscFacts(
    user="drmartin",
    binary=PCSCD_2,
    pids=(812,),
    socket_unit="active",
    socket=SocketFacts(DEFAULT_SOCKET, exists=True, accessible=True, mode=0o666),
    probe=PcscProbe(
        None,
        (ReaderState("Reader A", True, CPS3), ReaderState("Reader B", False)),
        (CardProbe("Reader A", CPS3, pin=PinStatus(tries_left=3, max_tries=3, blocked=False)),),
    ),
)


def failed(code: ScardCode | None) -> PcscProbe:
    return PcscProbe(PcscFailure(code, "The smart-card service (pcscd) is not running"))


STOPPED_PCSC = replace(
    HEALTHY_PCSC,
    pids=(),
    socket_unit=None,
    socket=SocketFacts(DEFAULT_SOCKET, exists=False, accessible=False),
    probe=failed(ScardCode.E_NO_SERVICE),
)

NOW = datetime(2026, 1, 15, tzinfo=UTC)
HOME = Path("/home/drmartin")
CONFIG_FILE = HOME / ".config/cardbridge/config.toml"
TOKEN = HOME / ".config/cardbridge/api-token"
DATA = HOME / ".local/share/cardbridge"
ANCHORS = (
    Anchor("cardbridge TEST root", datetime(2055, 1, 1, tzinfo=UTC)),
    Anchor("cardbridge TEST issuing CA", datetime(2045, 1, 1, tzinfo=UTC)),
)
HEALTHY_LOCAL = LocalFacts(
    user="drmartin",
    uid=1000,
    now=NOW,
    config=ConfigFacts(CONFIG_FILE, True, Settings.model_construct(), None, ("CARDBRIDGE_PORT",)),
    data_dir=DirFacts(DATA, exists=True, writable=True),
    token=TokenFacts(TOKEN, configured=False, exists=True, mode=0o600, owner_uid=1000),
    trust=TrustFacts(DATA / "emulator-pki", exists=True, anchors=ANCHORS),
    port=PortFacts("127.0.0.1", 8470, listening=True, health=Health("0.1.0", "pcsc", "up")),
    unit=UserUnit("loaded", "active", "enabled"),
)
