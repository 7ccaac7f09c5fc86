"""Emulator profiles: the card a profile describes (DESIGN.md schema), YAML or JSON.

:func:`load_profile` takes a file path or the name of a packaged profile
(:func:`list_profiles`). A profile with bad data is refused with a
:class:`~cardbridge.errors.ProfileError` whose ``field`` names what to correct, like
``situations[3].structure_id``. Birth dates are kept as given, lunar ones included.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from cardbridge.domain import terminologies
from cardbridge.domain.identifiers import (
    PractitionerIdType,
    is_structure_bound_card,
    practitioner_id_type,
    structure_id_type,
)
from cardbridge.domain.nir import parse_nir
from cardbridge.errors import InvalidInputError, ProfileError

PACKAGE = "cardbridge.emulator"
PROFILE_DIR = "profiles"
MAX_NAME_LENGTH = 64
MAX_TEXT_LENGTH = 80

_NAME = re.compile(r"[^\W\d_]+(?:[ '’-]+[^\W\d_]+)*")


def _digits(length: int, what: str) -> AfterValidator:
    def check(value: str) -> str:
        if len(value) != length or not value.isascii() or not value.isdigit():
            raise ValueError(f"{what} must be {length} digits")
        return value

    return AfterValidator(check)


def _name(value: str) -> str:
    if not value or len(value) > MAX_NAME_LENGTH or not _NAME.fullmatch(value):
        raise ValueError(
            f"a name has 1 to {MAX_NAME_LENGTH} letters, with spaces, apostrophes or hyphens"
        )
    return value


def _text(value: str) -> str:
    if not value.strip() or len(value) > MAX_TEXT_LENGTH or not value.isprintable():
        raise ValueError(f"expected 1 to {MAX_TEXT_LENGTH} printable characters")
    return value


def _nir(value: str) -> str:
    """The 15-character NIR: the key is computed from 13 characters, checked on 15."""
    try:
        return parse_nir(value, field="").value
    except InvalidInputError as error:
        raise ValueError(error.message) from None


def _national_id(value: str) -> str:
    if practitioner_id_type(value) is None:
        rpps = value[1:]
        if value[:1] == "8" and len(rpps) == 11 and rpps.isdigit():
            raise ValueError(
                f"the RPPS {rpps} has a wrong check digit (its last digit is a Luhn key, as in "
                f"every real and test RPPS)"
            )
        raise ValueError("expected 8 + RPPS (11 digits, valid key) or 0 + ADELI (9 characters)")
    return value


def _structure_id(value: str) -> str:
    if structure_id_type(value) is None:
        raise ValueError("expected a Struct_IdNat: 0 ADELI, 1 FINESS, 2 SIREN, 3 SIRET, 4 RPPS")
    return value


def _in_table(table: Mapping[Any, str], what: str) -> AfterValidator:
    def check(value: Any) -> Any:
        if value not in table:
            raise ValueError(f"unknown {what} {value!r}")
        return value

    return AfterValidator(check)


Name = Annotated[str, AfterValidator(_name)]
Text = Annotated[str, AfterValidator(_text)]
Serial = Annotated[str, _digits(10, "a card serial number")]
Nir = Annotated[str, AfterValidator(_nir)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Profiles hold PINs, names and NIRs: their repr (hence logs) shows only these fields.
    _shown: ClassVar[frozenset[str]] = frozenset()

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        return ((k, v) for k, v in super().__repr_args__() if k in self._shown)


class Holder(_Model):
    """The practitioner of a CPS."""

    national_id: Annotated[str, AfterValidator(_national_id)]  # idNat_PS
    civility: Annotated[str, Field(pattern=r"^[A-Z]{1,4}$")]
    last_name: Name
    first_name: Name
    profession: Annotated[str, _in_table(terminologies.PROFESSIONS, "profession code (G15)")]
    specialty: Annotated[str | None, Field(validate_default=True)] = None  # R01

    @field_validator("specialty")
    @classmethod
    def _specialty(cls, value: str | None, info: ValidationInfo) -> str | None:
        profession = info.data.get("profession")
        if value is None:
            if profession in terminologies.PROFESSIONS_REQUIRING_SPECIALTY:
                raise ValueError(f"a speciality is required for profession {profession}")
            return None
        if value not in terminologies.SPECIALTIES:
            raise ValueError(f"unknown speciality code {value!r} (R01)")
        if terminologies.SPECIALTY_PROFESSIONS.get(value) != profession:
            raise ValueError(f"speciality {value} is not one of profession {profession}")
        return value


class SituationProfile(_Model):
    """A practice situation."""

    structure_id: Annotated[str, AfterValidator(_structure_id)]  # Struct_IdNat
    name: Text
    sector: Annotated[str, _in_table(terminologies.SECTORS, "sector of activity")]


class CpsProfile(_Model):
    """A CPS3 or CPS4 practitioner card."""

    _shown = frozenset({"kind", "generation", "test", "serial", "card_type"})

    kind: Literal["cps"]
    generation: Literal["cps3", "cps4"] = "cps3"
    test: bool = True
    serial: Serial
    card_type: Annotated[int, _in_table(terminologies.CARD_TYPES, "card type")] = 0
    pin: Annotated[str, _digits(4, "the PIN")]
    puk: Annotated[str, _digits(8, "the PUK")]
    pin_tries: Annotated[int, Field(ge=1, le=15)] = 3
    puk_tries: Annotated[int, Field(ge=1, le=15)] = 10
    expires: dt.date
    holder: Holder
    situations: Annotated[list[SituationProfile], Field(min_length=1, max_length=16)]


class Insured(_Model):
    """The insured person (ouvrant droit) of a Vitale card."""

    nir: Nir  # 13 characters (key computed) or 15 (key checked); kept as 15
    regime: Annotated[str, _digits(2, "the régime")]
    caisse: Annotated[str, _digits(3, "the caisse")]
    centre: Annotated[str, _digits(4, "the centre")]


class BeneficiaryProfile(_Model):
    """A bearer of a Vitale card. ``birth_date`` is ``YYYYMMDD``, possibly lunar."""

    last_name: Name
    birth_name: Name
    first_name: Name
    birth_date: Annotated[str, _digits(8, "a birth date (YYYYMMDD)")]
    birth_rank: Annotated[int, Field(ge=1, le=9)] = 1
    quality: Annotated[int, _in_table(terminologies.QUALITIES, "qualité")] = 0
    certified_nir: Nir | None = None


class VitaleProfile(_Model):
    """A Vitale 2 card."""

    _shown = frozenset({"kind", "generation", "test", "serial"})

    kind: Literal["vitale"]
    generation: Literal["vitale2"] = "vitale2"
    test: bool = True
    serial: Serial
    insured: Insured
    beneficiaries: Annotated[list[BeneficiaryProfile], Field(min_length=1, max_length=6)]


Profile = CpsProfile | VitaleProfile
MODELS: dict[str, type[CpsProfile] | type[VitaleProfile]] = {
    "cps": CpsProfile,
    "vitale": VitaleProfile,
}


def _field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


def parse_profile(data: object) -> Profile:
    """Validate profile data (a mapping, as loaded from YAML or JSON)."""
    if not isinstance(data, Mapping):
        raise ProfileError("a profile is a mapping of fields (kind, serial, ...)")
    kind = data.get("kind")
    model = MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise ProfileError(f"kind must be one of {', '.join(MODELS)}", field="kind")
    try:
        profile = model.model_validate(data)
    except ValidationError as error:
        problems = error.errors(include_url=False)
        first = problems[0]
        message = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        message = message.removeprefix("Value error, ")
        if len(problems) > 1:
            message += f" (and {len(problems) - 1} more problem(s))"
        raise ProfileError(message, field=_field_path(tuple(first["loc"]))) from None
    if isinstance(profile, CpsProfile):
        _check_holder_fits_card_type(profile)
    return profile


def _check_holder_fits_card_type(profile: CpsProfile) -> None:
    """Structure staff cards (CPE, CPA) have structure-bound ids; others personal ones."""
    personal = practitioner_id_type(profile.holder.national_id) in (
        PractitionerIdType.RPPS,
        PractitionerIdType.ADELI,
    )
    if is_structure_bound_card(profile.card_type) == personal:
        expected = (
            "a structure-bound id (prefix 1, 3, 4, 5 or 6) for a CPE or CPA card"
            if personal
            else "8 + RPPS or 0 + ADELI for this card type"
        )
        raise ProfileError(f"expected {expected}", field="holder.national_id")


def _packaged(name: str) -> resources.abc.Traversable:
    return resources.files(PACKAGE).joinpath(PROFILE_DIR, f"{name}.yaml")


def list_profiles() -> list[str]:
    """Names of the packaged profiles."""
    folder = resources.files(PACKAGE).joinpath(PROFILE_DIR)
    names = (p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))
    return sorted(names)


def _load_text(text: str, source: str, *, json_only: bool) -> Any:
    try:
        return json.loads(text) if json_only else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        kind = "JSON" if json_only else "YAML"
        raise ProfileError(f"{source} is not valid {kind}: {error}") from None


def load_profile(name_or_path: str | Path) -> Profile:
    """Load a profile file (``.json`` as JSON, anything else as YAML) or a packaged profile."""
    path = Path(name_or_path)
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ProfileError(f"cannot read {path}: {error}") from None
        return parse_profile(_load_text(text, str(path), json_only=path.suffix == ".json"))
    name = str(name_or_path)
    if re.fullmatch(r"[a-z0-9-]+", name) and _packaged(name).is_file():
        return parse_profile(_load_text(_packaged(name).read_text("utf-8"), name, json_only=False))
    raise ProfileError(
        f"no profile file or packaged profile named {name!r} "
        f"(packaged: {', '.join(list_profiles())})"
    )
