"""Routers of the HTTP API, one module per resource, all listed in :data:`ROUTERS`.

A new resource (the DMP workflows, the status page) adds its module here; the app
factory includes every router of the list.
"""

from __future__ import annotations

from fastapi import APIRouter

from cardbridge.api.routes import (
    approvals,
    auth,
    cps,
    dmp,
    dmp_documents,
    dmp_records,
    docs,
    events,
    health,
    pairing,
    readers,
    status,
    vitale,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    readers.router,
    events.router,
    cps.router,
    auth.router,
    vitale.router,
    dmp.router,
    dmp_records.router,
    dmp_documents.router,
    pairing.router,
    approvals.router,
    status.router,
    docs.router,
)
