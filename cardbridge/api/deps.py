"""Dependencies of the routes, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from cardbridge.errors import CallerForbiddenError, InvalidInputError, PairingRequiredError
from cardbridge.messages import inputs as say
from cardbridge.service.bridge import Bridge
from cardbridge.service.callers import Caller, CallerKind


async def get_bridge(request: Request) -> Bridge:
    """The app's running :class:`Bridge` (set up by its lifespan); async, so that
    FastAPI does not hand it to a worker thread."""
    return cast(Bridge, request.app.state.bridge)


async def get_origin(request: Request) -> str | None:
    """The request's ``Origin`` as validated by the security middleware; ``None`` for a
    native client (which authenticated with the local API token)."""
    return cast(str | None, getattr(request.state, "origin", None))


async def get_caller(request: Request) -> Caller:
    """The caller the security middleware identified (an open path serves nobody in
    particular: a route that needs a caller refuses then)."""
    caller = getattr(request.state, "caller", None)
    if not isinstance(caller, Caller):
        raise PairingRequiredError
    return caller


_WHO = {
    CallerKind.NATIVE: "the clinician's own software (API token)",
    CallerKind.PAGE: "the bridge's status page",
    CallerKind.ORIGIN: "an approved web application",
}


def only(*kinds: CallerKind, what: str) -> Any:
    """A route dependency that refuses (``caller_forbidden``) any caller not of ``kinds``;
    ``what`` names the action. Run before the body is validated, so a refused caller
    learns nothing of the body's rules."""

    async def allowed(request: Request) -> None:
        caller = await get_caller(request)
        if caller.kind not in kinds:
            who = " or ".join(_WHO[kind] for kind in kinds)
            raise CallerForbiddenError(f"{what} is for {who} only.")

    return Depends(allowed)


BridgeDep = Annotated[Bridge, Depends(get_bridge)]
CallerDep = Annotated[Caller, Depends(get_caller)]
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


def _query_names(dependant: Dependant) -> frozenset[str]:
    names = frozenset(field.alias for field in dependant.query_params)
    return names.union(*(_query_names(sub) for sub in dependant.dependencies))


# By path and methods: routes are not hashable, and the names do not change.
_known: dict[tuple[str, frozenset[str]], frozenset[str]] = {}


def _route_query_names(route: APIRoute) -> frozenset[str]:
    key = (route.path, frozenset(route.methods or ()))
    names = _known.get(key)
    if names is None:
        names = _known[key] = _query_names(route.dependant)
    return names


async def known_query_only(request: Request) -> None:
    """Refuse a query parameter the route does not know: a misspelt ``reader`` must not
    silently mean "the first reader with a card" (an app-wide dependency). A parameter
    given twice is refused too: which one would count is not for the bridge to guess
    (no query parameter of the API is a list)."""
    route = request.scope.get("route")
    if isinstance(route, APIRoute) and request.query_params:
        unknown = sorted(set(request.query_params) - _route_query_names(route))
        if unknown:
            raise InvalidInputError(say.NOT_A_PARAMETER, field=unknown[0])
        names = [name for name, _ in request.query_params.multi_items()]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise InvalidInputError(say.GIVEN_TWICE, field=repeated[0])
