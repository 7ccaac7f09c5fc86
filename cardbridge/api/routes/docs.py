"""``GET /docs``: the interactive API documentation, served offline.

FastAPI's default page loads Swagger UI from a CDN, which a workstation without
Internet access (common in practices) cannot reach: the same files come from the
``swagger-ui-bundle`` package instead, under ``/docs-assets/``.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS_PREFIX = "/docs-assets"

router = APIRouter()
assets = StaticFiles(directory=swagger_ui_path)


@router.get("/docs", include_in_schema=False)
async def documentation() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="cardbridge — API",
        swagger_js_url=f"{ASSETS_PREFIX}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PREFIX}/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )
