"""``cardbridge doctor``: what stands between the clinician's cards and the local API.

Facts are gathered from the system first (``*_facts`` modules: pcscd, sockets, files,
the API port, the user service), then pure checks read them (``*_checks`` modules)
and say what they found and what to do. Tests give the checks any facts they like.
"""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime

from cardbridge import __version__
from cardbridge.doctor import card_checks as cards
from cardbridge.doctor import local_checks as local
from cardbridge.doctor import pcsc_checks as pcsc
from cardbridge.doctor.bridge_facts import port_facts
from cardbridge.doctor.local_facts import config_facts, dir_facts, token_facts, trust_facts
from cardbridge.doctor.pcsc_facts import (
    Readers,
    find_pcscd,
    pcscd_pids,
    probe_pcsc,
    socket_facts,
    socket_path,
    socket_unit_state,
)
from cardbridge.doctor.pkcs11_checks import check_pkcs11, pkcs11_facts
from cardbridge.doctor.report import CheckResult, Report, Status
from cardbridge.doctor.unit_facts import user_unit

__all__ = ["CheckResult", "Report", "Status", "diagnose", "run_checks"]


def gather_pcsc(readers: Readers) -> pcsc.PcscFacts:
    """The facts of the smart-card chain, asking pcscd through ``readers``."""
    binary = find_pcscd()
    socket_unit = socket_unit_state()
    probe = probe_pcsc(readers)
    # After the probe: connecting may just have started a socket-activated pcscd.
    return pcsc.PcscFacts(
        user=getpass.getuser(),
        binary=binary,
        pids=pcscd_pids(),
        socket_unit=socket_unit,
        socket=socket_facts(socket_path()),
        probe=probe,
    )


def gather_local() -> local.LocalFacts:
    """The facts of cardbridge's configuration, files, API port and user service."""
    config = config_facts()
    settings = config.settings
    return local.LocalFacts(
        user=getpass.getuser(),
        uid=os.getuid(),
        now=datetime.now(UTC),
        config=config,
        data_dir=dir_facts(settings.data_dir) if settings else None,
        token=token_facts(settings) if settings else None,
        trust=(
            trust_facts(settings.data_dir, settings.trust_anchors, settings.intermediates)
            if settings
            else None
        ),
        port=port_facts(settings.host, settings.port) if settings else None,
        unit=user_unit(),
        pkcs11=(
            pkcs11_facts(str(settings.pkcs11_module))
            if settings and settings.card_backend == "pkcs11"
            else None
        ),
    )


def run_checks(
    pcsc_facts: pcsc.PcscFacts, local_facts: local.LocalFacts, version: str = __version__
) -> Report:
    """Every check, the smart-card chain first, then cardbridge's own parts (the PKCS#11
    module's after the configuration, when the bridge uses one)."""
    return Report.of(
        version,
        [
            pcsc.check_installed(pcsc_facts),
            pcsc.check_running(pcsc_facts),
            pcsc.check_reachable(pcsc_facts),
            pcsc.check_access(pcsc_facts),
            cards.check_readers(pcsc_facts),
            cards.check_cards(pcsc_facts),
            cards.check_pin(pcsc_facts),
            local.check_config(local_facts),
            *([check_pkcs11(local_facts.pkcs11)] if local_facts.pkcs11 is not None else []),
            local.check_data_dir(local_facts),
            local.check_token(local_facts),
            local.check_trust(local_facts),
            local.check_port(local_facts, version),
            local.check_service(local_facts),
        ],
    )


def diagnose(readers: Readers) -> Report:
    """Gather the facts of this machine and run every check."""
    return run_checks(gather_pcsc(readers), gather_local())
