"""``GET /``: where the status page will be; until then, the API documentation."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

router = APIRouter()


@router.get("/", include_in_schema=False)
async def status_page() -> RedirectResponse:
    return RedirectResponse("/docs")
