"""The signature schemes of the Web eID token algorithms (JWA, RFC 7518 §3.3-3.5).

- RS256: RSASSA-PKCS1-v1_5 with SHA-256;
- PS256: RSASSA-PSS with SHA-256, MGF1-SHA-256 and a salt as long as the digest (32 bytes);
- ES256: ECDSA on P-256 with SHA-256, the signature being the JWS form ``r || s``, two
  32-byte big-endian integers (RFC 7518 §3.4), as Web eID cards output it and Web eID
  validators read it. A DER ``Ecdsa-Sig-Value`` is not that form and is refused.

The message is hashed inside the scheme, as JWS does.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from cardbridge.auth.token import Algorithm
from cardbridge.errors import SignatureInvalidError, UnsupportedAlgorithmError

_P256_FIELD_BYTES = 32


def verify_signature(
    public_key: CertificatePublicKeyTypes, algorithm: Algorithm, signature: bytes, message: bytes
) -> None:
    """Check ``signature`` over ``message`` with ``algorithm``'s scheme.

    Raises :class:`UnsupportedAlgorithmError` when the algorithm does not fit the key
    (ES256 with an RSA key, RS256 with an EC key…) and :class:`SignatureInvalidError`
    when the signature does not verify.
    """
    try:
        if algorithm in ("RS256", "PS256") and isinstance(public_key, rsa.RSAPublicKey):
            scheme: padding.AsymmetricPadding = (
                padding.PKCS1v15()
                if algorithm == "RS256"
                else padding.PSS(padding.MGF1(hashes.SHA256()), hashes.SHA256.digest_size)
            )
            public_key.verify(signature, message, scheme, hashes.SHA256())
        elif (
            algorithm == "ES256"
            and isinstance(public_key, ec.EllipticCurvePublicKey)
            and isinstance(public_key.curve, ec.SECP256R1)
        ):
            public_key.verify(_der_from_raw(signature), message, ec.ECDSA(hashes.SHA256()))
        else:
            raise UnsupportedAlgorithmError(
                f"The token's algorithm {algorithm} does not fit the certificate's key."
            )
    except InvalidSignature:
        raise SignatureInvalidError from None


def _der_from_raw(signature: bytes) -> bytes:
    if len(signature) != 2 * _P256_FIELD_BYTES:
        raise SignatureInvalidError(
            "An ES256 signature is r || s, 64 bytes (the DER form is not accepted)."
        )
    r = int.from_bytes(signature[:_P256_FIELD_BYTES], "big")
    s = int.from_bytes(signature[_P256_FIELD_BYTES:], "big")
    return encode_dss_signature(r, s)
