"""``GET /docs`` and ``GET /openapi.json``: the interactive API documentation, offline.

FastAPI's default page loads Swagger UI from a CDN, which a workstation without Internet
access (common in practices) cannot reach, and its bundled alternatives were Swagger UI
4, which cannot read OpenAPI 3.1. The bridge ships Swagger UI 5 in
``cardbridge/api/docs_assets/`` (its README says which version and how to update it),
served under ``/docs-assets/``. Both answers carry the status page's security headers
(no framing, scripts and styles from the bridge only), images from ``data:`` URLs added.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from cardbridge.api.routes.status import CONTENT_SECURITY_POLICY, SECURITY_HEADERS

ASSETS_PREFIX = "/docs-assets"
ASSETS_DIR = Path(__file__).resolve().parent.parent / "docs_assets"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>cardbridge — API</title>
<link rel="icon" href="/static/favicon.svg">
<link rel="stylesheet" href="{ASSETS_PREFIX}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS_PREFIX}/swagger-ui-bundle.js"></script>
<script src="{ASSETS_PREFIX}/docs.js"></script>
</body>
</html>
"""

# The status page's headers; Swagger UI's stylesheet draws its icons as data: SVG images.
DOCS_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": CONTENT_SECURITY_POLICY.replace(
        "img-src 'self'", "img-src 'self' data:"
    ),
}

router = APIRouter(include_in_schema=False)
assets = StaticFiles(directory=ASSETS_DIR)


@router.get("/docs")
async def documentation() -> HTMLResponse:
    """The interactive documentation page."""
    return HTMLResponse(PAGE, headers=DOCS_HEADERS)


@router.get("/openapi.json")
async def openapi_document(request: Request) -> JSONResponse:
    """The OpenAPI document of the app."""
    return JSONResponse(request.app.openapi(), headers=DOCS_HEADERS)
