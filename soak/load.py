"""Calls to the API, judged one by one against what the route may answer.

Every answer is one of: ``ok`` (2xx, and its body is what the route's response model
says), an *expected* error (a code that card insertions and removals explain, listed
per route in :data:`soak.plan.EXPECTED_ERRORS`), or *unexpected* (any other code, a
transport error, a body outside the schema, a failed content check). Separately, a
status that the OpenAPI document does not list for the operation is counted.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError

# At most this many unexpected answers are kept with their details for the report.
EXAMPLES_KEPT = 20

Check = Callable[[httpx.Response], str | None]
"""A content check of a 2xx answer: ``None`` if right, else what is wrong."""


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """What the app says of one operation: its documented statuses and answer model."""

    statuses: frozenset[str]
    model: TypeAdapter[Any] | None


def route_specs(app: FastAPI) -> dict[str, RouteSpec]:
    """``"METHOD /path"`` → its spec, from the app's OpenAPI document and routes."""
    models = {
        f"{method} {route.path}": route.response_model
        for route in app.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    specs: dict[str, RouteSpec] = {}
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            model = models.get(label)
            specs[label] = RouteSpec(
                frozenset(operation["responses"]),
                TypeAdapter(model) if model is not None else None,
            )
    return specs


@dataclass
class RouteTally:
    """The answers of one route."""

    calls: int = 0
    ok: int = 0
    expected: Counter[str] = field(default_factory=Counter)
    unexpected: Counter[str] = field(default_factory=Counter)
    outside_schema: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class Unexpected:
    """One unexpected answer, for the report."""

    elapsed: float
    route: str
    outcome: str
    detail: str


class Tally:
    """The answers of every route; shared by the client threads."""

    def __init__(self, routes: Mapping[str, frozenset[str]]) -> None:
        self.expected_errors = dict(routes)
        self.routes = {label: RouteTally() for label in routes}
        self.examples: list[Unexpected] = []
        self._start = time.monotonic()
        self._lock = threading.Lock()

    def _route(self, label: str) -> RouteTally:
        tally = self.routes.get(label)
        if tally is None:
            raise KeyError(f"{label} is called but not listed in EXPECTED_ERRORS")
        return tally

    def ok(self, label: str) -> None:
        with self._lock:
            route = self._route(label)
            route.calls += 1
            route.ok += 1

    def error(self, label: str, code: str, detail: str) -> None:
        """An error answer: expected if its code is listed for the route."""
        with self._lock:
            route = self._route(label)
            route.calls += 1
            if code in self.expected_errors[label]:
                route.expected[code] += 1
                return
        self.unexpected(label, code, detail, counted=True)

    def unexpected(self, label: str, outcome: str, detail: str, *, counted: bool = False) -> None:
        with self._lock:
            route = self._route(label)
            if not counted:
                route.calls += 1
            route.unexpected[outcome] += 1
            if len(self.examples) < EXAMPLES_KEPT:
                elapsed = time.monotonic() - self._start
                self.examples.append(Unexpected(elapsed, label, outcome, detail[:300]))

    def outside_schema(self, label: str, status: str) -> None:
        with self._lock:
            self._route(label).outside_schema[status] += 1

    def totals(self) -> tuple[int, int, int, int]:
        """Calls, ok, expected errors, unexpected answers, over every route."""
        with self._lock:
            routes = list(self.routes.values())
            return (
                sum(r.calls for r in routes),
                sum(r.ok for r in routes),
                sum(r.expected.total() for r in routes),
                sum(r.unexpected.total() for r in routes),
            )

    def never_ok(self) -> list[str]:
        """The routes that have not answered 2xx yet."""
        with self._lock:
            return [label for label, route in self.routes.items() if route.ok == 0]


def seeded(seed: int) -> random.Random:
    """A random generator for the load's pattern (seeded: runs are comparable)."""
    return random.Random(seed)  # noqa: S311 - a load pattern, not a secret


class SoakOverError(Exception):
    """Raised before a call once the soak is over."""


@dataclass(frozen=True, slots=True)
class Pacing:
    """A client thread's random pause before each call, and the soak's end."""

    rng: random.Random
    stop: threading.Event
    pause: tuple[float, float]


class Caller:
    """One client thread's connection, recording each answer in the tally."""

    def __init__(
        self, http: httpx.Client, specs: Mapping[str, RouteSpec], tally: Tally, pacing: Pacing
    ) -> None:
        self.http = http
        self.specs = specs
        self.tally = tally
        self.pacing = pacing

    @property
    def rng(self) -> random.Random:
        """The thread's own random generator (seeded: runs are comparable)."""
        return self.pacing.rng

    def call(
        self, method: str, path: str, *, check: Check | None = None, **request: Any
    ) -> httpx.Response | None:
        """The answer if it is ``ok``, else ``None`` (the tally has it).

        Pauses first; raises :class:`SoakOverError` instead once the soak is over."""
        if self.pacing.stop.wait(self.rng.uniform(*self.pacing.pause)):
            raise SoakOverError
        label = f"{method} {path}"
        try:
            response = self.http.request(method, path, **request)
        except httpx.TransportError as error:
            self.tally.unexpected(label, f"transport {type(error).__name__}", str(error))
            return None
        status = str(response.status_code)
        spec = self.specs[label]
        if status not in spec.statuses:
            self.tally.outside_schema(label, status)
        if not response.is_success:
            self.tally.error(label, _problem_code(response), response.text)
            return None
        if spec.model is not None:
            try:
                spec.model.validate_json(response.content)
            except ValidationError as error:
                self.tally.unexpected(label, "answer outside its model", str(error))
                return None
        wrong = check(response) if check is not None else None
        if wrong is not None:
            self.tally.unexpected(label, wrong, response.text)
            return None
        self.tally.ok(label)
        return response


def _problem_code(response: httpx.Response) -> str:
    try:
        document = response.json()
    except ValueError:
        document = None
    code = document.get("code") if isinstance(document, dict) else None
    return str(code) if code else f"HTTP {response.status_code} without code"
