"""A reader of systemd unit files (systemd.syntax(7)): sections, keys, repeated keys."""

from __future__ import annotations

import re

_SECTION = re.compile(r"\[(?P<name>[A-Za-z]+)\]")
_ASSIGNMENT = re.compile(r"(?P<key>[A-Za-z][A-Za-z0-9]*)=(?P<value>.*)")


class UnitSyntaxError(ValueError):
    """A line systemd would refuse or misread."""


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """``{section: {key: [values in order]}}``; raises :class:`UnitSyntaxError`."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith(("#", ";")):
            continue
        if line != line.strip() or line.endswith("\\"):
            raise UnitSyntaxError(f"line {number}: stray whitespace or continuation")
        if section := _SECTION.fullmatch(line):
            if section["name"] in sections:
                raise UnitSyntaxError(f"line {number}: section [{section['name']}] repeated")
            current = sections.setdefault(section["name"], {})
        elif (assignment := _ASSIGNMENT.fullmatch(line)) and current is not None:
            current.setdefault(assignment["key"], []).append(assignment["value"])
        else:
            raise UnitSyntaxError(f"line {number}: not a section nor a key=value: {line!r}")
    return sections
