"""Every error class of the package has its code's HTTP status in the one table, every code
of the table is answered by some class or by the web framework, every code has its OpenAPI
example, and every code names one meaning."""

from __future__ import annotations

import json
import subprocess
import sys

import cardbridge.errors as package
from cardbridge.api.problems import PROBLEM_MEDIA_TYPE, error_responses
from cardbridge.errors import errors_by_code
from cardbridge.errors.http_status import (
    FRAMEWORK_CODES,
    FRAMEWORK_DEFAULT_CODE,
    STATUS_BY_CODE,
    status_of,
)
from cardbridge.messages.errors import UNKNOWN_TITLE
from tests.support.error_classes import every_error_class


def _in_the_errors_package(cls: type) -> bool:
    return cls.__module__ == "cardbridge.errors" or cls.__module__.startswith("cardbridge.errors.")


def test_every_error_code_has_its_http_status() -> None:
    missing = sorted(
        f"{cls.__module__}.{cls.__qualname__}: {cls.code}"
        for cls in every_error_class()
        if cls.code not in STATUS_BY_CODE
    )
    assert missing == []


def test_every_code_of_the_status_table_is_answered_by_a_class_or_the_framework() -> None:
    """No dead entry: a code that no class has and the framework never answers is a fact
    about nothing (a class renamed, or removed, without its line)."""
    answered = {cls.code for cls in every_error_class()} | set(FRAMEWORK_CODES.values())
    answered.add(FRAMEWORK_DEFAULT_CODE)
    assert sorted(set(STATUS_BY_CODE) - answered) == []


def test_the_framework_codes_keep_the_framework_status() -> None:
    """An HTTP error of the framework is answered with the code whose status it has (a 405
    stays a 405), and its default code is one of the table's."""
    assert {status: status_of(code) for status, code in FRAMEWORK_CODES.items()} == {
        status: status for status in FRAMEWORK_CODES
    }
    assert FRAMEWORK_DEFAULT_CODE in STATUS_BY_CODE


def test_a_code_outside_the_table_is_an_internal_error() -> None:
    assert "no_such_code" not in STATUS_BY_CODE
    assert status_of("no_such_code") == 500


def test_every_code_has_its_example_in_the_api_document() -> None:
    """The OpenAPI answers of any code show an example with a text of the catalogue (not
    the unknown problem's title) and the code's own status."""
    unknown = {UNKNOWN_TITLE.fr, UNKNOWN_TITLE.en}
    without: list[str] = []
    for code, status in sorted(STATUS_BY_CODE.items()):
        answers = error_responses(code)
        assert list(answers) == [status], code
        examples = answers[status]["content"][PROBLEM_MEDIA_TYPE]["examples"]
        example = examples[code]["value"]
        assert (example["code"], example["status"]) == (code, status)
        if not example["detail"] or example["detail"] in unknown:
            without.append(code)
    assert without == []


def test_the_client_finds_every_code_once_the_package_is_imported() -> None:
    codes = {cls.code for cls in every_error_class()}
    assert set(errors_by_code()) == codes
    assert errors_by_code()["dmp_refused"].__name__ == "DmpRefusedError"
    assert errors_by_code()["unauthorized"].__name__ == "AuthError"


def test_a_class_outside_the_errors_package_adds_no_code() -> None:
    """The transport's subclasses (a status word, a TLV offset) live next to what raises
    them, with the code of their parent in the errors package: so the code→class table
    needs nothing but the errors package."""
    own_codes = {cls.code for cls in every_error_class() if _in_the_errors_package(cls)}
    outside = [cls for cls in every_error_class() if not _in_the_errors_package(cls)]
    assert {cls.__name__ for cls in outside} >= {"ApduError", "TlvError"}  # the check sees them
    assert (
        sorted(f"{cls.__module__}.{cls.__name__}" for cls in outside if cls.code not in own_codes)
        == []
    )


def test_the_errors_package_alone_knows_every_code_and_imports_nothing_heavy() -> None:
    """In a fresh interpreter: ``import cardbridge.errors`` registers every code, and
    imports no other cardbridge layer than the catalogue, and no heavy package (the CLI
    imports it to start)."""
    probe = (
        "import json, sys\n"
        "from cardbridge.errors import errors_by_code\n"
        "print(json.dumps([sorted(errors_by_code()), sorted(sys.modules)]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    codes, modules = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(codes) == {cls.code for cls in every_error_class()}
    ours = {name for name in modules if name.split(".")[0] == "cardbridge"}
    assert (
        sorted(
            name
            for name in ours
            if name != "cardbridge"
            and not name.startswith(("cardbridge.errors", "cardbridge.messages"))
        )
        == []
    )
    heavy = {"fastapi", "starlette", "pydantic", "cryptography", "lxml", "smartcard", "httpx"}
    assert sorted({name.split(".")[0] for name in modules} & heavy) == []


def test_every_class_of_the_errors_package_is_found_in_cardbridge_errors() -> None:
    """``from cardbridge.errors import X`` works for every class, whichever module holds it."""
    defined = {cls.__name__: cls for cls in every_error_class() if _in_the_errors_package(cls)}
    assert len(defined) > 50  # the check sees the classes
    assert (
        sorted(name for name, cls in defined.items() if getattr(package, name, None) is not cls)
        == []
    )
    assert set(defined) <= set(package.__all__)
