"""What the routes share: the problem codes they document, cached JSON answers."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from cardbridge.api.problems import error_responses
from cardbridge.service.memory import Snapshot

# Answered before any route runs: by the server for the connection (user_forbidden,
# too_many_connections), by the security middleware for the request.
OPEN_ROUTE_CODES = ("user_forbidden", "too_many_connections", "host_forbidden", "origin_forbidden")
SECURITY_CODES = (*OPEN_ROUTE_CODES, "unauthorized", "pairing_required", "origin_not_approved")
# Routes that send a PIN (or PUK) try to the card.
PIN_TRY_CODES = ("pin_invalid", "pin_blocked", "confirmation_required", "pin_retry_later")
BODY_CODES = ("invalid_request", "payload_too_large")
# Any route that talks to a card.
CARD_CODES = (
    "invalid_request",
    "pcsc_unavailable",
    "pcsc_access_denied",
    "pcsc_error",
    "reader_not_found",
    "card_absent",
    "wrong_card_type",
    "card_removed",
    "card_busy",
    "card_error",
    "card_data_invalid",
    "card_communication_error",
)


def responses(*codes: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI error responses of a token-protected route answering ``codes`` too."""
    return error_responses(*SECURITY_CODES, *codes)


def cached_json(snapshot: Snapshot[Any]) -> Response:
    """A JSON answer from a snapshot's bytes, encoded once per card insertion."""
    return Response(content=snapshot.json, media_type="application/json")
