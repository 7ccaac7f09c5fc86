"""Profiles: the DESIGN.md schema, packaged profiles, and refusals that name the field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cardbridge.emulator.profiles import (
    CpsProfile,
    VitaleProfile,
    list_profiles,
    load_profile,
    parse_profile,
)
from cardbridge.errors import ProfileError

PROFILES = Path(__file__).parents[2] / "cardbridge" / "emulator" / "profiles"


def raw(name: str) -> dict[str, Any]:
    data = yaml.safe_load((PROFILES / f"{name}.yaml").read_text())
    assert isinstance(data, dict)
    return data


def test_packaged_profiles() -> None:
    names = list_profiles()
    assert {"demo-cps", "demo-vitale"} <= set(names)
    assert len(names) >= 8
    for name in names:
        load_profile(name)


def test_demo_cards_use_the_ans_test_codes() -> None:
    cps = load_profile("demo-cps")
    assert isinstance(cps, CpsProfile)
    assert (cps.pin, cps.puk) == ("1234", "12345678")


def test_varied_set() -> None:
    profiles = [load_profile(name) for name in list_profiles()]
    cps = [p for p in profiles if isinstance(p, CpsProfile)]
    vitale = [p for p in profiles if isinstance(p, VitaleProfile)]
    assert any(p.holder.national_id.startswith("0") for p in cps)  # ADELI
    assert any(p.generation == "cps4" for p in cps)
    assert any(len(p.situations) == 16 for p in cps)
    people = [b for p in vitale for b in p.beneficiaries]
    assert any(b.quality == 6 and int(b.birth_date[6:]) in (0, 35) for b in people)  # lunar
    assert any(b.birth_rank == 2 for b in people)  # twins
    names = " ".join(f"{b.last_name} {b.first_name} {b.birth_name}" for b in people)
    assert "'" in names
    assert "-" in names
    assert any(not c.isascii() for c in names)


def test_nir_key_is_computed_and_lunar_dates_kept() -> None:
    profile = load_profile("demo-vitale")
    assert isinstance(profile, VitaleProfile)
    assert profile.insured.nir == "155067200010159"
    assert profile.beneficiaries[1].birth_date == "20150235"
    assert profile.beneficiaries[1].certified_nir == "215027512345610"


def test_repr_hides_secrets_and_health_data() -> None:
    text = repr(load_profile("demo-cps")) + str(load_profile("demo-vitale"))
    for secret in ("pin=", "puk=", "LE QUINIO", "PIERRE", "1550672"):
        assert secret not in text


CERTIFIED = "beneficiaries[1].certified_nir"


def mutate(name: str, path: str, value: Any) -> dict[str, Any]:
    """A copy of a packaged profile with ``path`` (dots, [i]) set, or deleted if ``...``."""
    data = copy.deepcopy(raw(name))
    keys: list[Any] = []
    for part in path.replace("]", "").replace("[", ".").split("."):
        keys.append(int(part) if part.isdigit() else part)
    target: Any = data
    for key in keys[:-1]:
        target = target[key]
    if value is ...:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return data


@pytest.mark.parametrize(
    ("name", "path", "value", "field"),
    [
        ("demo-cps", "pin", "123", "pin"),
        ("demo-cps", "pin", "12345", "pin"),
        ("demo-cps", "pin", 1234, "pin"),
        ("demo-cps", "puk", "1234567", "puk"),
        ("demo-cps", "serial", "12345", "serial"),
        ("demo-cps", "card_type", 5, "card_type"),
        ("demo-cps", "generation", "cps2", "generation"),
        ("demo-cps", "expires", "31/12/2029", "expires"),
        ("demo-cps", "colour", "blue", "colour"),
        ("demo-cps", "holder.nickname", "PIPO", "holder.nickname"),
        ("demo-cps", "holder.profession", "99", "holder.profession"),
        ("demo-cps", "holder.specialty", ..., "holder.specialty"),
        ("demo-cps", "holder.specialty", "XX", "holder.specialty"),
        ("demo-cps", "holder.specialty", "SI06", "holder.specialty"),
        ("demo-cps", "card_type", 3, "holder.national_id"),
        ("demo-cps", "holder.national_id", "810001234567", "holder.national_id"),
        ("demo-cps", "holder.national_id", "12345", "holder.national_id"),
        ("demo-cps", "holder.last_name", "L3 QUINIO", "holder.last_name"),
        ("demo-cps", "holder.first_name", "", "holder.first_name"),
        ("demo-cps", "holder.civility", "Monsieur", "holder.civility"),
        ("demo-cps", "situations", [], "situations"),
        ("demo-cps", "situations[0].sector", "XX07", "situations[0].sector"),
        ("demo-cps", "situations[0].name", "   ", "situations[0].name"),
        ("cps-16-situations", "situations[3].structure_id", "9X", "situations[3].structure_id"),
        ("cps-16-situations", "holder.specialty", ..., "holder.specialty"),
        ("demo-vitale", "insured.nir", "155067200010158", "insured.nir"),
        ("demo-vitale", "insured.nir", "1550672", "insured.nir"),
        ("demo-vitale", "insured.caisse", "34", "insured.caisse"),
        (
            "demo-vitale",
            "beneficiaries[1].certified_nir",
            "215027512345611",
            "beneficiaries[1].certified_nir",
        ),
        ("demo-vitale", "beneficiaries[0].birth_date", "1955061", "beneficiaries[0].birth_date"),
        ("demo-vitale", "beneficiaries[0].birth_date", "1955-06-15", "beneficiaries[0].birth_date"),
        ("demo-vitale", "beneficiaries[0].birth_date", 19550615, "beneficiaries[0].birth_date"),
        ("demo-vitale", "beneficiaries[0].quality", 7, "beneficiaries[0].quality"),
        ("demo-vitale", "beneficiaries[0].birth_rank", 0, "beneficiaries[0].birth_rank"),
        ("demo-vitale", "beneficiaries[1].size", 3, "beneficiaries[1].size"),
        ("demo-vitale", "generation", "vitale1", "generation"),
        ("demo-vitale", "kind", "carte", "kind"),
        ("demo-vitale", "kind", ..., "kind"),
    ],
)
def test_refused_with_the_field_named(name: str, path: str, value: Any, field: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(mutate(name, path, value))
    assert caught.value.field == field
    assert caught.value.message.startswith(f"{field}: ")


def test_an_rpps_with_a_wrong_key_says_so() -> None:
    """DESIGN.md's example RPPS (10001234567) fails the Luhn check of every real RPPS."""
    with pytest.raises(ProfileError) as caught:
        parse_profile(mutate("demo-cps", "holder.national_id", "810001234567"))
    assert "the RPPS 10001234567 has a wrong check digit" in caught.value.message


