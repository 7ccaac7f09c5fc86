"""Authentication with the CPS (``/v1/auth``): challenge, Web eID token, verification.

The origin a token is for is, for a browser, the ``Origin`` header that the security
middleware validated, never a body field: a page cannot have the card sign for
another site. A native client (authenticated by the local API token) names it in the
body. The nonce is the relying party's (base64 of at least 32 random bytes): the origin
binding is what protects it, and the relying party keeps it single use. The bridge's
own challenges serve its own verification, ``POST /v1/auth/verify``, which uses them up.

Every login needs the PIN: native software and the status page send it with the
request; a web application never sees it, and gets ``approval_required`` with the
address of the bridge's approval window, where the clinician types it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request

from cardbridge.api.deps import BridgeDep, CallerDep, OriginDep, ReaderQuery
from cardbridge.api.models import (
    Challenge,
    ChallengeRequest,
    TokenCheck,
    TokenRequest,
    VerifyRequest,
    WebEidToken,
)
from cardbridge.api.problems import language_of_request
from cardbridge.api.routes.approvals import ask_approval
from cardbridge.api.routes.common import BODY_CODES, CARD_CODES, PIN_TRY_CODES, responses
from cardbridge.auth.nonces import check_nonce
from cardbridge.auth.origin import normalize_origin
from cardbridge.errors import (
    AuthError,
    InvalidInputError,
    OriginForbiddenError,
    OriginInvalidError,
    PinRequiredError,
)
from cardbridge.messages import inputs as say
from cardbridge.service.approvals import ApprovalAction
from cardbridge.service.callers import CallerKind

router = APIRouter(prefix="/v1/auth", tags=["authentication"])


def origin_for(validated: str | None, given: str | None) -> str:
    """The origin a challenge or token is for: the browser's own, or the native
    client's ``origin`` field."""
    if validated is not None:
        if given is not None and normalize_origin(given) != validated:
            raise OriginForbiddenError(say.OWN_SITE_ONLY)
        return validated
    if given is None:
        raise InvalidInputError(say.NATIVE_NAMES_ORIGIN, field="origin")
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
        *PIN_TRY_CODES,
        "origin_invalid",
        "nonce_invalid",
        "pin_required",
        "approval_required",
    ),
)
async def make_token(
    body: TokenRequest,
    *,
    bridge: BridgeDep,
    caller: CallerDep,
    origin: OriginDep,
    request: Request,
    reader: ReaderQuery = None,
) -> WebEidToken:
    """The card signs `SHA-256(origin) || SHA-256(nonce)` with its authentication key
    (RS256), after a VERIFY with the PIN: every login needs it. A web application gets
    403 `approval_required` instead, with the approval window's address
    (`approval_url`): it opens that window, where the clinician sees which site asks and
    types the PIN, then reads the token at `GET /v1/approvals/{approval_id}`."""
    site = origin_for(origin, body.origin)
    check_nonce(body.nonce)
    if caller.kind is CallerKind.ORIGIN:
        if body.pin is not None:
            raise InvalidInputError(say.PAGE_NEVER_SENDS_PIN, field="pin")
        ask_approval(bridge, request, site, ApprovalAction.LOGIN, reader=reader, nonce=body.nonce)
    if body.pin is None:
        raise PinRequiredError(say.SIGN_IN_NEEDS_PIN)
    token = await bridge.cards.sign_challenge(
        site, body.nonce, pin=body.pin, reader=reader, confirm_last_try=body.confirm_last_try
    )
    return WebEidToken.model_validate(token.to_json())


@router.post(
    "/verify",
    summary="Verify a token made for one of the bridge's own challenges",
    responses=responses(*BODY_CODES, "origin_invalid"),
)
def verify_token(body: VerifyRequest, bridge: BridgeDep, request: Request) -> TokenCheck:
    """Uses up the challenge (`POST /v1/auth/challenge`: issued by this bridge for that
    origin, at most 5 minutes ago, once), then checks the format, the certificate
    (dates, purpose, chain to the trust anchors: the emulator's test root and/or the
    configured `trust_anchors`) and the signature over the origin and nonce. A refused
    token is `valid: false` with the failed check's `code`. A relying party with its own
    nonces verifies with `cardbridge.auth` (or `cardbridge token verify`)."""
    verifier = bridge.authorities.verifier
    try:
        bridge.challenges.consume(body.nonce, body.origin)
        practitioner = verifier.verify(body.token.model_dump(), body.nonce, body.origin)
    except OriginInvalidError:
        raise
    except AuthError as error:
        detail = error.message_in(language_of_request(request))
        return TokenCheck(valid=False, practitioner=None, code=error.code, detail=detail)
    return TokenCheck(valid=True, practitioner=practitioner)
