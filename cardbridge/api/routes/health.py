"""``GET /v1/health``: is the bridge up, which readers does it serve, is pcscd there."""

from __future__ import annotations

from fastapi import APIRouter

from cardbridge import __version__
from cardbridge.api.deps import BridgeDep
from cardbridge.api.models import Health
from cardbridge.api.problems import error_responses
from cardbridge.api.routes.common import OPEN_ROUTE_CODES

router = APIRouter(tags=["bridge"])


@router.get(
    "/v1/health",
    summary="Health of the bridge (open: no token needed)",
    responses=error_responses(*OPEN_ROUTE_CODES),
)
async def health(bridge: BridgeDep) -> Health:
    """Answers without touching any card; `pcsc` is `down` while pcscd is unreachable."""
    up = bridge.readers.available
    return Health(
        status="ok" if up else "degraded",
        version=__version__,
        backend=bridge.backend.kind,
        pcsc="up" if up else "down",
        dmp_patient_pages=bridge.dmp.patient_pages,
    )
