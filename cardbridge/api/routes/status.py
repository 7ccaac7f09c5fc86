"""The status page: ``GET /`` and its files under ``/static/`` (plain HTML, CSS and ES
modules shipped in the package, no build step, nothing loaded from elsewhere; the few
modules in :data:`WRITTEN_MODULES` are written by the bridge from its own definitions).

The page is the bridge's own origin, paired once through a one-time link: its requests
carry the pairing cookie (see :mod:`cardbridge.api.routes.pairing`). Its
Content-Security-Policy allows this origin only, no inline code, no native form
submission (a PIN can never end up in a URL) and no framing (no clickjacking of the
PIN prompt). The page itself may show, from ``blob:`` URLs it made, the images and the
PDF frame of a DMP document it fetched (the document viewer); nothing else is framed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response
from starlette.exceptions import HTTPException

from cardbridge.api.models import StreamEvent
from cardbridge.dmp.journal_details import DETAIL_ORDER

router = APIRouter(include_in_schema=False)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PAGE = "index.html"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
# The status page's: a DMP document it fetched, shown from a blob: URL (a PDF in a frame,
# an image); no plugin content (<object>, <embed>) from anywhere.
PAGE_CONTENT_SECURITY_POLICY = "; ".join(
    (
        CONTENT_SECURITY_POLICY.replace("img-src 'self'", "img-src 'self' blob:"),
        "frame-src blob:",
        "object-src 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": PAGE_CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    # Revalidated each time: an upgraded bridge serves its new page at once.
    "Cache-Control": "no-cache",
}
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


def static_files(directory: Path = STATIC_DIR) -> dict[str, Path]:
    """The files the page may load, by name: those of ``directory`` with a known type."""
    return {
        path.name: path
        for path in sorted(directory.iterdir())
        if path.is_file() and path.suffix in MEDIA_TYPES
    }


_FILES = static_files()


def event_names_module() -> str:
    """``event_names.js``: the event names of ``GET /v1/events``, written from
    :class:`StreamEvent`, so that the page never restates them."""
    names = json.dumps([event.value for event in StreamEvent])
    return (
        "// The event names of GET /v1/events, written by the bridge from its StreamEvent enum.\n"
        f"export const EVENT_NAMES = Object.freeze({names});\n"
    )


def journal_details_module() -> str:
    """``journal_details.js``: the order of a journal record's details, written from the
    journal's models (:data:`~cardbridge.dmp.journal_details.DETAIL_ORDER`)."""
    names = json.dumps(list(DETAIL_ORDER))
    return (
        "// The details of a journal record, in the order shown, written by the bridge from\n"
        "// its journal models (any other detail follows, as it is named).\n"
        f"export const DETAIL_ORDER = Object.freeze({names});\n"
    )


# Modules of the page written by the bridge from its own definitions, by name.
WRITTEN_MODULES: dict[str, Callable[[], str]] = {
    "event_names.js": event_names_module,
    "journal_details.js": journal_details_module,
}


def file_response(name: str) -> FileResponse:
    """A file of the page's folder, with the page's security headers."""
    path = _FILES.get(name)
    if path is None:
        raise HTTPException(404, f"No file named {name!r} in the status page.")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=SECURITY_HEADERS)


@router.get("/")
async def status_page(
    pairing: Annotated[Literal["failed"] | None, Query()] = None,
) -> FileResponse:
    """The status page (``?pairing=failed``: a pairing link did not work, the page says
    how to get a new one)."""
    return file_response(PAGE)


@router.get("/static/{name}")
async def static_file(name: str) -> Response:
    """A file of the status page (its name only: no sub-folders, no other path)."""
    written = WRITTEN_MODULES.get(name)
    if written is not None:
        return Response(written(), media_type=MEDIA_TYPES[".js"], headers=SECURITY_HEADERS)
    return file_response(name)
