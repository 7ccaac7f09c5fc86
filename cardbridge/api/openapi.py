"""The OpenAPI document: FastAPI's, plus the problem schema, the event models and the
local API token as a security scheme."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from cardbridge.api.models import HeartbeatData, ReaderEventData, StateData
from cardbridge.api.problems import problem_schema

DESCRIPTION = """\
Local API of **cardbridge**: the practitioner's CPS card and the patient's Vitale card,
read through PC/SC, for DMP access workflows and web applications.

* Listens on loopback only; the `Host` header must be `127.0.0.1:PORT`, `localhost:PORT`
  or `[::1]:PORT`.
* Browsers: the page's `Origin` must be allowed (`CARDBRIDGE_ALLOWED_ORIGINS`); CORS and
  Private/Local Network Access preflights are answered for allowed origins only.
* Native software and scripts (no `Origin`): `Authorization: Bearer <token>`, the token
  being `CARDBRIDGE_API_TOKEN` or the content of the config dir's `api-token` file
  (`cardbridge config token-path`; `~/.config/cardbridge/api-token` by default).
* Errors are RFC 9457 `application/problem+json` documents with a stable `code`.
"""

SECURITY_SCHEME = "localApiToken"
_EVENT_MODELS: tuple[type[BaseModel], ...] = (StateData, ReaderEventData, HeartbeatData)


def build_openapi(app: FastAPI, open_paths: frozenset[str]) -> dict[str, Any]:
    """The document of ``app``; routes outside ``open_paths`` need the token."""
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=DESCRIPTION,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, schema in [("Problem", problem_schema())] + [
        (model.__name__, model.model_json_schema(ref_template="#/components/schemas/{model}"))
        for model in _EVENT_MODELS
    ]:
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
    components["securitySchemes"] = {
        SECURITY_SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "description": "The local API token, for clients that send no `Origin`.",
        }
    }
    for path, operations in document.get("paths", {}).items():
        if path in open_paths:
            continue
        for operation in operations.values():
            operation["security"] = [{SECURITY_SCHEME: []}]
    return document
