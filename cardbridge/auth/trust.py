"""Trust anchors and intermediates, and the chain of a card certificate built against them.

Chains are built and checked by ``cryptography.x509.verification`` with its WebPKI
profile for client certificates, relaxed on one point: card certificates have no
subjectAltName (IGC-Santé names the holder in the subject only), which that profile
otherwise requires of a leaf. The profile does not tell an authentication certificate
from a signature one (a leaf without extendedKeyUsage passes): the verifier checks key
usage and EKU itself, before the chain.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.x509.verification import (
    ClientVerifier,
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from cardbridge.errors import CertificateUntrustedError, ConfigError
from cardbridge.messages import Text
from cardbridge.messages import configuration as say

_LEAF_POLICY = ExtensionPolicy.webpki_defaults_ee().may_be_present(
    x509.SubjectAlternativeName, Criticality.AGNOSTIC, None
)
_CA_POLICY = ExtensionPolicy.webpki_defaults_ca()


def load_pem_certificates(data: bytes, *, source: Text | str) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle; :class:`ConfigError` naming ``source`` (a file's
    path, or what the bundle is in both languages) if none."""
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise ConfigError(say.CERTIFICATES_NOT_PEM.format(source=source)) from None
    return certificates


def load_pem_files(
    paths: Iterable[str | Path], *, what: Text | None = None
) -> list[x509.Certificate]:
    """Every certificate of the PEM files ``paths``; :class:`ConfigError` naming the file
    (after ``what`` it holds, "trust anchor"…, when given) if one cannot be read or holds
    no certificate."""
    certificates: list[x509.Certificate] = []
    for path in paths:
        named: Text | str = Text(f"{what.fr} {path}", f"{what.en} {path}") if what else str(path)
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise ConfigError(
                say.CERTIFICATE_FILE_UNREADABLE.format(path=named, reason=error.strerror)
            ) from None
        certificates.extend(load_pem_certificates(data, source=named))
    return certificates


@dataclass(frozen=True)
class TrustStore:
    """The certificates a verifier trusts (anchors) and may use to reach them (intermediates).

    Anchors are the roots an integrator chose: the emulator's TEST root for tests, the
    IGC-Santé roots downloaded from the ANS in production. Intermediates are not trusted
    by themselves; they only fill the gap between a card certificate and an anchor.
    Raises :class:`ConfigError` without anchors, or with an anchor that is not a CA.
    """

    anchors: Sequence[x509.Certificate]
    intermediates: Sequence[x509.Certificate] = ()
    _store: Store = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.anchors:
            raise ConfigError(say.NO_TRUST_ANCHOR_GIVEN)
        for anchor in self.anchors:
            # A card certificate given as "trust" would make that one card trusted by itself.
            if not _is_ca(anchor):
                raise ConfigError(say.ANCHOR_NOT_A_CA.format(serial=f"{anchor.serial_number:x}"))
        object.__setattr__(self, "anchors", tuple(self.anchors))
        object.__setattr__(self, "intermediates", tuple(self.intermediates))
        object.__setattr__(self, "_store", Store(list(self.anchors)))

    @classmethod
    def from_pem(cls, anchors: bytes, intermediates: bytes = b"") -> TrustStore:
        """A store from PEM bundles held in memory."""
        return cls(
            load_pem_certificates(anchors, source=say.TRUST_ANCHORS),
            load_pem_certificates(intermediates, source=say.INTERMEDIATES) if intermediates else (),
        )

    @classmethod
    def from_pem_files(
        cls, anchors: Iterable[str | Path], intermediates: Iterable[str | Path] = ()
    ) -> TrustStore:
        """A store from PEM files (each may hold several certificates)."""
        return cls(load_pem_files(anchors), load_pem_files(intermediates))

    def chain(self, leaf: x509.Certificate, at: datetime) -> list[x509.Certificate]:
        """The verified chain from ``leaf`` up to an anchor, checked at time ``at``.

        Raises :class:`CertificateUntrustedError`, whose message never repeats the
        names that the underlying error quotes.
        """
        try:
            verified = self._verifier(at).verify(leaf, list(self.intermediates))
        except (VerificationError, ValueError):
            raise CertificateUntrustedError from None
        return verified.chain

    def _verifier(self, at: datetime) -> ClientVerifier:
        return (
            PolicyBuilder()
            .store(self._store)
            .time(at)
            .extension_policies(ca_policy=_CA_POLICY, ee_policy=_LEAF_POLICY)
            .build_client_verifier()
        )


class ChainCache:
    """Verified chains of the certificates seen lately, each reused while the moment asked
    about lies within every certificate of its chain's validity.

    A chain's verification depends on the store, the certificates and the moment only
    through their validity periods: inside them, building it again gives the same chain.
    Revocation is not part of it (OCSP is asked separately, each time).
    """

    def __init__(self, trust: TrustStore, size: int = 256) -> None:
        self.trust = trust
        self.size = size
        self._chains: OrderedDict[bytes, tuple[list[x509.Certificate], datetime, datetime]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def chain(
        self, leaf: x509.Certificate, leaf_der: bytes, at: datetime
    ) -> list[x509.Certificate]:
        """:meth:`TrustStore.chain` of ``leaf`` (whose DER is ``leaf_der``) at ``at``."""
        with self._lock:
            known = self._chains.get(leaf_der)
            if known is not None:
                self._chains.move_to_end(leaf_der)
        if known is not None and known[1] <= at <= known[2]:
            return list(known[0])
        chain = self.trust.chain(leaf, at)
        start = max(certificate.not_valid_before_utc for certificate in chain)
        end = min(certificate.not_valid_after_utc for certificate in chain)
        with self._lock:
            self._chains[leaf_der] = (chain, start, end)
            self._chains.move_to_end(leaf_der)
            while len(self._chains) > self.size:
                self._chains.popitem(last=False)
        return list(chain)


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except (x509.ExtensionNotFound, ValueError):
        return False
    return constraints.value.ca
