"""A strict reader of udev rules files, for the tests of the files cardbridge ships.

udev's own checker (``udevadm verify``) needs systemd 254; Debian 12 has 252. This
parser accepts the subset of udev(7) that the rules use and refuses anything else, so
that a typo (a missing quote, ``=`` for ``==``, an unknown key) fails a test instead of
being ignored by udev with a log line nobody reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# KEY{attribute}OPERATOR"value", as udev(7) writes them.
_TOKEN = re.compile(
    r'(?P<key>[A-Z_]+)(?:\{(?P<attr>[^}]+)\})?(?P<op>==|!=|\+=|-=|:=|=)"(?P<value>[^"]*)"'
)
MATCH_KEYS = frozenset({"ACTION", "SUBSYSTEM", "ENV", "ATTR", "ATTRS", "KERNEL", "DRIVERS"})
ASSIGN_KEYS = frozenset({"GROUP", "MODE", "OWNER", "TAG", "ENV", "GOTO", "LABEL", "RUN"})
MATCH_OPS = frozenset({"==", "!="})
ASSIGN_OPS = frozenset({"=", "+=", "-=", ":="})


class RulesSyntaxError(ValueError):
    """A line udev would not read as intended."""


@dataclass(frozen=True)
class Token:
    key: str
    attr: str | None
    op: str
    value: str

    @property
    def name(self) -> str:
        return f"{self.key}{{{self.attr}}}" if self.attr else self.key


@dataclass(frozen=True)
class Rule:
    line: int
    tokens: tuple[Token, ...]
    comment: str | None  # the comment line right above, if any

    def value(self, name: str, op: str | None = None) -> str | None:
        for token in self.tokens:
            if token.name == name and (op is None or token.op == op):
                return token.value
        return None


def parse_line(text: str, number: int) -> tuple[Token, ...]:
    tokens = []
    for part in text.split(", "):
        match = _TOKEN.fullmatch(part.strip())
        if not match:
            raise RulesSyntaxError(f"line {number}: cannot read {part!r}")
        token = Token(match["key"], match["attr"], match["op"], match["value"])
        allowed = MATCH_KEYS if token.op in MATCH_OPS else ASSIGN_KEYS
        if token.key not in allowed:
            raise RulesSyntaxError(f"line {number}: {token.name}{token.op} is not valid")
        tokens.append(token)
    return tuple(tokens)


def parse_rules(path: Path) -> list[Rule]:
    """Every rule line of ``path``; raises :class:`RulesSyntaxError` on the first bad one."""
    rules = []
    comment = None
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if raw != raw.rstrip() or "\t" in raw:
            raise RulesSyntaxError(f"line {number}: stray whitespace")
        if not line:
            comment = None
        elif line.startswith("#"):
            comment = line.lstrip("# ")
        else:
            rules.append(Rule(number, parse_line(line, number), comment))
            comment = None
    return rules
