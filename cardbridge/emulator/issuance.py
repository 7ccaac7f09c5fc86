"""Certificates of emulated CPS cards, issued by the emulator's test PKI.

A :class:`CertificateIssuer` turns a card's two public keys into its authentication
and signature certificates. :class:`PkiIssuer` asks the test PKI of a data dir
(:class:`~cardbridge.emulator.pki.TestPki`: TEST root and issuing CA, IGC-Santé
subjects), and :func:`default_issuer` is the one place that picks it.

CPE and CPA cards (structure staff) are named ``<Struct_IdNat>/<internal id>`` in their
certificates: the emulator takes the first practice situation's structure and the
holder's national id as the internal id.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from cardbridge.config import load_settings
from cardbridge.domain.identifiers import is_structure_bound_card
from cardbridge.domain.terminologies import PROFESSIONS
from cardbridge.emulator.pki import CardHolderIdentity, TestPki
from cardbridge.emulator.profiles import CpsProfile

CertificatePair = tuple[x509.Certificate, x509.Certificate]
"""``(authentication, signature)`` certificates of one card."""

# Card certificates start this long before they are issued (clock differences).
BACKDATE = dt.timedelta(hours=1)


class CertificateIssuer(Protocol):
    """Issues the certificates of emulated CPS cards."""

    def issue(
        self, profile: CpsProfile, authentication: RSAPublicKey, signature: RSAPublicKey
    ) -> CertificatePair:
        """The authentication and signature certificates for a card's public keys."""
        ...

    def trust_anchors_pem(self) -> bytes:
        """The certificates a verifier must trust, PEM-encoded."""
        ...


def holder_identity(profile: CpsProfile) -> CardHolderIdentity:
    """Who the certificates of ``profile``'s card name."""
    holder = profile.holder
    bound = is_structure_bound_card(profile.card_type)
    return CardHolderIdentity(
        national_id=holder.national_id,
        last_name=holder.last_name,
        first_name=holder.first_name,
        profession=PROFESSIONS[holder.profession],
        structure_id=profile.situations[0].structure_id if bound else None,
        internal_id=holder.national_id if bound else None,
    )


class PkiIssuer:
    """A :class:`CertificateIssuer` backed by the test PKI of a data dir."""

    def __init__(self, pki: TestPki) -> None:
        self.pki = pki

    def issue(
        self, profile: CpsProfile, authentication: RSAPublicKey, signature: RSAPublicKey
    ) -> CertificatePair:
        # Valid until the end of the card's expiry day; a card expired already gets
        # certificates that expired with it.
        not_after = dt.datetime.combine(profile.expires, dt.time(23, 59, 59), dt.UTC)
        not_before = min(dt.datetime.now(dt.UTC) - BACKDATE, not_after - dt.timedelta(days=1))
        issued = self.pki.issue_card_certificates(
            holder_identity(profile),
            authentication,
            signature,
            card_type=profile.card_type,
            not_before=not_before,
            not_after=not_after,
        )
        return issued.authentication, issued.signature

    def trust_anchors_pem(self) -> bytes:
        return self.pki.trust_anchors_pem()


_lock = threading.Lock()
_issuers: dict[Path, PkiIssuer] = {}


def default_issuer(data_dir: Path | None = None) -> CertificateIssuer:
    """The issuer of emulated cards: the test PKI of ``data_dir`` (default: the data
    dir of the configuration), loaded once per process."""
    directory = data_dir or load_settings().data_dir
    with _lock:
        if directory not in _issuers:
            _issuers[directory] = PkiIssuer(TestPki.load_or_create(directory))
        return _issuers[directory]
