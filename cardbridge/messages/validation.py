"""What is wrong with a refused request's field, in French and English.

FastAPI's validation (pydantic) words its errors in English; the French of the common
ones is here, by pydantic's error ``type`` (its documented, stable names). A validator of
ours that raises ``ValueError(text)`` with a :class:`~cardbridge.messages.Text` gives
both languages itself.
"""

from __future__ import annotations

from cardbridge.messages import Text

_FRENCH_BY_TYPE: dict[str, Text] = {
    "missing": Text("champ obligatoire", "Field required"),
    "extra_forbidden": Text("champ inconnu", "Extra inputs are not permitted"),
    "string_type": Text("texte attendu", "Input should be a valid string"),
    "string_too_short": Text(
        "au moins {min_length} caractère(s)",
        "String should have at least {min_length} characters",
    ),
    "string_too_long": Text(
        "au plus {max_length} caractères", "String should have at most {max_length} characters"
    ),
    "string_pattern_mismatch": Text(
        "format non valide (motif {pattern})", "String should match pattern '{pattern}'"
    ),
    "int_parsing": Text("nombre entier attendu", "Input should be a valid integer"),
    "int_type": Text("nombre entier attendu", "Input should be a valid integer"),
    "bool_parsing": Text("true ou false attendu", "Input should be a valid boolean"),
    "bool_type": Text("true ou false attendu", "Input should be a valid boolean"),
    "greater_than_equal": Text(
        "valeur supérieure ou égale à {ge} attendue",
        "Input should be greater than or equal to {ge}",
    ),
    "less_than_equal": Text(
        "valeur inférieure ou égale à {le} attendue", "Input should be less than or equal to {le}"
    ),
    "greater_than": Text("valeur supérieure à {gt} attendue", "Input should be greater than {gt}"),
    "less_than": Text("valeur inférieure à {lt} attendue", "Input should be less than {lt}"),
    "literal_error": Text("valeur attendue : {expected}", "Input should be {expected}"),
    "enum": Text("valeur attendue : {expected}", "Input should be {expected}"),
    "json_invalid": Text("JSON non valide", "JSON decode error"),
    "model_attributes_type": Text("objet JSON attendu", "Input should be a valid dictionary"),
    "dict_type": Text("objet JSON attendu", "Input should be a valid dictionary"),
    "list_type": Text("liste attendue", "Input should be a valid list"),
    "date_from_datetime_parsing": Text(
        "date attendue (AAAA-MM-JJ)", "Input should be a valid date"
    ),
    "date_parsing": Text("date attendue (AAAA-MM-JJ)", "Input should be a valid date"),
    "datetime_parsing": Text("date et heure attendues", "Input should be a valid datetime"),
}

_UNTRANSLATED = Text("valeur non valide ({message})", "{message}")
"""A message we have no French for: pydantic's own English words, inside French ones."""


def validation_text(
    error_type: str,
    context: dict[str, object] | None = None,
    english: str = "",
) -> Text:
    """What is wrong, for pydantic's error ``error_type`` with its ``context``;
    ``english`` is pydantic's own message (kept as the English text when given)."""
    found = (context or {}).get("error")
    if isinstance(found, Exception):  # a validator's own ValueError
        if found.args and isinstance(found.args[0], Text):
            return found.args[0]
        english = str(found)
    known = _FRENCH_BY_TYPE.get(error_type)
    if known is None:
        return _UNTRANSLATED.format(message=english or error_type)
    try:
        text = known.format(**(context or {}))
    except (KeyError, IndexError):
        text = Text(known.fr, known.en)
    return Text(text.fr, english or text.en)


# --- The validators of dates typed by users (cardbridge.dmp.period) ----------------------------
DATE_WRITTEN = Text(
    "date attendue au format AAAA-MM-JJ (2026-11-26)",
    "expected a date written YYYY-MM-DD (2026-11-26)",
)
MOMENT_EXPECTED = Text(
    "date ISO 8601 attendue (2026-11-26), ou date et heure (2026-11-26T09:30, "
    "2026-11-26T09:30:00+01:00)",
    "expected an ISO 8601 date (2026-11-26) or date-time (2026-11-26T09:30, "
    "2026-11-26T09:30:00+01:00)",
)
NOT_A_MOMENT = Text(
    "{text} n'est pas une date ou une heure réelle ({expected})",
    "{text} is not a real date or time ({expected})",
)
