"""The app factory: ``create_app(bridge, settings)`` gives the local API over a bridge,
ready for uvicorn. The bridge is assembled elsewhere, from the settings
(:meth:`cardbridge.service.bridge.Bridge.from_settings`): this module only mounts the
routes and the middleware on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI

from cardbridge import __version__
from cardbridge.api import problems
from cardbridge.api.access_log import AccessLogMiddleware
from cardbridge.api.deps import known_query_only
from cardbridge.api.openapi import build_openapi
from cardbridge.api.routes import ROUTERS, dmp, docs
from cardbridge.api.security import SecurityMiddleware, SecurityPolicy
from cardbridge.config import Settings, ensure_api_token
from cardbridge.config_sources import api_token_path
from cardbridge.messages.errors import ERROR_TEXTS
from cardbridge.service.bridge import Bridge

# Seconds without any event after which an event stream gets a heartbeat.
HEARTBEAT = 15.0


def create_app(
    bridge: Bridge,
    settings: Settings,
    *,
    api_token: str | None = None,
    heartbeat: float = HEARTBEAT,
) -> FastAPI:
    """The local API over ``bridge``, on the port and with the API token of ``settings``.

    ``api_token`` defaults to the configured one, else the token file's (created at
    first start). The bridge is started when the app starts (lifespan) and closed, with
    every card connection, when it stops.
    """
    policy = SecurityPolicy(
        port=settings.port,
        api_token=api_token or ensure_api_token(settings),
        pairings=bridge.pairings,
        origins=bridge.origins,
        body_limits={dmp.DEPOSIT_PATH: dmp.DEPOSIT_BODY_LIMIT},
        token_source=(
            ERROR_TEXTS["api_token_env"]
            if settings.api_token
            else ERROR_TEXTS["api_token_file"].format(path=api_token_path())
        ),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await bridge.start()
        try:
            yield
        finally:
            await bridge.close()

    app = FastAPI(
        title="cardbridge",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # both served by routes/docs.py, offline, with security headers
        openapi_url=None,
        redoc_url=None,
        dependencies=[Depends(known_query_only)],
        openapi_tags=[
            {"name": "bridge", "description": "The bridge itself"},
            {"name": "readers", "description": "Card readers and live events"},
            {"name": "CPS", "description": "The practitioner's card"},
            {"name": "authentication", "description": "Signing in with the CPS"},
            {"name": "Vitale", "description": "The patient's card"},
            {"name": "DMP", "description": "DMP access workflows and their journal"},
        ],
    )
    app.state.bridge = bridge
    app.state.heartbeat = heartbeat
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount(docs.ASSETS_PREFIX, docs.assets, name="docs-assets")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app, policy.open_paths)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(SecurityMiddleware, policy=policy)
    # Outermost, so that requests the security middleware refuses are logged too.
    app.add_middleware(AccessLogMiddleware)
    return app


def bridge_of(app: FastAPI) -> Bridge:
    """The :class:`Bridge` that ``app`` serves (for the server and tests)."""
    bridge: Bridge = app.state.bridge
    return bridge
