"""The CA certificates the bridge knows: the chain it hands out, the trust it verifies with.

Two sources: the configuration (``trust_anchors`` and ``intermediates``, PEM files: the
IGC-Santé CAs downloaded from the ANS for real cards), and, when the emulated readers
are served, the emulator's test PKI, whose cards they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from cardbridge.auth.trust import TrustStore, load_pem_files
from cardbridge.auth.verifier import TokenVerifier
from cardbridge.config import Settings
from cardbridge.emulator.pki import TestPki
from cardbridge.errors import ConfigError
from cardbridge.messages import configuration as say


@dataclass(frozen=True)
class CertificateAuthorities:
    """Trust anchors (roots) and intermediates (issuing CAs)."""

    anchors: tuple[x509.Certificate, ...] = ()
    intermediates: tuple[x509.Certificate, ...] = ()
    required_policies: tuple[str, ...] = ()

    @classmethod
    def from_settings(
        cls, settings: Settings, *, test_pki: TestPki | None = None
    ) -> CertificateAuthorities:
        """The configured CAs, plus those of ``test_pki`` when given."""
        anchors = load_pem_files(settings.trust_anchors, what=say.TRUST_ANCHOR)
        intermediates = load_pem_files(settings.intermediates, what=say.INTERMEDIATE_CERTIFICATE)
        if test_pki is not None:
            anchors.append(test_pki.root.certificate)
            intermediates.append(test_pki.issuing_ca.certificate)
        return cls(
            tuple(anchors), tuple(intermediates), tuple(settings.required_certificate_policies)
        )

    def chain(self, certificate: x509.Certificate) -> list[x509.Certificate]:
        """The known CAs above ``certificate``, its issuer first, up to a root.

        Each step is checked by signature, not only by name; the walk stops at a
        self-signed certificate, an unknown issuer, or after every known CA once.
        """
        known = [*self.intermediates, *self.anchors]
        chain: list[x509.Certificate] = []
        current = certificate
        for _ in range(len(known)):
            issuer = next((ca for ca in known if _issued(current, ca) and ca not in chain), None)
            if issuer is None:
                break
            chain.append(issuer)
            if issuer.issuer == issuer.subject:
                break
            current = issuer
        return chain

    def chain_pem(self, certificate_der: bytes) -> str:
        """:meth:`chain` as one PEM text ("" when no CA is known)."""
        leaf = x509.load_der_x509_certificate(certificate_der)
        return "".join(
            ca.public_bytes(serialization.Encoding.PEM).decode() for ca in self.chain(leaf)
        )

    @cached_property
    def verifier(self) -> TokenVerifier:
        """A token verifier trusting the anchors (no nonce store: the caller's nonce).

        Raises :class:`ConfigError` when no anchor is configured.
        """
        if not self.anchors:
            raise ConfigError(say.NO_TRUST_ANCHOR)
        return TokenVerifier(
            TrustStore(self.anchors, self.intermediates), required_policies=self.required_policies
        )


def _issued(certificate: x509.Certificate, ca: x509.Certificate) -> bool:
    if certificate.issuer != ca.subject:
        return False
    try:
        certificate.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
