"""Authentication with the CPS (``/v1/auth``): challenge, Web eID token, verification.

The origin a token is for is, for a browser, the ``Origin`` header that the security
middleware validated, never a body field: a page cannot have the card sign for
another site. A native client (authenticated by the local API token) names it in the
body. The nonce must have been issued by this bridge for that origin, and is used up
before the card signs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from cardbridge.api.deps import BridgeDep, OriginDep, ReaderQuery
from cardbridge.api.models import (
    Challenge,
    ChallengeRequest,
    TokenCheck,
    TokenRequest,
    VerifyRequest,
    WebEidToken,
)
from cardbridge.api.routes.common import BODY_CODES, CARD_CODES, responses
from cardbridge.auth.errors import AuthError, OriginForbiddenError, OriginInvalidError
from cardbridge.auth.origin import normalize_origin
from cardbridge.errors import InvalidInputError

router = APIRouter(prefix="/v1/auth", tags=["authentication"])


def origin_for(validated: str | None, given: str | None) -> str:
    """The origin a challenge or token is for: the browser's own, or the native
    client's ``origin`` field."""
    if validated is not None:
        if given is not None and normalize_origin(given) != validated:
            raise OriginForbiddenError(
                "A web page gets challenges and tokens for its own site only."
            )
        return validated
    if given is None:
        raise InvalidInputError(
            "a native client names the web origin the token is for", field="origin"
        )
    return normalize_origin(given)


@router.post(
    "/challenge",
    summary="A nonce for the CPS to sign",
    responses=responses(*BODY_CODES, "origin_invalid"),
)
async def challenge(
    bridge: BridgeDep,
    origin: OriginDep,
    body: Annotated[ChallengeRequest | None, Body()] = None,
) -> Challenge:
    """32 random bytes (base64), valid 5 minutes, single use, bound to the origin."""
    issued = bridge.challenges.issue(origin_for(origin, body.origin if body else None))
    return Challenge(nonce=issued.nonce, expires_at=issued.expires_at)


@router.post(
    "/token",
    summary="A Web eID 1.0 token signed by the CPS",
    responses=responses(
        *BODY_CODES,
        *CARD_CODES,
        "origin_invalid",
        "nonce_invalid",
        "origin_mismatch",
        "pin_required",
        "pin_invalid",
        "pin_blocked",
    ),
)
async def make_token(
    body: TokenRequest, bridge: BridgeDep, origin: OriginDep, reader: ReaderQuery = None
) -> WebEidToken:
    """The card signs `SHA-256(origin) || SHA-256(nonce)` with its authentication key
    (RS256). Without `pin`, the PIN must have been verified on the card already
    (`pin_required` otherwise, and the nonce stays usable)."""
    site = origin_for(origin, body.origin)
    pin = body.pin
    bridge.cards.require_pin(reader, pin)
    bridge.challenges.consume(body.nonce, site)
    token = await bridge.cards.sign_challenge(site, body.nonce, pin=pin, reader=reader)
    return WebEidToken.model_validate(token.to_json())


@router.post(
    "/verify",
    summary="Verify a token: which practitioner signed this nonce for this origin",
    responses=responses(*BODY_CODES, "origin_invalid"),
)
def verify_token(body: VerifyRequest, bridge: BridgeDep) -> TokenCheck:
    """Checks the format, the certificate (dates, purpose, chain to the trust anchors:
    the emulator's test root and/or the configured `trust_anchors`) and the signature
    over the origin and nonce given. A refused token is `valid: false` with the failed
    check's `code`. The caller vouches for the nonce (issued to its user, used once):
    the bridge's own nonces are used up when the token is made."""
    verifier = bridge.authorities.verifier
    try:
        practitioner = verifier.verify(body.token.model_dump(), body.nonce, body.origin)
    except OriginInvalidError:
        raise
    except AuthError as error:
        return TokenCheck(valid=False, practitioner=None, code=error.code, detail=error.message)
    return TokenCheck(valid=True, practitioner=practitioner)
