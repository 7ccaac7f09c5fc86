"""The udev rules and the polkit rule that an administrator installs from the source tree."""

from __future__ import annotations

import plistlib
import re
from pathlib import Path

import pytest

from cardbridge.workstation import PCSC_GROUP, POLKIT_RULE, UDEV_RULES
from tests.support.udev_rules import Rule, RulesSyntaxError, parse_line, parse_rules

ROOT = Path(__file__).resolve().parents[2]
# The CCID driver's own list of the readers it supports (Debian's libccid).
CCID_PLIST = Path("/usr/lib/pcsc/drivers/ifd-ccid.bundle/Contents/Info.plist")
HEX4 = re.compile(r"[0-9a-f]{4}")


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return parse_rules(ROOT / UDEV_RULES)


@pytest.fixture(scope="module")
def reader_rules(rules: list[Rule]) -> list[Rule]:
    return [rule for rule in rules if rule.value("ATTR{idVendor}") is not None]


def test_rules_file_reads_and_has_readers(reader_rules: list[Rule]) -> None:
    assert len(reader_rules) >= 10


def test_every_reader_rule_matches_one_usb_id(reader_rules: list[Rule]) -> None:
    for rule in reader_rules:
        for key in ("ATTR{idVendor}", "ATTR{idProduct}"):
            assert HEX4.fullmatch(rule.value(key, "==") or ""), rule  # sysfs: lower-case hex


def test_every_reader_rule_gives_group_mode_and_tag(reader_rules: list[Rule]) -> None:
    for rule in reader_rules:
        assert rule.value("GROUP", "=") == PCSC_GROUP, rule
        assert rule.value("MODE", "=") == "0660", rule
        assert rule.value("TAG", "+=") == "systemd", rule
        assert rule.value("TAG", "+=") != "uaccess"


def test_no_duplicate_ids(reader_rules: list[Rule]) -> None:
    ids = [(r.value("ATTR{idVendor}"), r.value("ATTR{idProduct}")) for r in reader_rules]
    assert len(ids) == len(set(ids))


def test_every_reader_is_named_in_a_comment(reader_rules: list[Rule]) -> None:
    assert all(rule.comment for rule in reader_rules)


def test_ids_are_readers_of_the_ccid_driver(reader_rules: list[Rule]) -> None:
    """Each id, and the name the comment quotes, as the installed CCID driver lists them."""
    plist = plistlib.loads(CCID_PLIST.read_bytes())
    supported = {
        (vendor.lower().removeprefix("0x"), product.lower().removeprefix("0x")): name
        for vendor, product, name in zip(
            plist["ifdVendorID"], plist["ifdProductID"], plist["ifdFriendlyName"], strict=True
        )
    }
    for rule in reader_rules:
        key = (rule.value("ATTR{idVendor}"), rule.value("ATTR{idProduct}"))
        assert key in supported, rule
        assert (rule.comment or "").endswith(f"(list: {supported[key]})"), rule


def test_control_flow(rules: list[Rule]) -> None:
    """Only device additions and changes of USB devices reach the reader rules."""
    gotos = {rule.value("GOTO") for rule in rules} - {None}
    labels = [rule.value("LABEL") for rule in rules if rule.value("LABEL")]
    assert gotos == set(labels) == {"cardbridge_readers_end"}
    assert rules[-1].value("LABEL") == "cardbridge_readers_end"
    guards = [(t.name, t.op, t.value) for rule in rules[:3] for t in rule.tokens[:1]]
    assert guards == [
        ("ACTION", "==", "remove"),
        ("SUBSYSTEM", "!=", "usb"),
        ("ENV{DEVTYPE}", "!=", "usb_device"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        'ATTR{idVendor}="08e6", GROUP="pcscd"',  # assignment where a match was meant
        'ATTR{idVendor}=="08e6" GROUP="pcscd"',  # missing comma
        'ATTR{idVendor}=="08e6", GROUP=="pcscd"',  # match where an assignment was meant
        'ATTR{idVendor}=="08e6, GROUP="pcscd"',  # unbalanced quote
        'ATTR{idVendor}=="08e6", GRUOP="pcscd"',  # unknown key
    ],
)
def test_parser_refuses_mistakes(line: str) -> None:
    with pytest.raises(RulesSyntaxError):
        parse_line(line, 1)


def test_polkit_rule_lets_the_group_in() -> None:
    text = (ROOT / POLKIT_RULE).read_text()
    code = "\n".join(line for line in text.splitlines() if not line.startswith("//"))
    assert '"org.debian.pcsc-lite.access_pcsc"' in code
    assert '"org.debian.pcsc-lite.access_card"' in code
    assert f'subject.isInGroup("{PCSC_GROUP}")' in code
    assert "polkit.Result.YES" in code
    for opening, closing in ("()", "{}", "[]"):
        assert code.count(opening) == code.count(closing)