def test_structure_staff_cards() -> None:
    data = mutate("cps-adeli-nurse", "card_type", 2)
    data["holder"]["national_id"] = "3339172288100052"
    profile = parse_profile(data)
    assert isinstance(profile, CpsProfile)
    assert profile.card_type == 2
    data["card_type"] = 0
    with pytest.raises(ProfileError) as caught:
        parse_profile(data)
    assert caught.value.field == "holder.national_id"


def test_seventeen_situations() -> None:
    data = raw("cps-16-situations")
    data["situations"].append(dict(data["situations"][0]))
    with pytest.raises(ProfileError) as caught:
        parse_profile(data)
    assert caught.value.field == "situations"


def test_seven_beneficiaries() -> None:
    data = raw("demo-vitale")
    data["beneficiaries"] = data["beneficiaries"] * 3 + data["beneficiaries"][:1]
    with pytest.raises(ProfileError) as caught:
        parse_profile(data)
    assert caught.value.field == "beneficiaries"


@pytest.mark.parametrize("profession", ["40", "26", "50"])
def test_speciality_optional_outside_doctors_and_pharmacists(profession: str) -> None:
    data = mutate("demo-cps", "holder.specialty", ...)
    data["holder"]["profession"] = profession
    profile = parse_profile(data)
    assert isinstance(profile, CpsProfile)
    assert profile.holder.specialty is None


@pytest.mark.parametrize("date", ["20150235", "19800035", "20161300", "00000000"])
def test_lunar_birth_dates_are_valid(date: str) -> None:
    profile = parse_profile(mutate("demo-vitale", "beneficiaries[0].birth_date", date))
    assert isinstance(profile, VitaleProfile)
    assert profile.beneficiaries[0].birth_date == date


def test_corsican_nir() -> None:
    profile = parse_profile(mutate("demo-vitale", "insured.nir", "253072A07300443"))
    assert isinstance(profile, VitaleProfile)
    assert profile.insured.nir == "253072A07300443"


def test_files_json_and_yaml(tmp_path: Path) -> None:
    as_json = tmp_path / "card.json"
    as_json.write_text(json.dumps(raw("demo-vitale")))
    assert isinstance(load_profile(as_json), VitaleProfile)
    as_yaml = tmp_path / "card.yml"
    as_yaml.write_text((PROFILES / "demo-cps.yaml").read_text())
    assert isinstance(load_profile(str(as_yaml)), CpsProfile)


@pytest.mark.parametrize(
    ("content", "suffix"),
    [("kind: [cps", ".yaml"), ("{kind: cps}", ".json"), ("- a\n- b\n", ".yaml")],
)
def test_unreadable_files(tmp_path: Path, content: str, suffix: str) -> None:
    path = tmp_path / f"card{suffix}"
    path.write_text(content)
    with pytest.raises(ProfileError):
        load_profile(path)


def test_unknown_name() -> None:
    with pytest.raises(ProfileError, match="demo-cps"):
        load_profile("no-such-card")


def test_the_readme_profiles_are_valid() -> None:
    """The profile examples users copy from the README load as they are."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    examples = [block.split("```")[0] for block in readme.split("```yaml\n")[1:]]
    kinds = [parse_profile(yaml.safe_load(example)).kind for example in examples]
    assert kinds == ["cps", "vitale"]
