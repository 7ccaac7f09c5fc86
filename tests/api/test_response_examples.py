"""Every answer that /docs shows has examples, and every example is a valid answer.

The schemas are those of the 2xx answers of the OpenAPI document (event stream items
included), and those they contain.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from cardbridge.config import Settings
from cardbridge.emulator.inprocess import EmulatedBackend
from testkit.server import app_from_settings

# Where the API's answer models live (those of the emulator's profiles are not answers).
ANSWER_PACKAGES = (
    "cardbridge.api.",
    "cardbridge.cards.",
    "cardbridge.service.",
    "cardbridge.auth.",
    "cardbridge.dmp.",
)


def cardbridge_models() -> dict[str, type[BaseModel]]:
    """The pydantic models of the API's answers, by the name the OpenAPI document gives."""
    found: dict[str, type[BaseModel]] = {}
    todo = list(BaseModel.__subclasses__())
    while todo:
        model = todo.pop()
        todo.extend(model.__subclasses__())
        if model.__module__.startswith(ANSWER_PACKAGES) and not model.__name__.startswith("_"):
            assert found.setdefault(model.__name__, model) is model, model.__name__
    return found


CHECKED = cardbridge_models()


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


def direct_answers(document: dict[str, Any]) -> set[str]:
    """The component schemas that are the 2xx answers themselves (or their items)."""
    return {
        name
        for operations in document["paths"].values()
        for operation in operations.values()
        for status, answer in operation["responses"].items()
        if status.startswith("2")
        for name in refs(answer)
    }


def reachable_from_success(document: dict[str, Any]) -> set[str]:
    """The component schemas that a 2xx answer of any operation uses."""
    schemas = document["components"]["schemas"]
    todo = list(direct_answers(document))
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
    openapi: dict[str, Any] = app_from_settings(settings, backend=EmulatedBackend()).openapi()
    return openapi


def checked_answers(document: dict[str, Any]) -> list[str]:
    return sorted(reachable_from_success(document) & set(CHECKED))


def test_the_check_sees_the_answers(document: dict[str, Any]) -> None:
    answers = checked_answers(document)
    # Plain answers, nested ones (TokenCheck) and event stream items (StateData).
    assert {"Health", "Challenge", "WebEidToken", "TokenCheck", "StateData"} <= set(answers)


def test_every_answer_has_examples(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    without = [
        name
        for name in sorted(direct_answers(document))
        if schemas[name].get("type") == "object" and not schemas[name].get("examples")
    ]
    assert without == []


def test_every_example_is_a_valid_answer(document: dict[str, Any]) -> None:
    # Validated as the model gives them: the document drops their null values
    # (FastAPI encodes it without None).
    with_examples = [
        name
        for name in checked_answers(document)
        if "examples" in CHECKED[name].model_json_schema()
    ]
    assert {"Practitioner", "VitaleCard", "PinStatus", "AccessAnswer"} <= set(with_examples)
    for name in with_examples:
        model = CHECKED[name]
        for example in model.model_json_schema()["examples"]:
            model.model_validate(example)
