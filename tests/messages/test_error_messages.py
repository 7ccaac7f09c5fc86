"""Every message of the catalogue in French and in English: every error class's text, with
the same parameters in both languages, and French that is French."""

from __future__ import annotations

import gc
import re
from pathlib import Path
from types import ModuleType

import pytest

import cardbridge
from cardbridge.dmp.documents import check_file
from cardbridge.errors import (
    CardBridgeError,
    CardDataError,
    InvalidInputError,
    PinInvalidError,
    PinRetryLaterError,
    errors_by_code,
)
from cardbridge.messages import Text, validation
from cardbridge.messages import cli as cli_texts
from cardbridge.messages import configuration as configuration_texts
from cardbridge.messages import data_dir as data_dir_texts
from cardbridge.messages import doctor as doctor_texts
from cardbridge.messages import errors as error_texts
from cardbridge.messages import inputs as input_texts
from cardbridge.messages import refusals as refusal_texts
from tests.support.error_classes import every_error_class

PACKAGE = Path(cardbridge.__file__).parent
CATALOGUE = "cardbridge/messages/errors.py"

# Texts that are the same in both languages on purpose.
SAME_IN_BOTH = {"DMP {state}"}

# English words that a French sentence never has (commands and quoted values aside).
ENGLISH_WORDS = re.compile(r"\b(the|is|are|and|with|your|you|not|to|of|this|must|please)\b")


def _entry_to_add(cls: type[CardBridgeError]) -> str:
    english = getattr(cls, "default_message", None) or "<English text>"
    return (
        f"{cls.__module__}.{cls.__qualname__} (code {cls.code!r}) has no text: add to "
        f"ERROR_TEXTS in {CATALOGUE}\n"
        f"    {cls.message_key!r}: Text(\n"
        f'        "<texte français>",\n'
        f"        {english!r},\n"
        f"    ),"
    )


def test_every_error_class_has_its_text_in_both_languages() -> None:
    missing = [
        _entry_to_add(cls)
        for cls in every_error_class()
        if cls.message_key not in error_texts.ERROR_TEXTS
    ]
    assert not missing, "\n".join(missing)


def test_every_class_text_needs_no_parameter() -> None:
    """A class's own text is said as it is (an error rebuilt by the client from a problem
    document without its detail, a plain-string detail after the French text): no
    ``{name}`` left to fill. Texts with parameters are variants (``pin_invalid_tries``)."""
    with_parameters = sorted(
        f"{cls.__qualname__}: {cls.message_key}"
        for cls in every_error_class()
        if cls.message_key in error_texts.ERROR_TEXTS
        and error_texts.ERROR_TEXTS[cls.message_key].parameters("fr")
    )
    assert with_parameters == []


def test_no_error_class_keeps_its_own_english_text() -> None:
    """One place per text: the catalogue, not a ``default_message`` left on a class."""
    kept = [
        f"{cls.__module__}.{cls.__qualname__}: move default_message into ERROR_TEXTS "
        f"({CATALOGUE}) under {cls.message_key!r}, both languages, and delete it"
        for cls in every_error_class()
        if "default_message" in cls.__dict__
    ]
    assert not kept, "\n".join(kept)


def _texts_of(module: ModuleType) -> dict[str, Text]:
    return {name: value for name, value in vars(module).items() if isinstance(value, Text)}


def _catalogue() -> dict[str, Text]:
    found = {f"ERROR_TEXTS[{key!r}]": text for key, text in error_texts.ERROR_TEXTS.items()}
    found |= {f"TITLES[{status}]": text for status, text in error_texts.TITLES.items()}
    found |= {
        f"validation {key!r}": text for key, text in vars(validation)["_FRENCH_BY_TYPE"].items()
    }
    modules = (
        error_texts,
        input_texts,
        refusal_texts,
        configuration_texts,
        data_dir_texts,
        cli_texts,
        doctor_texts,
        validation,
    )
    for module in modules:
        found |= {f"{module.__name__}.{name}": text for name, text in _texts_of(module).items()}
    return found


CATALOGUE_TEXTS = _catalogue()


@pytest.mark.parametrize("name", sorted(CATALOGUE_TEXTS))
def test_both_languages_take_the_same_parameters(name: str) -> None:
    text = CATALOGUE_TEXTS[name]
    assert text.fr.strip(), f"{name}: no French"
    assert text.en.strip(), f"{name}: no English"
    if name != "cardbridge.messages.errors.TECHNICAL_DETAIL":  # English keeps the detail only
        assert text.parameters("fr") == text.parameters("en"), name


def _prose(french: str) -> str:
    """The French without what is not prose: « quoted » commands, {parameters}, option
    names and header lines."""
    french = re.sub(r"«[^»]*»", "", french)
    french = re.sub(r"\{[^}]*\}", "", french)
    return re.sub(r"\([^)]*_[^)]*\)|--[\w-]+", "", french)


