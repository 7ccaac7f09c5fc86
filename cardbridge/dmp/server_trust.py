"""Is this the DMP? The server's chain and name, verified against the configured roots.

tlslite-ng checks no certificate, so the direct-mode connection asks this verifier
(``cryptography.x509.verification``, the WebPKI-style path builder of the project's
token verifier) before the card signs; the indirect mode's :mod:`ssl` context gets the
same roots. There is no way to turn it off: no roots is a configuration error.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from cardbridge.errors import DmpServerUntrustedError


@dataclass(frozen=True)
class ServerVerifier:
    """Verifies a TLS server's chain (leaf first, DER) for a host name or address."""

    roots: tuple[x509.Certificate, ...]

    @classmethod
    def from_pem(cls, pem: bytes) -> ServerVerifier:
        """The roots of a PEM bundle; :class:`ValueError` when it holds none."""
        roots = tuple(x509.load_pem_x509_certificates(pem))
        return cls(roots)

    @staticmethod
    def is_address(host: str) -> bool:
        """Whether ``host`` is an IP address (no SNI then, an IP SAN to match)."""
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return False
        return True

    def verify(self, chain: Sequence[bytes], host: str) -> None:
        """Raise :class:`DmpServerUntrustedError` unless ``chain`` is ``host``'s, from a root."""
        try:
            leaf, *intermediates = (x509.load_der_x509_certificate(der) for der in chain)
        except ValueError:
            raise DmpServerUntrustedError(
                "The DMP server sent an unreadable certificate. Nothing was sent."
            ) from None
        subject: x509.DNSName | x509.IPAddress = (
            x509.IPAddress(ipaddress.ip_address(host))
            if self.is_address(host)
            else x509.DNSName(host)
        )
        verifier = PolicyBuilder().store(Store(list(self.roots))).build_server_verifier(subject)
        try:
            verifier.verify(leaf, intermediates)
        except VerificationError as error:
            raise DmpServerUntrustedError(
                f"The DMP server at {host} is not trusted ({error}): check the roots in "
                "dmp_server_roots. Nothing was sent."
            ) from None

    def ssl_context(self) -> ssl.SSLContext:
        """A client context trusting these roots only, checking the host name."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(
            cadata="".join(
                root.public_bytes(serialization.Encoding.PEM).decode("ascii") for root in self.roots
            )
        )
        return context
