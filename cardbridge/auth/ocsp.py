"""Revocation check of a card certificate with OCSP (RFC 6960), over HTTP.

The request names the certificate by a SHA-1 CertID (what every responder understands;
RFC 5019) and carries a random nonce. The response is used only when:

- it is signed by the certificate's issuing CA, or by a responder certificate that this CA
  issued directly, with EKU OCSPSigning and valid now (RFC 6960 §4.2.2.2), with SHA-256 or
  stronger;
- one of its answers is about this certificate (CertID: issuer name and key hashes, serial);
- it echoes our nonce when it carries one (responders that pre-compute answers cannot);
- it is fresh: ``thisUpdate`` neither in the future nor older than ``max_age``,
  ``nextUpdate`` (when given) not passed, each with the clock skew allowed.

Then ``good`` passes, ``revoked`` raises :class:`CertificateRevokedError` and ``unknown``
:class:`CertificateStatusUnknownError`. A responder that cannot be reached, or any
response that cannot be trusted, raises :class:`OcspError`: the status is unknown, so the
token is refused (fail closed).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from cardbridge.errors import (
    CertificateRevokedError,
    CertificateStatusUnknownError,
    OcspError,
)

DEFAULT_TIMEOUT = 5.0
DEFAULT_MAX_AGE = timedelta(minutes=15)
MAX_RESPONSE_BYTES = 64 * 1024
# RFC 8954 caps the nonce at 32 octets.
NONCE_BYTES = 32

_RESPONSE_HASHES = (hashes.SHA256, hashes.SHA384, hashes.SHA512)
# What may sign a response besides the issuing CA's key: RSA PKCS#1 v1.5 and ECDSA.
_RSA_PKCS1_OIDS = frozenset(
    {
        x509.SignatureAlgorithmOID.RSA_WITH_SHA256,
        x509.SignatureAlgorithmOID.RSA_WITH_SHA384,
        x509.SignatureAlgorithmOID.RSA_WITH_SHA512,
    }
)
_ECDSA_OIDS = frozenset(
    {
        x509.SignatureAlgorithmOID.ECDSA_WITH_SHA256,
        x509.SignatureAlgorithmOID.ECDSA_WITH_SHA384,
        x509.SignatureAlgorithmOID.ECDSA_WITH_SHA512,
    }
)


@dataclass(frozen=True)
class OcspChecker:
    """Asks an OCSP responder about card certificates.

    ``url`` replaces the responder named in the certificate (authorityInfoAccess);
    ``timeout`` (seconds) bounds each network step and the reading of the answer;
    ``max_age`` is how old ``thisUpdate`` may be. Web eID validators allow two minutes,
    for responders that sign each answer; the default here leaves room for responders
    that pre-compute theirs.
    """

    url: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_age: timedelta = DEFAULT_MAX_AGE

    def check(
        self,
        certificate: x509.Certificate,
        issuer: x509.Certificate,
        *,
        now: datetime,
        clock_skew: timedelta,
    ) -> None:
        """Pass if the responder says ``certificate`` (issued by ``issuer``) is good."""
        url = self.url or responder_url(certificate)
        nonce = secrets.token_bytes(NONCE_BYTES)
        response = self._fetch(url, build_request(certificate, issuer, nonce))
        validate_response(
            response,
            certificate,
            issuer,
            nonce=nonce,
            now=now,
            clock_skew=clock_skew,
            max_age=self.max_age,
        )

    def _fetch(self, url: str, request: bytes) -> bytes:
        if urlsplit(url).scheme not in ("http", "https"):
            raise OcspError("The OCSP responder address is not an http(s) URL.")
        deadline = time.monotonic() + self.timeout
        headers = {
            "Content-Type": "application/ocsp-request",
            "Accept": "application/ocsp-response",
        }
        body = bytearray()
        try:
            with (
                httpx.Client(timeout=self.timeout, follow_redirects=False) as client,
                client.stream("POST", url, content=request, headers=headers) as reply,
            ):
                if reply.status_code != httpx.codes.OK:
                    raise OcspError(f"The OCSP responder answered HTTP {reply.status_code}.")
                for chunk in reply.iter_bytes():
                    body += chunk
                    if len(body) > MAX_RESPONSE_BYTES:
                        raise OcspError("The OCSP response is too large.")
                    # httpx's timeout is per read: a responder trickling bytes is cut here.
                    if time.monotonic() > deadline:
                        raise OcspError("The OCSP responder is too slow.")
        except httpx.HTTPError as error:
            raise OcspError(
                f"The OCSP responder could not be reached ({type(error).__name__})."
            ) from None
        return bytes(body)


def responder_url(certificate: x509.Certificate) -> str:
    """The OCSP responder URL in the certificate's authorityInfoAccess."""
    try:
        access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    except (x509.ExtensionNotFound, ValueError):
        raise OcspError("The certificate names no OCSP responder.") from None
    for description in access.value:
        location = description.access_location
        if description.access_method == AuthorityInformationAccessOID.OCSP and isinstance(
            location, x509.UniformResourceIdentifier
        ):
            return location.value
    raise OcspError("The certificate names no OCSP responder.")


def build_request(certificate: x509.Certificate, issuer: x509.Certificate, nonce: bytes) -> bytes:
    """A DER OCSP request about ``certificate``, with ``nonce``."""
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(certificate, issuer, hashes.SHA1())  # noqa: S303 - CertID, not a signature
        .add_extension(x509.OCSPNonce(nonce), critical=False)
        .build()
    )
    return request.public_bytes(serialization.Encoding.DER)


