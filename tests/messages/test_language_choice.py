"""Which language a request or a command gets: French unless English is asked for."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator

from cardbridge.messages import Text, language_of_environment, language_of_header
from cardbridge.messages.validation import validation_text


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "fr"),
        ("", "fr"),
        ("fr", "fr"),
        ("fr-FR,fr;q=0.9", "fr"),
        ("en", "en"),
        ("en-US", "en"),
        ("EN-gb", "en"),
        # Chromium's default for an English-speaking user.
        ("en-US,en;q=0.9", "en"),
        # A French Firefox: French first, English after.
        ("fr,fr-FR;q=0.8,en-US;q=0.5,en;q=0.3", "fr"),
        ("en;q=0.3, fr;q=0.8", "fr"),
        ("de-DE, en;q=0.5", "en"),  # German is not offered: English is the next wish
        ("de", "fr"),
        ("*", "fr"),
        ("en;q=0", "fr"),  # q=0: "not acceptable" (RFC 9110 §12.4.2)
        ("en;q=0.5, fr;q=0.5", "fr"),  # a tie goes to the default
        ("en;q=abc", "fr"),
    ],
)
def test_accept_language(header: str | None, expected: str) -> None:
    assert language_of_header(header) == expected


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "fr"),
        ({"LANG": "C.UTF-8"}, "fr"),
        ({"LANG": "POSIX"}, "fr"),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_GB"}, "en"),
        # POSIX order: LC_ALL, then LC_MESSAGES, then LANG.
        ({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "fr_FR.UTF-8"}, "fr"),
        ({"LC_ALL": "fr_FR.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "fr"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"LC_ALL": "", "LANG": "en_US.UTF-8"}, "en"),  # an empty variable is unset
    ],
)
def test_environment(environ: dict[str, str], expected: str) -> None:
    assert language_of_environment(environ) == expected


def test_validation_errors_in_both_languages() -> None:
    """pydantic's words in English, ours in French; a validator's Text in both."""

    class Form(BaseModel):
        pin: str = Field(min_length=4)
        title: str = ""

        @field_validator("title")
        @classmethod
        def _title(cls, value: str) -> str:
            if value == "text":
                raise ValueError(Text("titre refusé", "title refused"))
            if value == "plain":
                raise ValueError("plain words")
            return value

    def texts(**given: object) -> list[Text]:
        with pytest.raises(ValidationError) as refused:
            Form.model_validate(given)
        return [validation_text(e["type"], e.get("ctx"), e["msg"]) for e in refused.value.errors()]

    assert texts() == [Text("champ obligatoire", "Field required")]
    assert texts(pin="12") == [
        Text("au moins 4 caractère(s)", "String should have at least 4 characters")
    ]
    assert texts(pin="1234", title="text") == [Text("titre refusé", "title refused")]
    assert texts(pin="1234", title="plain") == [
        Text("valeur non valide (plain words)", "plain words")
    ]
    assert texts(pin=[1]) == [Text("texte attendu", "Input should be a valid string")]
    unknown = validation_text("no_such_type", None, "Some English")
    assert unknown == Text("valeur non valide (Some English)", "Some English")
    # A context without the template's parameter: the template's words as they are.
    assert validation_text("greater_than", {}, "Input should be greater than 3") == Text(
        "valeur supérieure à {gt} attendue", "Input should be greater than 3"
    )
