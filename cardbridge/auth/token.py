"""The authentication token, in the Web eID 1.0 format so that Web eID validators read it.

``{"format": "web-eid:1.0", "unverifiedCertificate": <base64 DER>, "algorithm": "RS256",
"signature": <base64>, "appVersion": "..."}``. The card signs
``SHA-256(origin) || SHA-256(nonce)`` (the nonce as its base64 text, the origin in
normal form) with its authentication key: for RS256 the signed message is those 64
bytes, hashed once more with SHA-256 inside the signature scheme.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Literal, cast

from cardbridge.auth.limits import MAX_TOKEN_BYTES
from cardbridge.errors import (
    TokenMalformedError,
    UnsupportedAlgorithmError,
    UnsupportedFormatError,
)

TOKEN_FORMAT = "web-eid:1.0"  # noqa: S105 - a format name, not a secret
ALGORITHMS = ("RS256", "PS256", "ES256")

Algorithm = Literal["RS256", "PS256", "ES256"]


def signed_message(origin: str, nonce: str) -> bytes:
    """What the card signs: ``SHA-256(origin) || SHA-256(nonce)``."""
    return hashlib.sha256(origin.encode()).digest() + hashlib.sha256(nonce.encode()).digest()


@dataclass(frozen=True, slots=True)
class AuthToken:
    """A parsed token: fields decoded, nothing verified yet."""

    certificate_der: bytes
    algorithm: Algorithm
    signature: bytes
    app_version: str

    def to_json(self) -> dict[str, str]:
        """The JSON object of the Web eID format."""
        return {
            "format": TOKEN_FORMAT,
            "unverifiedCertificate": base64.b64encode(self.certificate_der).decode(),
            "algorithm": self.algorithm,
            "signature": base64.b64encode(self.signature).decode(),
            "appVersion": self.app_version,
        }


def _b64(value: object, field: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise TokenMalformedError(f"The token's {field} is missing or not text.")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise TokenMalformedError(f"The token's {field} is not valid base64.") from None


def parse_token(token: str | bytes | dict[str, object]) -> AuthToken:
    """Parse a token (JSON text or object); raise one typed error per problem."""
    if isinstance(token, str | bytes):
        if len(token) > MAX_TOKEN_BYTES:
            raise TokenMalformedError("The token is too large.")
        try:
            token = json.loads(token)
        except (ValueError, UnicodeDecodeError):
            raise TokenMalformedError("The token is not JSON.") from None
    if not isinstance(token, dict):
        raise TokenMalformedError("The token is not a JSON object.")
    if token.get("format") != TOKEN_FORMAT:
        raise UnsupportedFormatError
    algorithm = token.get("algorithm")
    if algorithm not in ALGORITHMS:
        raise UnsupportedAlgorithmError
    app_version = token.get("appVersion", "")
    if not isinstance(app_version, str):
        raise TokenMalformedError("The token's appVersion is not text.")
    return AuthToken(
        certificate_der=_b64(token.get("unverifiedCertificate"), "unverifiedCertificate"),
        algorithm=cast(Algorithm, algorithm),
        signature=_b64(token.get("signature"), "signature"),
        app_version=app_version,
    )
