"""The DMP connectors: how a PIN session's transport is made and who signs its VIHFs,
in direct mode (the card) and indirect mode (a structure's PKCS#12 files), over the
transports of :mod:`cardbridge.dmp.connect`. Imported at the first DMP transaction
(:class:`cardbridge.service.dmp_assembly.LazyConnector`): the transport brings lxml and,
in direct mode, tlslite-ng.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import NameOID

from cardbridge.cards.cps_card import CpsCard
from cardbridge.cards.models import Situation
from cardbridge.config import Settings
from cardbridge.dmp.card_credential import CardCredential
from cardbridge.dmp.connect import (
    StructureKey,
    StructureTlsContexts,
    direct_transport,
    indirect_transport,
    structure_signer,
)
from cardbridge.dmp.endpoints import resolve_endpoint
from cardbridge.dmp.transport import Transport
from cardbridge.dmp.workflow import VihfSigner
from cardbridge.emulator.pki import TestPki
from cardbridge.errors import ConfigError
from cardbridge.messages.inputs import SIGN_NAMES_NO_STRUCTURE
from cardbridge.service.dmp_link import DmpConnector


@dataclass(frozen=True)
class DirectConnector:
    """Direct mode: the card authenticates the TLS session and signs the VIHFs."""

    settings: Settings
    sandbox_root: bytes | None = None
    direct: bool = True

    def connect(self, card: CpsCard) -> Transport:
        """A kept-alive transport whose TLS handshake the card signs, once per TLS session
        (the signing runs on the CPS worker, where the transactions run)."""
        credential = CardCredential((card.authentication_certificate(),), card.authenticate_digest)
        return direct_transport(self.settings, credential, self.sandbox_root)

    def vihf_signer(self, card: CpsCard) -> VihfSigner:
        return card

    def situation(self, chosen: Situation) -> Situation:
        return chosen


@dataclass(frozen=True)
class StructureSigner:
    """A structure's SIGN key: indirect mode's VIHF signer."""

    pair: StructureKey

    def signature_certificate(self) -> bytes:
        return self.pair.certificate.public_bytes(serialization.Encoding.DER)

    def sign(self, message: bytes) -> bytes:
        return self.pair.private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())


@dataclass(frozen=True)
class IndirectConnector:
    """Indirect mode: the structure's certificates; the card signs nothing for the DMP."""

    settings: Settings
    signer: StructureSigner
    sandbox_root: bytes | None = None
    direct: bool = False
    # The AUTH_CLI TLS context, built once per file state and shared by the PIN sessions.
    contexts: StructureTlsContexts = field(default_factory=StructureTlsContexts)

    def connect(self, card: CpsCard) -> Transport:
        return indirect_transport(self.settings, self.sandbox_root, self.contexts)

    def vihf_signer(self, card: CpsCard) -> VihfSigner:
        return self.signer

    def situation(self, chosen: Situation) -> Situation:
        """The structure of the SIGN certificate (its Struct_IdNat in ``OU``, its name in
        ``O``: the sandbox's reading too, docs/dmp-client.md) in place of the card's: the
        DMP checks that the VIHF names the structure whose certificates it sees."""
        subject = self.signer.pair.certificate.subject
        units = subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
        names = subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        if not units:
            raise ConfigError(SIGN_NAMES_NO_STRUCTURE)
        sector = self.settings.dmp_structure_sector or chosen.sector
        return chosen.model_copy(
            update={
                "structure_id": str(units[0].value),
                "structure_id_type": None,
                "name": str(names[0].value) if names else chosen.name,
                "sector": sector,
                "sector_label": chosen.sector_label if sector == chosen.sector else None,
            }
        )


def _sandbox_root(settings: Settings) -> bytes | None:
    """The emulator's test root, which verifies the offline DMP (``sandbox`` without
    ``dmp_server_roots``): it issued the sandbox's server certificate."""
    if settings.dmp_server_roots or not resolve_endpoint(settings.dmp_endpoint).is_sandbox:
        return None
    return TestPki.load_or_create(settings.data_dir).trust_anchors_pem()


def dmp_connector(settings: Settings) -> DmpConnector:
    """The connector ``dmp_authentication`` names."""
    root = _sandbox_root(settings)
    if settings.dmp_authentication == "direct":
        return DirectConnector(settings, root)
    return IndirectConnector(settings, StructureSigner(structure_signer(settings)), root)
