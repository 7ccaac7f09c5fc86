"""Checks of cardbridge itself: configuration, files, trust anchors, API port, user service.

The checks that need valid settings (which data dir, which port) are skipped when the
configuration is invalid: they would look at the defaults, not at what the bridge uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cardbridge.doctor.bridge_facts import PortFacts
from cardbridge.doctor.local_facts import ConfigFacts, DirFacts, TokenFacts, TrustFacts
from cardbridge.doctor.pkcs11_checks import Pkcs11Facts
from cardbridge.doctor.report import Check, CheckResult
from cardbridge.doctor.unit_facts import UserUnit
from cardbridge.messages import doctor as advice

CONFIG = Check("config", "configuration")
DATA_DIR = Check("data_dir", "data directory")
API_TOKEN = Check("api_token", "API token file")
TRUST_ANCHORS = Check("trust_anchors", "trust anchors")
API_PORT = Check("api_port", "API port")
SERVICE = Check("service", "cardbridge service")

INVALID_CONFIG = "the configuration is invalid (see above)"
EXPORT_TRUST = "cardbridge emulator --export-trust ~/cardbridge-test-root.pem"


@dataclass(frozen=True, slots=True)
class LocalFacts:
    """Everything the checks of this module look at; None where the config is invalid."""

    user: str
    uid: int
    now: datetime
    config: ConfigFacts
    data_dir: DirFacts | None
    token: TokenFacts | None
    trust: TrustFacts | None
    port: PortFacts | None
    unit: UserUnit | None
    pkcs11: Pkcs11Facts | None = None  # with card_backend = pkcs11 only


def check_config(facts: LocalFacts) -> CheckResult:
    config = facts.config
    if config.error is not None:
        return CONFIG.error(
            config.error,
            advice.CORRECT_CONFIG.format(path=config.path),
        )
    where = str(config.path) if config.file_exists else f"no config file ({config.path})"
    variables = f"; from the environment: {', '.join(config.variables)}" if config.variables else ""
    if config.settings is not None and config.settings.emulator:
        # The checks above concern PC/SC, which the bridge then does not use at all.
        return CONFIG.warning(
            f"valid, {where}{variables}; but emulator is on: the bridge serves the built-in "
            "demo cards, not the readers",
            advice.EMULATOR_ON,
        )
    return CONFIG.ok(f"valid, {where}{variables}")


def check_data_dir(facts: LocalFacts) -> CheckResult:
    data = facts.data_dir
    if data is None:
        return DATA_DIR.skipped(INVALID_CONFIG)
    if data.writable:
        return DATA_DIR.ok(f"{data.path} " + ("is writable" if data.exists else "will be created"))
    return DATA_DIR.error(
        f"{data.path} is not writable: {data.reason}",
        advice.DATA_DIR.format(user=facts.user, path=data.path),
    )


def check_token(facts: LocalFacts) -> CheckResult:
    token = facts.token
    if token is None:
        return API_TOKEN.skipped(INVALID_CONFIG)
    if token.configured:
        return API_TOKEN.ok("set by CARDBRIDGE_API_TOKEN or api_token in the config file")
    path = token.path
    if not token.exists:
        return API_TOKEN.ok(f"{path} will be created at first start, mode 0600")
    if not token.regular:
        return API_TOKEN.error(f"{path} is not a file", advice.TOKEN_NOT_A_FILE)
    if token.owner_uid != facts.uid:
        return API_TOKEN.error(
            f"{path} belongs to another user (uid {token.owner_uid})",
            advice.TOKEN_OWNER.format(user=facts.user, path=path),
        )
    mode = token.mode or 0
    if mode & 0o077:
        return API_TOKEN.error(
            f"{path} can be read by other users (mode {mode:04o}): they could call the API "
            f"as {facts.user}",
            advice.TOKEN_MODE.format(path=path),
        )
    return API_TOKEN.ok(f"{path}, mode {mode:04o}")


def check_trust(facts: LocalFacts) -> CheckResult:
    trust = facts.trust
    if trust is None:
        return TRUST_ANCHORS.skipped(INVALID_CONFIG)
    if trust.configured:
        return _check_configured_trust(trust, facts.now)
    recreate = advice.RECREATE_TEST_PKI.format(directory=trust.directory)
    if trust.error is not None:
        return TRUST_ANCHORS.error(trust.error, recreate)
    if not trust.exists:
        return TRUST_ANCHORS.warning(
            f"no trust anchors yet: the emulator's test PKI ({trust.directory}) does not exist",
            advice.CREATE_TEST_PKI.format(command=EXPORT_TRUST),
        )
    expired = [anchor for anchor in trust.anchors if anchor.not_after < facts.now]
    if expired:
        names = ", ".join(f"“{a.name}” on {a.not_after:%Y-%m-%d}" for a in expired)
        return TRUST_ANCHORS.error(f"expired: {names}", recreate)
    valid = ", ".join(f"“{a.name}” until {a.not_after:%Y-%m-%d}" for a in trust.anchors)
    return TRUST_ANCHORS.ok(f"emulator test PKI (emulated cards only): {valid}")


def _check_configured_trust(trust: TrustFacts, now: datetime) -> CheckResult:
    files = ", ".join(str(path) for path in trust.configured)
    replace_them = advice.CHECK_TRUST_ANCHORS.format(files=files)
    if trust.error is not None:
        return TRUST_ANCHORS.error(trust.error, replace_them)
    expired = [anchor for anchor in trust.anchors if anchor.not_after < now]
    if expired:
        names = ", ".join(f"“{a.name}” on {a.not_after:%Y-%m-%d}" for a in expired)
        return TRUST_ANCHORS.error(f"expired: {names}", advice.DOWNLOAD_CAS)
    valid = ", ".join(f"“{a.name}” until {a.not_after:%Y-%m-%d}" for a in trust.anchors)
    return TRUST_ANCHORS.ok(f"configured: {valid}")


def check_port(facts: LocalFacts, version: str) -> CheckResult:
    port = facts.port
    if port is None:
        return API_PORT.skipped(INVALID_CONFIG)
    address = f"{port.host}:{port.port}"
    if not port.listening:
        return API_PORT.ok(f"{address} is free for cardbridge")
    health = port.health
    if health is not None:
        if health.version != version:
            return API_PORT.warning(
                f"cardbridge {health.version} is serving on {address}; this is {version}",
                advice.RESTART_NEW_VERSION,
            )
        return API_PORT.ok(
            f"cardbridge already serving on {address} (backend {health.backend}, "
            f"pcscd {health.pcsc})"
        )
    owner = f" ({port.owner})" if port.owner else ""
    return API_PORT.error(
        f"port {port.port} is used by another program{owner}: {port.answer}",
        advice.PORT_TAKEN.format(path=facts.config.path),
    )


def check_service(facts: LocalFacts) -> CheckResult:
    unit = facts.unit
    if unit is None:
        return SERVICE.skipped("no systemd user session to ask")
    if unit.load_state == "not-found":
        return SERVICE.warning(
            "not installed: the bridge does not start with the session",
            advice.INSTALL_SERVICE,
        )
    if unit.active_state == "failed":
        return SERVICE.error(
            "the service failed",
            advice.SERVICE_FAILED,
        )
    if unit.active_state != "active":
        return SERVICE.warning(f"installed but {unit.active_state}", advice.START_SERVICE)
    if unit.unit_file_state != "enabled":
        return SERVICE.warning(
            f"running, but not started at the next login ({unit.unit_file_state})",
            advice.ENABLE_SERVICE,
        )
    return SERVICE.ok("running, started with the session")
