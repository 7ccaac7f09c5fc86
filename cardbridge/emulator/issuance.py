"""Certificates of emulated CPS cards: who issues them.

A :class:`CertificateIssuer` turns a card's two public keys into its authentication
and signature certificates, with IGC-Santé subject conventions (DOMAIN.md §1): one
multi-valued RDN ``CN=<idNat_PS> + SN=<last name> + GN=<first name>``, then
``title=<profession>``, ``C=FR``. :func:`default_issuer` is the one place that decides
which issuer the emulator uses.

:class:`EphemeralIssuer` is a stand-in until the test PKI (a root and an issuing CA
kept in the data dir) is wired in: an issuing CA generated in memory for the process.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cardbridge.emulator import profile_rules
from cardbridge.emulator.keys import generate_key
from cardbridge.emulator.profiles import CpsProfile

CertificatePair = tuple[x509.Certificate, x509.Certificate]
"""``(authentication, signature)`` certificates of one card."""


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


def holder_subject(profile: CpsProfile) -> x509.Name:
    """``CN=idNat_PS + SN + GN`` (one RDN), ``title``, ``C=FR``."""
    holder = profile.holder
    return x509.Name(
        [
            x509.RelativeDistinguishedName(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, holder.national_id),
                    x509.NameAttribute(NameOID.SURNAME, holder.last_name),
                    x509.NameAttribute(NameOID.GIVEN_NAME, holder.first_name),
                ]
            ),
            x509.RelativeDistinguishedName(
                [x509.NameAttribute(NameOID.TITLE, profile_rules.PROFESSIONS[holder.profession])]
            ),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR")]),
        ]
    )


class EphemeralIssuer:
    """A TEST issuing CA that lives as long as the process (stand-in for the test PKI)."""

    def __init__(self) -> None:
        self._key: RSAPrivateKey = generate_key()
        self._name = x509.Name.from_rfc4514_string(
            "CN=TEST AC IGC-SANTE ELEMENTAIRE PERSONNES (cardbridge ephemeral),"
            "OU=IGC-SANTE TEST,O=ASIP-SANTE,C=FR"
        )
        now = dt.datetime.now(dt.UTC)
        self._certificate = (
            x509.CertificateBuilder()
            .subject_name(self._name)
            .issuer_name(self._name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(key_cert_sign=True), critical=True)
            .sign(self._key, hashes.SHA256())
        )

    def trust_anchors_pem(self) -> bytes:
        return self._certificate.public_bytes(serialization.Encoding.PEM)

    def issue(
        self, profile: CpsProfile, authentication: RSAPublicKey, signature: RSAPublicKey
    ) -> CertificatePair:
        return (
            self._issue(profile, authentication, _usage(digital_signature=True), client=True),
            self._issue(
                profile, signature, _usage(digital_signature=True, content_commitment=True)
            ),
        )

    def _issue(
        self,
        profile: CpsProfile,
        public_key: RSAPublicKey,
        usage: x509.KeyUsage,
        *,
        client: bool = False,
    ) -> x509.Certificate:
        now = dt.datetime.now(dt.UTC)
        expires = dt.datetime.combine(profile.expires, dt.time(23, 59, 59), dt.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(holder_subject(profile))
            .issuer_name(self._name)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(max(expires, now + dt.timedelta(days=1)))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
        )
        if client:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
            )
        return builder.sign(self._key, hashes.SHA256())


def _usage(
    *,
    digital_signature: bool = False,
    content_commitment: bool = False,
    key_cert_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=key_cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


_lock = threading.Lock()
_issuers: dict[Path | None, CertificateIssuer] = {}


def default_issuer(data_dir: Path | None = None) -> CertificateIssuer:
    """The issuer of emulated cards for ``data_dir`` (one per directory and process)."""
    with _lock:
        if data_dir not in _issuers:
            _issuers[data_dir] = EphemeralIssuer()
        return _issuers[data_dir]
