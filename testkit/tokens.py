"""Web eID 1.0 tokens made in the tests, from the format description, not from the library.

A software key stands in for the card's authentication key. The signed message is built
here with hashlib (``SHA-256(origin) || SHA-256(nonce)``) so that a test comparing it
with ``cardbridge.auth.token.signed_message`` checks the library against the format.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from cardbridge.emulator.certificate_contents import (
    authentication_extensions,
    build_certificate,
    card_subject,
)
from cardbridge.emulator.pki import CardHolderIdentity, TestPki

ORIGIN = "https://dmp.example"

HOLDER = CardHolderIdentity(
    national_id="810002813839",
    last_name="DONNAT-GADY",
    first_name="ISABELLE",
    profession="Médecin",
)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def new_nonce() -> str:
    """A challenge nonce as the bridge issues them: 32 random bytes, base64."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def message(origin: str, nonce: str) -> bytes:
    """What the card signs, per the format description."""
    return hashlib.sha256(origin.encode()).digest() + hashlib.sha256(nonce.encode()).digest()


def sign(key: PrivateKey, algorithm: str, data: bytes) -> bytes:
    """A JWS signature of ``data``: RS256, PS256 (salt 32) or ES256 (raw r || s)."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        size = (key.curve.key_size + 7) // 8
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    if algorithm == "PS256":
        return key.sign(data, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def make_token(
    certificate: x509.Certificate,
    key: PrivateKey,
    nonce: str,
    *,
    origin: str = ORIGIN,
    algorithm: str = "RS256",
    signature: bytes | None = None,
) -> dict[str, Any]:
    """The token JSON object a card would return for ``nonce`` and ``origin``."""
    signed = sign(key, algorithm, message(origin, nonce)) if signature is None else signature
    return {
        "unverifiedCertificate": base64.b64encode(
            certificate.public_bytes(serialization.Encoding.DER)
        ).decode(),
        "algorithm": algorithm,
        "signature": base64.b64encode(signed).decode(),
        "format": "web-eid:1.0",
        "appVersion": "https://cardbridge.test/releases/v0.1.0",
    }


def issue_authentication_certificate(
    pki: TestPki,
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey,
    *,
    holder: CardHolderIdentity = HOLDER,
    validity: tuple[datetime, datetime],
    ocsp_url: str = "http://127.0.0.1:9/ocsp",
    serial_number: int | None = None,
) -> x509.Certificate:
    """An authentication certificate of the test PKI for any key type (EC included)."""
    return build_certificate(
        card_subject(holder, 0),
        public_key,  # type: ignore[arg-type]  # the test PKI types RSA keys only
        issuer=pki.issuing_ca.certificate,
        signing_key=pki.issuing_ca.private_key,
        serial_number=serial_number or x509.random_serial_number(),
        validity=validity,
        extensions=authentication_extensions(holder, ocsp_url),
    )


def independently_valid(token_json: str, origin: str, nonce: str) -> bool:
    """Whether the token's signature verifies, from the format description alone."""
    token = json.loads(token_json)
    certificate = x509.load_der_x509_certificate(base64.b64decode(token["unverifiedCertificate"]))
    signature = base64.b64decode(token["signature"])
    signed = hashlib.sha256(origin.encode()).digest() + hashlib.sha256(nonce.encode()).digest()
    key = certificate.public_key()
    try:
        if token["algorithm"] == "RS256":
            assert isinstance(key, rsa.RSAPublicKey)
            key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
        elif token["algorithm"] == "PS256":
            assert isinstance(key, rsa.RSAPublicKey)
            key.verify(
                signature, signed, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256()
            )
        else:
            assert token["algorithm"] == "ES256"
            assert isinstance(key, ec.EllipticCurvePublicKey)
            if len(signature) != 64:
                return False
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            key.verify(der, signed, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True
