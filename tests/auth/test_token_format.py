"""Token format parsing: each field swapped, truncated or re-encoded gives its typed error."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest

from cardbridge.auth.token import AuthToken, parse_token, signed_message
from cardbridge.errors import (
    AuthError,
    TokenMalformedError,
    UnsupportedAlgorithmError,
    UnsupportedFormatError,
)

VALID: dict[str, Any] = AuthToken(
    b"\x30\x82cert", "RS256", b"\x01" * 256, "cardbridge/0.1"
).to_json()


def test_roundtrip() -> None:
    token = parse_token(json.dumps(VALID))
    assert token.certificate_der == b"\x30\x82cert"
    assert token.algorithm == "RS256"
    assert token.to_json() == VALID


def test_signed_message() -> None:
    message = signed_message("https://dmp.example", "bm9uY2U=")
    assert (
        message
        == hashlib.sha256(b"https://dmp.example").digest() + hashlib.sha256(b"bm9uY2U=").digest()
    )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"format": "web-eid:1.1"}, UnsupportedFormatError),
        ({"format": None}, UnsupportedFormatError),
        ({"algorithm": "RS1"}, UnsupportedAlgorithmError),
        ({"algorithm": "none"}, UnsupportedAlgorithmError),
        ({"unverifiedCertificate": ""}, TokenMalformedError),
        ({"unverifiedCertificate": "***"}, TokenMalformedError),
        ({"unverifiedCertificate": VALID["unverifiedCertificate"][:-1]}, TokenMalformedError),
        ({"signature": 12}, TokenMalformedError),
        ({"signature": base64.urlsafe_b64encode(b"\xfb\xff" * 10).decode()}, TokenMalformedError),
        ({"appVersion": ["x"]}, TokenMalformedError),
    ],
)
def test_field_errors(change: dict[str, Any], error: type[AuthError]) -> None:
    with pytest.raises(error):
        parse_token({**VALID, **change})


@pytest.mark.parametrize("raw", ["", "[]", "{", "null", '"x"', "x" * 20000])
def test_not_a_token(raw: str) -> None:
    with pytest.raises(TokenMalformedError):
        parse_token(raw)
