"""Pairing the status page, the caller's session, and the web applications it approves.

- ``cardbridge serve`` prints a one-time pairing link; ``cardbridge open`` asks for one
  (``POST /v1/pairing``, with the API token) and opens it. Following it (``GET /pair``)
  sets the pairing cookie (``HttpOnly``, ``SameSite=Strict``, ``Path=/``) and leads to
  the status page; ``DELETE /v1/pairing`` unpairs the page that asks.
- ``GET /v1/session``: who the bridge takes the caller for, and its PIN session.
- The status page lists the configured web applications and approves or revokes each
  (``/v1/origins``): a configured origin is served only once approved.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from cardbridge.api.access_models import CallerSession, OriginApproval, OriginRequest, PairingLink
from cardbridge.api.deps import BridgeDep, CallerDep, only
from cardbridge.api.routes.common import BODY_CODES, responses
from cardbridge.api.security import cookie_name
from cardbridge.errors import CardBridgeError
from cardbridge.service.bridge import Bridge
from cardbridge.service.callers import CallerKind, web_origin

router = APIRouter(tags=["access"])

PAIR_PATH = "/pair"
COOKIE_LIFETIME = timedelta(days=365)
_CODE_MAX = 128


def pairing_url(base: str, code: str) -> str:
    """The one-time link for ``code`` on the bridge at ``base`` (``http://host:port``)."""
    return f"{base.rstrip('/')}{PAIR_PATH}?code={code}"


@router.get(PAIR_PATH, include_in_schema=False)
async def pair(
    request: Request, bridge: BridgeDep, code: Annotated[str, Query(max_length=_CODE_MAX)] = ""
) -> RedirectResponse:
    """Follow a one-time link: pair this browser, then show the status page. A used or
    expired link leads to the page, which says how to get a new one."""
    session = bridge.pairings.redeem(code) if code else None
    if session is None:
        return RedirectResponse("/?pairing=failed", status_code=303)
    answer = RedirectResponse("/", status_code=303)
    answer.set_cookie(
        cookie_name(request.url.port or 80),
        session.cookie,
        max_age=int(COOKIE_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
    )
    answer.headers["Referrer-Policy"] = "no-referrer"
    answer.headers["Cache-Control"] = "no-store"
    return answer


@router.post(
    "/v1/pairing",
    dependencies=[only(CallerKind.NATIVE, what="Asking for a pairing link")],
    summary="A one-time link that pairs a browser's status page",
    responses=responses("caller_forbidden"),
)
async def new_pairing_link(request: Request, bridge: BridgeDep) -> PairingLink:
    """Native software only (what `cardbridge open` calls). The link is valid 10 minutes,
    once."""
    link = bridge.pairings.issue_link()
    return PairingLink(
        url=pairing_url(str(request.base_url), link.code), expires_at=link.expires_at
    )


@router.delete(
    "/v1/pairing",
    dependencies=[only(CallerKind.PAGE, what="Unpairing")],
    status_code=204,
    summary="Unpair this status page",
    responses=responses("caller_forbidden"),
)
async def unpair(request: Request, bridge: BridgeDep, caller: CallerDep) -> Response:
    """The status page only: its cookie proves nothing any more."""
    assert caller.pairing is not None
    bridge.pairings.unpair(caller.pairing)
    answer = Response(status_code=204)
    answer.delete_cookie(cookie_name(request.url.port or 80), path="/")
    return answer


def _has_session(bridge: Bridge, caller_id: str) -> bool:
    try:
        memory = bridge.cards.cps_reader().memory
    except CardBridgeError:
        return False
    return memory.pin_verified and memory.pin_owner == caller_id


@router.get("/v1/session", summary="Who the bridge takes the caller for", responses=responses())
async def session(bridge: BridgeDep, caller: CallerDep) -> CallerSession:
    """The kind of caller (`native`, `page`, `origin`), its web origin, and whether it has
    a PIN session open on the CPS."""
    return CallerSession(
        caller=caller.kind.value, origin=caller.origin, pin_session=_has_session(bridge, caller.id)
    )


@router.get(
    "/v1/origins",
    dependencies=[only(CallerKind.PAGE, what="Managing web applications")],
    summary="The configured web applications, and which are approved",
    responses=responses("caller_forbidden"),
)
async def list_origins(bridge: BridgeDep) -> list[OriginApproval]:
    """The status page only."""
    return [
        OriginApproval(origin=origin, approved=approved)
        for origin, approved in bridge.origins.listing()
    ]


@router.post(
    "/v1/origins/approval",
    dependencies=[only(CallerKind.PAGE, what="Approving a web application")],
    summary="Approve a configured web application",
    responses=responses(*BODY_CODES, "origin_invalid", "caller_forbidden"),
)
async def approve_origin(body: OriginRequest, bridge: BridgeDep) -> OriginApproval:
    """The status page only; the origin must be among `allowed_origins`."""
    return OriginApproval(origin=bridge.origins.approve(body.origin), approved=True)


@router.delete(
    "/v1/origins/approval",
    dependencies=[only(CallerKind.PAGE, what="Revoking a web application")],
    summary="Withdraw the approval of a web application",
    responses=responses("origin_invalid", "caller_forbidden"),
)
async def revoke_origin(
    bridge: BridgeDep, origin: Annotated[str, Query(max_length=2048)]
) -> OriginApproval:
    """The status page only. The site's pending requests and PIN session are not kept."""
    normal = bridge.origins.revoke(origin)
    with contextlib.suppress(CardBridgeError):  # no CPS: no session to end
        await bridge.cards.end_session(web_origin(normal))
    return OriginApproval(origin=normal, approved=False)
