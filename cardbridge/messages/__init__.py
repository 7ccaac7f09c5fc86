"""The messages people read, in French (the default) and in English.

A message is a :class:`Text`: its French and English versions side by side, with the
same ``{name}`` parameters. The catalogue is typed Python rather than gettext files
(docs/messages.md says why). :func:`language_of_header` picks the language of an API
answer from ``Accept-Language``; :func:`language_of_environment` the CLI's and the
doctor's from ``LC_ALL``, ``LC_MESSAGES`` and ``LANG``. French whenever English is not
asked for.
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")
DEFAULT_LANGUAGE: Language = "fr"


@dataclass(frozen=True, slots=True)
class Text:
    """One message in both languages; ``{name}`` fields are filled by :meth:`format`."""

    fr: str
    en: str

    def format(self, **params: object) -> Text:
        """The message with its parameters filled in, in both languages (a parameter that
        is a :class:`Text` gives each language its own version)."""
        return Text(
            self.fr.format(**{k: v.fr if isinstance(v, Text) else v for k, v in params.items()}),
            self.en.format(**{k: v.en if isinstance(v, Text) else v for k, v in params.items()}),
        )

    def inside(self, template: Text, **params: object) -> Text:
        """``template`` with this message as its ``{message}``."""
        return template.format(message=self, **params)

    def __str__(self) -> str:
        return self.en

    def in_(self, language: Language) -> str:
        """The message in ``language``."""
        return self.en if language == "en" else self.fr

    def parameters(self, language: Language) -> set[str]:
        """The names of the ``{name}`` fields of one version (the two must agree)."""
        return {
            name
            for _, name, _, _ in string.Formatter().parse(self.in_(language))
            if name is not None
        }


def language_of_header(accept_language: str | None) -> Language:
    """The language of an answer to a request with this ``Accept-Language`` (RFC 9110,
    section 12.5.4): the preferred of French and English, French when the header is
    absent, names neither, or ranks them equally."""
    best: tuple[float, Language] = (0.0, DEFAULT_LANGUAGE)
    for item in (accept_language or "").split(","):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > best[0] or (quality == best[0] and primary == DEFAULT_LANGUAGE):
            best = (quality, "en" if primary == "en" else "fr")
    return best[1]


def language_of_environment(environ: Mapping[str, str] | None = None) -> Language:
    """The language of the CLI and the doctor: the first of ``LC_ALL``, ``LC_MESSAGES``
    and ``LANG`` that is set, as POSIX orders them; English when it names English,
    French otherwise (``C`` and ``POSIX`` ask for no language in particular)."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE
