"""The approval window: where the clinician answers a web application's request.

A web application asks for a login token or a PIN session; the bridge records the
request and answers ``approval_required`` with ``approval_url`` (this window, served by
the bridge itself at ``/approve``). The page opens it with ``window.open``; the window
(the paired status page's origin, its cookie) shows which site asks for what and who the
card names, and sends the clinician's answer with the PIN. The requesting page then
reads the outcome at ``GET /v1/approvals/{id}``; the window also tells it with a
``postMessage`` addressed to that site alone (``{type: "cardbridge:approval", id,
status}``, never the token).
"""

from __future__ import annotations

from typing import Annotated, NoReturn

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse

from cardbridge.api.access_models import ApprovalDecision, ApprovalInfo
from cardbridge.api.deps import BridgeDep, CallerDep, only
from cardbridge.api.models import WebEidToken
from cardbridge.api.routes.common import BODY_CODES, CARD_CODES, PIN_TRY_CODES, responses
from cardbridge.api.routes.status import file_response
from cardbridge.errors import ApprovalRequiredError, InvalidInputError, NotFoundError
from cardbridge.messages import inputs as say
from cardbridge.service.approvals import (
    ApprovalAction,
    ApprovalRequest,
    ApprovalStatus,
)
from cardbridge.service.bridge import Bridge
from cardbridge.service.callers import Caller, CallerKind, web_origin

router = APIRouter(tags=["access"])
WINDOW_PATH = "/approve"


def ask_approval(
    bridge: Bridge,
    request: Request,
    origin: str,
    action: ApprovalAction,
    *,
    reader: str | None = None,
    nonce: str | None = None,
) -> NoReturn:
    """Record a web application's request and answer ``approval_required``."""
    pending = bridge.approvals.create(origin, action, reader=reader, nonce=nonce)
    url = f"{str(request.base_url).rstrip('/')}{WINDOW_PATH}?request={pending.id}"
    raise ApprovalRequiredError(pending.id, url)


@router.get(WINDOW_PATH, include_in_schema=False)
async def approval_window(
    request_id: Annotated[str, Query(alias="request", max_length=64)] = "",
) -> FileResponse:
    """The approval window's page (its script reads the request id from the address)."""
    return file_response("approve.html")


def _request_for(bridge: Bridge, approval_id: str, caller: Caller) -> ApprovalRequest:
    """The request, if ``caller`` may see it: the status page, or the site that asked."""
    found = bridge.approvals.get(approval_id)
    if found is None or not (
        caller.kind is CallerKind.PAGE
        or (caller.kind is CallerKind.ORIGIN and caller.origin == found.origin)
    ):
        raise NotFoundError(say.NO_SUCH_APPROVAL)
    return found


async def _info(bridge: Bridge, found: ApprovalRequest, caller: Caller) -> ApprovalInfo:
    practitioner = None
    if caller.kind is CallerKind.PAGE:
        card = (await bridge.cards.practitioner(found.reader)).model
        practitioner = f"{card.first_name} {card.last_name}"
    token = None
    if caller.kind is CallerKind.ORIGIN and found.token is not None:
        token = WebEidToken.model_validate(found.token.to_json())
    return ApprovalInfo(
        id=found.id,
        origin=found.origin,
        action=found.action.value,
        status=found.status.value,
        expires_at=found.expires_at,
        practitioner=practitioner,
        token=token,
    )


@router.get(
    "/v1/approvals/{approval_id}",
    summary="A web application's request for the clinician's approval",
    responses=responses(*CARD_CODES, "not_found"),
)
async def read_approval(approval_id: str, bridge: BridgeDep, caller: CallerDep) -> ApprovalInfo:
    """For the approval window: what is asked and who the card names. For the site that
    asked: the outcome (`pending`, `approved` with the login `token`, `refused`,
    `expired`). Anyone else: 404."""
    return await _info(bridge, _request_for(bridge, approval_id, caller), caller)


@router.post(
    "/v1/approvals/{approval_id}",
    dependencies=[only(CallerKind.PAGE, what="Answering a web application's request")],
    summary="The clinician's answer, typed in the approval window",
    responses=responses(*BODY_CODES, *CARD_CODES, *PIN_TRY_CODES, "not_found", "caller_forbidden"),
)
async def answer_approval(
    approval_id: str, body: ApprovalDecision, bridge: BridgeDep, caller: CallerDep
) -> ApprovalInfo:
    """The status page only. Approving needs the PIN: a login token is signed for the
    site and its nonce, or a PIN session is opened for the site; a wrong PIN leaves the
    request pending (401 `pin_invalid`, with the tries left)."""
    found = _request_for(bridge, approval_id, caller)
    if not found.pending:
        raise InvalidInputError(
            say.APPROVAL_DECIDED.format(status=found.status.value), field="approve"
        )
    if not body.approve:
        bridge.approvals.decide(found, ApprovalStatus.REFUSED)
        return await _info(bridge, found, caller)
    if body.pin is None:
        raise InvalidInputError(say.APPROVAL_NEEDS_PIN, field="pin")
    if found.action is ApprovalAction.LOGIN:
        assert found.nonce is not None
        token = await bridge.cards.sign_challenge(
            found.origin,
            found.nonce,
            pin=body.pin,
            reader=found.reader,
            confirm_last_try=body.confirm_last_try,
        )
        bridge.approvals.decide(found, ApprovalStatus.APPROVED, token)
    else:
        await bridge.cards.verify_pin(
            body.pin,
            found.reader,
            caller=web_origin(found.origin),
            confirm_last_try=body.confirm_last_try,
        )
        bridge.approvals.decide(found, ApprovalStatus.APPROVED)
    return await _info(bridge, found, caller)