def validate_response(
    der: bytes,
    certificate: x509.Certificate,
    issuer: x509.Certificate,
    *,
    nonce: bytes | None,
    now: datetime,
    clock_skew: timedelta,
    max_age: timedelta = DEFAULT_MAX_AGE,
) -> None:
    """Check a DER OCSP response about ``certificate`` as the module docstring says."""
    try:
        response = ocsp.load_der_ocsp_response(der)
    except ValueError:
        raise OcspError("The OCSP responder sent something that is not an OCSP response.") from None
    if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise OcspError(
            f"The OCSP responder refused the request ({response.response_status.name.lower()})."
        )
    try:
        signer = _signer(response, issuer, now, clock_skew)
        _check_signature(response, signer)
        single = _answer_about(response, certificate, issuer)
        echoed = _nonce_of(response)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # Lazily parsed parts (extensions, keys, algorithms) that are malformed or exotic.
        raise OcspError("The OCSP response cannot be read.") from None
    if echoed is not None and echoed != nonce:
        raise OcspError("The OCSP response answers another request (nonce mismatch).")
    _check_fresh(single, now, clock_skew, max_age)
    status = single.certificate_status
    if status is ocsp.OCSPCertStatus.REVOKED:
        revoked = single.revocation_time_utc
        when = f" on {revoked:%Y-%m-%d}" if revoked else ""
        raise CertificateRevokedError(f"The card's certificate was revoked{when}.")
    if status is ocsp.OCSPCertStatus.UNKNOWN:
        raise CertificateStatusUnknownError


def _names_responder(response: ocsp.OCSPResponse, candidate: x509.Certificate) -> bool:
    if response.responder_name is not None:
        return response.responder_name == candidate.subject
    # ResponderID byKey: SHA-1 of the subjectPublicKey bits, as a method-1 key identifier.
    key_id = x509.SubjectKeyIdentifier.from_public_key(candidate.public_key()).digest
    return response.responder_key_hash == key_id


def _signer(
    response: ocsp.OCSPResponse, issuer: x509.Certificate, now: datetime, skew: timedelta
) -> x509.Certificate:
    if _names_responder(response, issuer):
        return issuer
    for candidate in response.certificates:
        if _names_responder(response, candidate) and _is_delegate(candidate, issuer, now, skew):
            return candidate
    raise OcspError(
        "The OCSP response is not signed by the certificate's CA or a responder it delegated."
    )


def _is_delegate(
    candidate: x509.Certificate, issuer: x509.Certificate, now: datetime, skew: timedelta
) -> bool:
    """Whether ``candidate`` is an OCSP responder certificate issued by ``issuer``, valid now."""
    try:
        candidate.verify_directly_issued_by(issuer)
        purposes = candidate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (InvalidSignature, x509.ExtensionNotFound, ValueError, TypeError):
        # Another issuer's certificate, a bad signature, no EKU, or an unusable key.
        return False
    return (
        ExtendedKeyUsageOID.OCSP_SIGNING in purposes
        and candidate.not_valid_before_utc - skew <= now <= candidate.not_valid_after_utc + skew
    )


def _check_signature(response: ocsp.OCSPResponse, signer: x509.Certificate) -> None:
    algorithm = response.signature_hash_algorithm
    key = signer.public_key()
    oid = response.signature_algorithm_oid
    signed = response.tbs_response_bytes
    if not isinstance(algorithm, _RESPONSE_HASHES):
        raise OcspError("The OCSP response is signed with a weak or unknown algorithm.")
    try:
        if isinstance(key, rsa.RSAPublicKey) and oid in _RSA_PKCS1_OIDS:
            key.verify(response.signature, signed, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey) and oid in _ECDSA_OIDS:
            key.verify(response.signature, signed, ec.ECDSA(algorithm))
        else:
            raise OcspError("The OCSP response's signature algorithm does not fit its signer.")
    except InvalidSignature:
        raise OcspError("The OCSP response's signature does not verify.") from None


def _answer_about(
    response: ocsp.OCSPResponse, certificate: x509.Certificate, issuer: x509.Certificate
) -> ocsp.OCSPSingleResponse:
    for single in response.responses:
        if single.serial_number != certificate.serial_number:
            continue
        try:
            # The CertID hashes of our certificate, with the algorithm this answer used.
            expected = (
                ocsp.OCSPRequestBuilder()
                .add_certificate(certificate, issuer, single.hash_algorithm)
                .build()
            )
        except ValueError:
            continue
        if (single.issuer_name_hash, single.issuer_key_hash) == (
            expected.issuer_name_hash,
            expected.issuer_key_hash,
        ):
            return single
    raise OcspError("The OCSP response does not answer for this certificate.")


def _nonce_of(response: ocsp.OCSPResponse) -> bytes | None:
    try:
        return response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        return None


def _check_fresh(
    single: ocsp.OCSPSingleResponse, now: datetime, skew: timedelta, max_age: timedelta
) -> None:
    this_update = single.this_update_utc
    next_update = single.next_update_utc
    if this_update > now + skew:
        raise OcspError("The OCSP response is dated in the future: check the clocks.")
    if this_update < now - skew - max_age:
        raise OcspError("The OCSP response is too old.")
    if next_update is not None and next_update < now - skew:
        raise OcspError("The OCSP response has expired (its nextUpdate has passed).")
