"""The DMP models' OpenAPI examples: valid answers, made of the demo cards' data only."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from cardbridge.api import dmp_models
from cardbridge.config import Settings
from cardbridge.domain.nir import parse_nir
from cardbridge.emulator.profiles import VitaleProfile, load_profile
from testkit.server import TOKEN, app_from_settings

MODELS = [
    model
    for model in vars(dmp_models).values()
    if isinstance(model, type)
    and issubclass(model, BaseModel)
    and model.__module__ == dmp_models.__name__
    and not model.__name__.startswith("_")
]
# A NIR or INS matricule, 13 or 15 digits (spaced or not), not part of a longer number.
_NIR = re.compile(r"(?<![0-9])[12](?: ?[0-9]){12}(?:(?: ?[0-9]){2})?(?![0-9])")


def examples(model: type[BaseModel]) -> list[dict[str, Any]]:
    extra = model.model_config.get("json_schema_extra")
    assert isinstance(extra, dict), f"{model.__name__} has no examples"
    found = extra["examples"]
    assert isinstance(found, list)
    return found


def test_every_dmp_model_has_examples() -> None:
    assert {model.__name__ for model in MODELS} >= {
        "DocumentTypeInfo",
        "InsInfo",
        "Patient",
        "AccessBody",
        "AccessAnswer",
        "JournalEntryModel",
        "JournalCheck",
        "DepositAnswer",
    }
    for model in MODELS:
        assert examples(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_examples_are_valid(model: type[BaseModel]) -> None:
    for example in examples(model):
        model.model_validate(example)


def demo_nirs() -> set[str]:
    vitale = load_profile("demo-vitale")
    assert isinstance(vitale, VitaleProfile)
    numbers = [vitale.insured.nir] + [
        b.certified_nir for b in vitale.beneficiaries if b.certified_nir is not None
    ]
    nirs = [parse_nir(number) for number in numbers]
    return {nir.body for nir in nirs} | {nir.value for nir in nirs}


def test_documentation_shows_only_the_demo_cards_people(tmp_path: Path) -> None:
    document = app_from_settings(
        Settings(data_dir=tmp_path, emulator=True), api_token=TOKEN
    ).openapi()
    dmp_parts = json.dumps(
        [
            {path: operations for path, operations in document["paths"].items() if "/dmp/" in path},
            document["components"]["schemas"],
        ],
        ensure_ascii=False,
    )
    found = {match.replace(" ", "") for match in _NIR.findall(dmp_parts)}
    assert found
    assert found <= demo_nirs()
    for route, method in (
        ("/v1/dmp/access", "post"),
        ("/v1/dmp/documents", "post"),
        ("/v1/dmp/journal/verify", "get"),
    ):
        operation = document["paths"][route][method]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        name = schema["$ref"].rsplit("/", 1)[-1]
        assert document["components"]["schemas"][name]["examples"]
