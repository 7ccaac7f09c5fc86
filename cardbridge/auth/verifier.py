"""Verification of Web eID 1.0 authentication tokens made by a CPS: the integrators' library.

Usable on any server: no card, reader or cardbridge server is involved. Checks run in
this order, and the first that fails raises its own :class:`AuthError` subclass:

1. the origin given is an origin (``scheme://host[:port]``), the token is a Web eID 1.0
   token, its algorithm is allowed, its certificate is DER;
2. the nonce: shape (base64 of at least 32 bytes), then, with a challenge store, known,
   not expired, not used, and issued to this origin. With a store, every call uses the
   nonce up, whatever fails, so a nonce never gets a second try;
3. the certificate's validity period, widened by the clock skew on both sides;
4. its purpose: key usage digitalSignature and EKU clientAuth (the CPS authentication
   certificate, not the signature one), and a subject naming a health professional;
   when ``required_policies`` are configured, one of them among its certificatePolicies
   (Web eID's own validator reads that extension on every certificate);
5. its chain up to a trust anchor (``cryptography.x509.verification``);
6. optionally, its OCSP status;
7. the signature over ``SHA-256(origin) || SHA-256(nonce)`` with the token's algorithm,
   which must fit the certificate's key.

The signature comes last so that its cost is paid only for certificates worth it; the
origin and nonce are never read from the token (it carries neither): they are the
verifier's own, as Web eID requires.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

from cardbridge.auth.limits import DEFAULT_CLOCK_SKEW
from cardbridge.auth.nonces import Challenges, NonceStore, check_nonce
from cardbridge.auth.ocsp import OcspChecker
from cardbridge.auth.origin import normalize_origin
from cardbridge.auth.practitioner import AuthenticatedPractitioner
from cardbridge.auth.signature import verify_signature
from cardbridge.auth.token import ALGORITHMS, AuthToken, parse_token, signed_message
from cardbridge.auth.trust import ChainCache, TrustStore
from cardbridge.cards.certificates import PractitionerCertificate, parse_practitioner_certificate
from cardbridge.errors import (
    AuthError,
    CardDataError,
    CertificateExpiredError,
    CertificateNotYetValidError,
    CertificatePolicyError,
    CertificatePurposeError,
    ConfigError,
    InvalidInputError,
    NonceInvalidError,
    TokenMalformedError,
    UnsupportedAlgorithmError,
)
from cardbridge.messages import configuration as say

Token = str | bytes | dict[str, object]
"""A token as JSON text or as the decoded JSON object."""


class TokenVerifier:
    """Verifies authentication tokens against one configuration.

    ``trust`` holds the trust anchors and intermediates; ``algorithms`` the allowed ones
    (default RS256, PS256, ES256); ``clock_skew`` how far the clocks of the card's world
    and this server may differ; ``challenges`` (or a bare :class:`NonceStore`) the store
    where this server's nonces wait: without it, the caller must have checked that the
    nonce it passes was issued to this session, is fresh, and is used once; ``ocsp``
    turns the revocation check on; ``required_policies`` (dotted OIDs) are the certificate
    policies of which the certificate must carry at least one (none: any certificate).
    """

    def __init__(
        self,
        trust: TrustStore,
        *,
        algorithms: Iterable[str] = ALGORITHMS,
        clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
        challenges: Challenges | NonceStore | None = None,
        ocsp: OcspChecker | None = None,
        required_policies: Iterable[str] = (),
    ) -> None:
        allowed = frozenset(algorithms)
        unknown = allowed - frozenset(ALGORITHMS)
        if unknown or not allowed:
            raise ConfigError(say.TOKEN_ALGORITHMS.format(algorithms=", ".join(ALGORITHMS)))
        if clock_skew < timedelta(0):
            raise ConfigError(say.CLOCK_SKEW_NEGATIVE)
        self.trust = trust
        self.algorithms = allowed
        self.clock_skew = clock_skew
        self.challenges = (
            challenges
            if challenges is None or isinstance(challenges, Challenges)
            else Challenges(challenges)
        )
        self.ocsp = ocsp
        self.required_policies = frozenset(_policy_oid(dotted) for dotted in required_policies)
        self._chains = ChainCache(trust)

    def verify(
        self, token: Token, nonce: str, origin: str, *, now: datetime | None = None
    ) -> AuthenticatedPractitioner:
        """The practitioner who signed ``nonce`` for ``origin`` with a CPS, or an AuthError.

        ``origin`` is this web site's origin as the browser sees it; ``now`` (aware)
        defaults to the current time.
        """
        moment = _moment(now)
        try:
            site = normalize_origin(origin)
            parsed = self._parse(token)
            leaf = _load_certificate(parsed.certificate_der)
        except AuthError:
            self._discard(nonce)
            raise
        self._consume(nonce, site)
        self._check_validity(leaf, moment)
        certificate = _authentication_certificate(parsed.certificate_der)
        if self.required_policies:
            _check_policies(leaf, self.required_policies)
        # The chain is checked at the instant nearest to now that the leaf accepts, so the
        # skew granted above is not taken back by the chain builder's own date check.
        at = min(max(moment, leaf.not_valid_before_utc), leaf.not_valid_after_utc)
        chain = self._chains.chain(leaf, parsed.certificate_der, at)
        if self.ocsp is not None:
            self.ocsp.check(leaf, chain[1], now=moment, clock_skew=self.clock_skew)
        message = signed_message(site, nonce)
        verify_signature(_public_key(leaf), parsed.algorithm, parsed.signature, message)
        return AuthenticatedPractitioner.from_certificate(certificate)

    def _parse(self, token: Token) -> AuthToken:
        parsed = parse_token(token)
        if parsed.algorithm not in self.algorithms:
            raise UnsupportedAlgorithmError
        return parsed

    def _consume(self, nonce: str, site: str) -> None:
        if not isinstance(nonce, str):
            raise NonceInvalidError("The nonce must be the base64 text of 32 random bytes or more.")
        check_nonce(nonce)
        if self.challenges is not None:
            self.challenges.consume(nonce, site)

    def _discard(self, nonce: str) -> None:
        """Use the nonce up after an early failure: one nonce, one attempt."""
        if self.challenges is not None and isinstance(nonce, str):
            self.challenges.store.take(nonce)

    def _check_validity(self, leaf: x509.Certificate, moment: datetime) -> None:
        if moment < leaf.not_valid_before_utc - self.clock_skew:
            raise CertificateNotYetValidError
        if moment > leaf.not_valid_after_utc + self.clock_skew:
            raise CertificateExpiredError


def verify(
    token: Token, nonce: str, origin: str, trust: TrustStore, now: datetime | None = None
) -> AuthenticatedPractitioner:
    """Verify one token with the default settings and no nonce store, nor OCSP.

    The caller must have taken ``nonce`` out of its own store (issued to this session,
    fresh, used once); :class:`TokenVerifier` with ``challenges`` does that itself.
    """
    return TokenVerifier(trust).verify(token, nonce, origin, now=now)


def _moment(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise InvalidInputError("must be a timezone-aware datetime", field="now")
    return now


def _load_certificate(der: bytes) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except (ValueError, x509.InvalidVersion):
        raise TokenMalformedError("The token's certificate is not DER X.509.") from None


def _policy_oid(dotted: str) -> x509.ObjectIdentifier:
    try:
        return x509.ObjectIdentifier(dotted)
    except ValueError:
        raise ConfigError(say.POLICY_OID_INVALID.format(oid=repr(dotted))) from None


def _check_policies(leaf: x509.Certificate, required: frozenset[x509.ObjectIdentifier]) -> None:
    try:
        policies = leaf.extensions.get_extension_for_class(x509.CertificatePolicies).value
    except x509.ExtensionNotFound:
        raise CertificatePolicyError(
            "The card's certificate names no certificate policy, and this site requires one."
        ) from None
    except ValueError:
        raise TokenMalformedError("The certificate's policies are not readable.") from None
    if not required & {policy.policy_identifier for policy in policies}:
        raise CertificatePolicyError


def _public_key(leaf: x509.Certificate) -> CertificatePublicKeyTypes:
    try:
        return leaf.public_key()
    except (UnsupportedAlgorithm, ValueError):
        raise UnsupportedAlgorithmError("The certificate's key type is not supported.") from None


@lru_cache(maxsize=256)
def _authentication_certificate(der: bytes) -> PractitionerCertificate:
    """The certificate's practitioner, read once per certificate (its reading costs more than
    the token's RSA verification; a refusal is not cached: it raises again)."""
    try:
        certificate = parse_practitioner_certificate(der)
    except CardDataError:
        raise CertificatePurposeError(
            "The certificate does not name a health professional in the IGC-Santé form."
        ) from None
    if not certificate.for_authentication:
        raise CertificatePurposeError
    return certificate
