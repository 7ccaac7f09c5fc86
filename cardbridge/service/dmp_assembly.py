"""How the bridge reaches the DMP, made once from the settings: the endpoint, the roots
that verify the server, who authenticates the TLS connection and who signs the VIHFs.

- Direct mode (``dmp_authentication = direct``): the TLS client is the practitioner's
  CPS, its authentication certificate, the handshake signed by the card
  (:mod:`cardbridge.dmp.tls_card`); the VIHFs are signed by the CPS signature key.
- Indirect mode: the TLS client is a structure's AUTH_CLI certificate and key
  (PKCS#12), and the VIHFs are signed by its SIGN certificate's key (PKCS#12).

The server is always verified: against ``dmp_server_roots``, or, for ``sandbox`` without
any, against the test PKI's root that issued the offline DMP's certificate.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

from cardbridge import __version__
from cardbridge.cards.cps_card import CpsCard
from cardbridge.config import Settings
from cardbridge.dmp.endpoints import resolve_endpoint
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

                self._made = dmp_connector(self._settings, _test_root(self._settings))
            return self._made

    @property
    def direct(self) -> bool:
        return self._settings.dmp_authentication == "direct"

    def connect(self, card: CpsCard) -> Transport:
        return self._connector().connect(card)

    def vihf_signer(self, card: CpsCard) -> VihfSigner:
        return self._connector().vihf_signer(card)


def _test_root(settings: Settings) -> bytes | None:
    """The test PKI's root that issued the offline DMP's certificate (``sandbox`` only)."""
    if settings.dmp_server_roots or not resolve_endpoint(settings.dmp_endpoint).is_sandbox:
        return None
    from cardbridge.emulator.pki_organisations import OrganisationPki  # noqa: PLC0415

    return OrganisationPki.load_or_create(settings.data_dir).trust_anchors_pem()


@dataclass(frozen=True)
class DmpSetup:
    """Everything the bridge's DMP work is made of, from the settings."""

    workflow: DmpWorkflow
    connector: DmpConnector
    oid_root: str
    software_name: str

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
        return cls(workflow, LazyConnector(settings), settings.lps_oid_root, settings.lps_name)