@pytest.mark.parametrize("name", sorted(CATALOGUE_TEXTS))
def test_french_is_french(name: str) -> None:
    text = CATALOGUE_TEXTS[name]
    if text.fr not in SAME_IN_BOTH:
        assert text.fr != text.en, f"{name}: the French text is the English one"
    english = ENGLISH_WORDS.findall(_prose(text.fr))
    assert not english, f"{name}: English words in the French text: {english}"


@pytest.mark.parametrize("name", sorted(CATALOGUE_TEXTS))
def test_french_typography(name: str) -> None:
    """A space before « : », « ; », « ? » and « ! » (outside quoted commands, addresses and
    times), typographic quotes around commands, and no backquote."""
    prose = re.sub(r"«[^»]*»|https?://\S+|\d:\d", "", CATALOGUE_TEXTS[name].fr)
    assert not re.search(r"\S[:;?!](\s|$)", prose), name
    assert "`" not in prose, name
    assert '"' not in prose, name


def test_every_key_the_code_names_is_in_the_catalogue() -> None:
    """``text_of("key")`` and ``ERROR_TEXTS["key"]`` in the package name existing entries
    (the typed constants of messages.inputs and messages.cli are checked by mypy)."""
    named: set[tuple[str, str]] = set()
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for key in re.findall(r"""(?:text_of\(|ERROR_TEXTS\[)\s*["']([\w.]+)["']""", source):
            named.add((str(path.relative_to(PACKAGE)), key))
    assert len(named) > 10
    unknown = sorted((where, key) for where, key in named if key not in error_texts.ERROR_TEXTS)
    assert unknown == []


def test_a_message_follows_the_language_asked_for() -> None:
    """An error built from the catalogue, with a parameter, in each language."""
    assert PinInvalidError(2).message_in("fr") == "Code PIN incorrect. Essais restants : 2."
    assert PinInvalidError(2).message_in("en") == "Wrong PIN. 2 tries left."
    assert str(PinInvalidError(2)) == "Wrong PIN. 2 tries left."  # logs stay in English
    wait = PinRetryLaterError(3)
    assert "patientez 3 s" in wait.message_in("fr")
    assert "wait 3 s" in wait.message_in("en")


def test_the_size_of_a_document_too_large_is_written_the_french_way() -> None:
    """The issue's own example: 5.2 MB in French is 5,2 Mo, digits grouped by narrow
    no-break spaces (U+202F)."""
    with pytest.raises(InvalidInputError) as refused:
        check_file(b"%PDF-" + b"x" * 5_199_995)
    assert refused.value.field == "file"
    assert refused.value.message_in("fr") == (
        "file : le fichier fait 5,2 Mo (5\u202f200\u202f000 octets) ; le DMP accepte au plus "
        "5 Mo (5\u202f000\u202f000 octets)"
    )
    assert refused.value.message_in("en") == (
        "file: the file is 5.2 MB (5,200,000 bytes); the DMP accepts at most 5 MB (5,000,000 bytes)"
    )


def test_a_technical_detail_keeps_its_words_after_the_french_message() -> None:
    error = CardDataError("Malformed BER-TLV at offset 3: length runs past the end")
    assert error.message_in("en") == "Malformed BER-TLV at offset 3: length runs past the end"
    assert error.message_in("fr") == (
        "Les données de la carte sont illisibles ou incohérentes. La carte est peut-être "
        "endommagée : contactez l'émetteur de la carte. Détail technique : Malformed "
        "BER-TLV at offset 3: length runs past the end"
    )


def _a_new_class_speaks() -> str:
    """Define an error class as another branch would, without its catalogue entry; what
    the catalogue's test would say about it."""

    class DmpGapError(CardBridgeError):
        code = "dmp_gap"
        default_message = "The DMP has a gap."

    class DmpGapDetailError(DmpGapError):
        code = "dmp_gap_detail"

    assert DmpGapError.message_key == "dmp_gap"
    # Until its entry is written, it says its English text in both languages.
    assert DmpGapError().message_in("fr") == "The DMP has a gap."
    assert DmpGapError().message_in("en") == "The DMP has a gap."
    # A subclass with neither: its parent's words.
    assert DmpGapDetailError().message_in("fr") == "The DMP has a gap."
    return _entry_to_add(DmpGapError)


def test_a_new_class_without_a_text_is_named_with_the_entry_to_write() -> None:
    """What the catalogue's test tells the engineer who adds an error class."""
    said = _a_new_class_speaks()
    gc.collect()  # the classes above are gone: other tests do not see them
    assert "dmp_gap" not in errors_by_code()
    assert said.startswith(
        "tests.messages.test_error_messages._a_new_class_speaks.<locals>.DmpGapError (code "
        f"'dmp_gap') has no text: add to ERROR_TEXTS in {CATALOGUE}\n"
    )
    assert said.endswith(
        "    'dmp_gap': Text(\n        \"<texte français>\",\n        'The DMP has a gap.',\n    ),"
    )
