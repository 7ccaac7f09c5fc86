"""How the bridge reaches the DMP, made once from the settings (:meth:`DmpSetup.from_settings`,
called by :meth:`cardbridge.service.bridge.Bridge.from_settings`, the one place the bridge
is assembled): the journal, the LPS declared, and the connector — who authenticates the
TLS connection and who signs the VIHFs:

- direct mode (``dmp_authentication = direct``): the practitioner's CPS, its
  authentication key signing the TLS handshake, its signature key the VIHFs;
- indirect mode: a structure's AUTH_CLI (TLS) and SIGN (VIHF) PKCS#12 files.

The server is always verified (:func:`cardbridge.dmp.connect.server_verifier`). The
connector is made at the first DMP transaction: a bridge that never calls the DMP loads
neither lxml nor tlslite-ng.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

from cardbridge import __version__
from cardbridge.cards.cps_card import CpsCard
from cardbridge.cards.models import Situation
from cardbridge.config import Settings
from cardbridge.dmp.endpoints import patient_pages_url
from cardbridge.dmp.journal import Journal
from cardbridge.dmp.transport import Transport
from cardbridge.dmp.vihf import LpsInfo
from cardbridge.dmp.workflow import DmpWorkflow, VihfSigner
from cardbridge.service.dmp_link import DmpConnector


class LazyConnector:
    """The settings' connector, made at the first DMP transaction (reading PKCS#12 files
    or making the test PKI costs nothing to a bridge that never calls the DMP)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._made: DmpConnector | None = None
        self._lock = threading.Lock()

    def _connector(self) -> DmpConnector:
        with self._lock:
            if self._made is None:
                from cardbridge.service.dmp_connectors import dmp_connector  # noqa: PLC0415

                self._made = dmp_connector(self._settings)
            return self._made

    @property
    def direct(self) -> bool:
        return self._settings.dmp_authentication == "direct"

    def connect(self, card: CpsCard) -> Transport:
        return self._connector().connect(card)

    def vihf_signer(self, card: CpsCard) -> VihfSigner:
        return self._connector().vihf_signer(card)

    def situation(self, chosen: Situation) -> Situation:
        return self._connector().situation(chosen)


@dataclass(frozen=True)
class DmpSetup:
    """Everything the bridge's DMP work is made of, from the settings."""

    workflow: DmpWorkflow
    connector: DmpConnector
    oid_root: str
    software_name: str
    patient_pages: str | None = None  # the offline DMP's patient pages, when there are

    @classmethod
    def from_settings(cls, settings: Settings) -> DmpSetup:
        """The journal of the data dir, the LPS declared, the DMP reached as configured."""
        workflow = DmpWorkflow(
            Journal.open(settings.data_dir),
            LpsInfo(
                id=settings.lps_id,
                name=settings.lps_name,
                version=__version__,
                homologation_id=settings.lps_homologation_dmp,
            ),
            vihf_validity=timedelta(minutes=settings.vihf_validity_minutes),
        )
        return cls(
            workflow,
            LazyConnector(settings),
            settings.lps_oid_root,
            settings.lps_name,
            patient_pages_url(settings.dmp_patient_pages, settings.dmp_endpoint),
        )
