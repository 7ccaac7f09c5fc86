"""Every answer model that /docs shows has examples, and they are valid answers.

The schemas are those reachable from the 2xx answers of the OpenAPI document (event
stream items included). Checked: the models of ``cardbridge.api.models``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from cardbridge.api import models
from cardbridge.api.app import create_app
from cardbridge.config import Settings
from cardbridge.emulator.inprocess import EmulatedBackend

CHECKED = {
    name: model
    for name, model in inspect.getmembers(models, inspect.isclass)
    if issubclass(model, BaseModel) and model.__module__ == models.__name__
}


def refs(node: Any) -> Iterator[str]:
    """The component names that ``node`` refers to, at any depth."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref.rsplit("/", 1)[-1]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def reachable_from_success(document: dict[str, Any]) -> set[str]:
    """The component schemas that a 2xx answer of any operation uses."""
    schemas = document["components"]["schemas"]
    todo = [
        name
        for operations in document["paths"].values()
        for operation in operations.values()
        for status, answer in operation["responses"].items()
        if status.startswith("2")
        for name in refs(answer)
    ]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(refs(schemas[name]))
    return seen


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    settings = Settings(port=8470, api_token="t" * 16, data_dir=tmp_path_factory.mktemp("docs"))
    openapi: dict[str, Any] = create_app(settings, backend=EmulatedBackend()).openapi()
    return openapi


def checked_answers(document: dict[str, Any]) -> list[str]:
    return sorted(reachable_from_success(document) & set(CHECKED))


def test_the_check_sees_the_answers(document: dict[str, Any]) -> None:
    answers = checked_answers(document)
    # Plain answers, nested ones (TokenCheck) and event stream items (StateData).
    assert {"Health", "Challenge", "WebEidToken", "TokenCheck", "StateData"} <= set(answers)


def test_every_answer_model_has_valid_examples(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    without = [name for name in checked_answers(document) if not schemas[name].get("examples")]
    assert without == []
    # Validated as the model gives them: the document drops their null values
    # (FastAPI encodes it without None).
    for name in checked_answers(document):
        model = CHECKED[name]
        for example in model.model_json_schema()["examples"]:
            model.model_validate(example)
