"""Dependencies of the routes, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Query, Request

from cardbridge.service.bridge import Bridge


def get_bridge(request: Request) -> Bridge:
    """The app's running :class:`Bridge` (set up by its lifespan)."""
    return cast(Bridge, request.app.state.bridge)


def get_origin(request: Request) -> str | None:
    """The request's ``Origin`` as validated by the security middleware; ``None`` for a
    native client (which authenticated with the local API token)."""
    return cast(str | None, getattr(request.state, "origin", None))


BridgeDep = Annotated[Bridge, Depends(get_bridge)]
OriginDep = Annotated[str | None, Depends(get_origin)]
ReaderQuery = Annotated[
    str | None,
    Query(
        max_length=256,
        description="The reader to use, by name (`GET /v1/readers`); default: the first "
        "reader holding the card asked for.",
        examples=["Gemalto PC Twin Reader 00 00"],
    ),
]
