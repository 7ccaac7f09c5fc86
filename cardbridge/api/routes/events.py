"""``GET /v1/events``: reader and card events as Server-Sent Events.

Every stream starts with a ``state`` event (the readers now), so that a client that
connects or reconnects needs nothing else to be up to date; then one event per change
(``reader_added``, ``reader_removed``, ``card_inserted``, ``card_removed``,
``pcsc_unavailable``, ``pcsc_available``), and a ``heartbeat`` event whenever nothing
else was sent for a while, so that a client can tell a quiet bridge from a dead one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from cardbridge.api.deps import BridgeDep
from cardbridge.api.models import (
    EVENT_NAMES,
    HeartbeatData,
    ReaderEventData,
    StateData,
    StreamEvent,
)
from cardbridge.api.routes.common import responses
from cardbridge.cards.models import ReaderInfo
from cardbridge.pcsc.atr import format_atr
from cardbridge.service.bridge import Bridge
from cardbridge.service.events import End, ReaderEvent

router = APIRouter(tags=["readers"])

# How long an EventSource waits before reconnecting after the stream ended (ms).
RECONNECT_MS = 2000

_STREAM_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An endless `text/event-stream`. Events: "
        + ", ".join(f"`{name}`" for name in EVENT_NAMES)
        + ". `state` carries a `StateData`, `heartbeat` a `HeartbeatData`, the others a "
        "`ReaderEventData`.",
        "content": {
            "text/event-stream": {
                "itemSchema": {
                    "required": ["event", "data"],
                    "properties": {
                        "event": {"type": "string", "enum": list(EVENT_NAMES)},
                        "data": {
                            "type": "string",
                            "contentMediaType": "application/json",
                            "contentSchema": {
                                "oneOf": [
                                    {"$ref": f"#/components/schemas/{name}"}
                                    for name in ("StateData", "ReaderEventData", "HeartbeatData")
                                ]
                            },
                        },
                    },
                },
                "example": 'event: state\ndata: {"backend":"pcsc","pcsc":"up",'
                '"readers":[]}\nretry: 2000\n\nevent: card_removed\ndata: '
                '{"reader":"Gemalto PC Twin Reader 00 00","card_type":null,'
                '"atr":null,"time":"2025-01-06T09:30:00Z"}\n\n',
            }
        },
    }
}


def _now() -> datetime:
    return datetime.now(UTC)


def state_data(bridge: Bridge) -> StateData:
    """The readers now, as the ``state`` event gives them."""
    available = bridge.readers.available
    return StateData(
        backend=bridge.backend.kind,
        pcsc="up" if available else "down",
        readers=[ReaderInfo.from_state(s) for s in bridge.readers.snapshot()] if available else [],
    )


def event_data(event: ReaderEvent) -> ReaderEventData:
    card_type = event.card_type
    return ReaderEventData(
        reader=event.reader or None,
        card_type=card_type.value if card_type is not None else None,
        atr=format_atr(event.atr) if event.atr is not None and card_type is not None else None,
        time=datetime.fromtimestamp(event.timestamp, UTC) if event.timestamp else _now(),
    )


@router.get(
    "/v1/events",
    response_class=EventSourceResponse,
    summary="Reader and card events (Server-Sent Events)",
    responses={**_STREAM_DOC, **responses()},
)
async def stream_events(request: Request, bridge: BridgeDep) -> AsyncIterator[ServerSentEvent]:
    """Follow readers and cards live. The stream ends when the bridge stops (the
    browser's EventSource then reconnects by itself) or when the client falls too
    far behind."""
    heartbeat: float = request.app.state.heartbeat
    with bridge.events.subscribe() as subscription:
        # Subscribed first, then the snapshot: no change can fall between the two.
        yield ServerSentEvent(event=StreamEvent.STATE, data=state_data(bridge), retry=RECONNECT_MS)
        while True:
            item = await subscription.next(heartbeat)
            if isinstance(item, End):
                return
            if item is None:
                yield ServerSentEvent(event=StreamEvent.HEARTBEAT, data=HeartbeatData(time=_now()))
            else:
                yield ServerSentEvent(event=StreamEvent(item.kind.value), data=event_data(item))
