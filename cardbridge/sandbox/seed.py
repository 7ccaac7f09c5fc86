"""Seed data from YAML: the directory of professionals and structures, and the DMPs.

The format is in docs/dmp-sandbox.md, "Seed"; the packaged default
(``seeds/default.yaml``) holds the demo Vitale cards' beneficiaries and the packaged
emulator profiles' professionals. Seeding is idempotent: rows that exist are kept, so a
restart with the same seed changes nothing that requests changed.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from cardbridge.domain import terminologies
from cardbridge.domain.nir import INS_OIDS, InsKind, parse_nir
from cardbridge.emulator.profiles import CpsProfile, load_profile
from cardbridge.errors import InvalidInputError, ProfileError
from cardbridge.sandbox.seed_documents import insert_seed_document
from cardbridge.sandbox.store import Store
from cardbridge.sandbox.xds_codes import DMP_CONFIDENTIALITY, LOINC, TYPE_TO_CLASS

DEFAULT_SEED = "default"
# A seeded file's media type, by its extension (the five of a CDA R2 level 1 body).
SEED_FILE_TYPES = MappingProxyType(
    {
        ".pdf": "application/pdf",
        ".txt": "text/plain",
        ".rtf": "text/rtf",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".tif": "image/tiff",
        ".tiff": "image/tiff",
    }
)


def _ins(value: str) -> str:
    try:
        nir = parse_nir(value, field="ins")
    except InvalidInputError as error:
        raise ValueError(error.message) from None
    if len(value) != 15:
        raise ValueError("an INS has 15 characters (its key included)")
    return nir.value


def _sector(value: str) -> str:
    if value not in terminologies.SECTORS:
        raise ValueError(f"unknown sector of activity {value!r}")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StructureSeed(_Model):
    structure_id: str
    name: str
    sector: Annotated[str, AfterValidator(_sector)]


class DirectorySeed(_Model):
    profiles: list[str] = Field(default_factory=list)
    structures: list[StructureSeed] = Field(default_factory=list)


class AuthorizationSeed(_Model):
    actor: str
    status: Literal["VALIDE", "INTERDIT"] = "VALIDE"
    treating: bool = False
    # Default: when the seed is applied (a demo's authorizations do not expire by age).
    started: dt.datetime | None = None
    last_action: dt.datetime | None = None


def _seeded_type(value: str) -> str:
    if (value, LOINC) not in TYPE_TO_CLASS:
        known = ", ".join(code for code, system in TYPE_TO_CLASS if system == LOINC)
        raise ValueError(f"unknown LOINC typeCode {value!r} (known: {known})")
    return value


def _visibility(value: list[str]) -> list[str]:
    unknown = set(value) - DMP_CONFIDENTIALITY
    if unknown:
        raise ValueError(f"unknown confidentiality code {sorted(unknown)[0]!r}")
    return value


class DocumentSeed(_Model):
    title: str
    type_code: Annotated[str, AfterValidator(_seeded_type)] = "11488-4"
    created: dt.datetime
    author: str
    structure: str
    practice: str = "AMBULATOIRE"
    facility: Annotated[str, AfterValidator(_sector)] = "SA07"
    text: str | None = None
    # A file beside the seed (relative paths are the seed file's directory's).
    file: Path | None = None
    confidentiality: Annotated[list[str], AfterValidator(_visibility)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_body(self) -> Self:
        if (self.text is None) == (self.file is None):
            raise ValueError("a document has either a text or a file")
        if self.file is not None and self.file.suffix.lower() not in SEED_FILE_TYPES:
            known = ", ".join(sorted(SEED_FILE_TYPES))
            raise ValueError(f"a seeded file is one of {known} (by its extension)")
        return self

    def body(self) -> tuple[bytes, str]:
        """The document's content and media type (a file is read now)."""
        if self.file is None:
            return (self.text or "").encode(), "text/plain"
        try:
            content = self.file.read_bytes()
        except OSError as error:
            raise InvalidInputError(
                f"cannot read the seeded file {self.file}: {error.strerror}", field="file"
            ) from None
        return content, SEED_FILE_TYPES[self.file.suffix.lower()]


class PatientSeed(_Model):
    ins: Annotated[str, AfterValidator(_ins)]
    oid: str = INS_OIDS[InsKind.TEST]
    family: str
    birth_family: str | None = None
    given: str
    birth_date: dt.date
    sex: Literal["M", "F"]
    status: Literal["active", "closed"] = "active"
    closed_at: dt.datetime | None = None
    minor: bool = False
    email: str | None = None
    opposition_emergency: bool = False
    opposition_centre_15: bool = False
    authorizations: list[AuthorizationSeed] = Field(default_factory=list)
    documents: list[DocumentSeed] = Field(default_factory=list)


class Seed(_Model):
    directory: DirectorySeed = Field(default_factory=DirectorySeed)
    patients: list[PatientSeed] = Field(default_factory=list)


def load_seed(path: Path | None) -> Seed:
    """The seed of ``path``, or the packaged default; :class:`InvalidInputError` naming the
    field when the file is wrong."""
    if path is None:
        folder = resources.files(__package__).joinpath("seeds")
        text = folder.joinpath(f"{DEFAULT_SEED}.yaml").read_text()
        source, base = "the default seed", Path(str(folder))
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InvalidInputError(
                f"cannot read the seed {path}: {error}", field="--seed"
            ) from None
        source, base = str(path), path.parent
    try:
        return Seed.model_validate(_files_from(yaml.safe_load(text) or {}, base))
    except yaml.YAMLError as error:
        raise InvalidInputError(f"{source} is not valid YAML: {error}", field="--seed") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInputError(f"{source}: {first['msg']}", field=where) from None


def _files_from(data: Any, base: Path) -> Any:
    """``data`` with each document's relative ``file`` made relative to ``base``."""
    patients = data.get("patients") if isinstance(data, dict) else None
    for patient in patients if isinstance(patients, list) else []:
        documents = patient.get("documents") if isinstance(patient, dict) else None
        for document in documents if isinstance(documents, list) else []:
            if isinstance(document, dict) and isinstance(document.get("file"), str):
                document["file"] = str(base / document["file"])
    return data


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def apply_seed(store: Store, seed: Seed) -> None:
    """Insert what the seed holds and the store does not, in one transaction."""
    cps_profiles: list[CpsProfile] = []
    for name in seed.directory.profiles:
        try:
            profile = load_profile(name)
        except ProfileError as error:
            raise InvalidInputError(error.message, field="directory.profiles") from None
        if isinstance(profile, CpsProfile):
            cps_profiles.append(profile)
    now = dt.datetime.now(dt.UTC)
    with store.transaction() as db:
        for structure in seed.directory.structures:
            db.execute(
                "INSERT OR IGNORE INTO structure VALUES (?, ?, ?)",
                (structure.structure_id, structure.name, structure.sector),
            )
        for cps in cps_profiles:
            holder = cps.holder
            db.execute(
                "INSERT OR IGNORE INTO professional VALUES (?, ?, ?, ?, ?, ?)",
                (
                    holder.national_id,
                    holder.last_name,
                    holder.first_name,
                    holder.profession,
                    holder.specialty,
                    cps.card_type,
                ),
            )
            for situation in cps.situations:
                db.execute(
                    "INSERT OR IGNORE INTO structure VALUES (?, ?, ?)",
                    (situation.structure_id, situation.name, situation.sector),
                )
                db.execute(
                    "INSERT OR IGNORE INTO situation VALUES (?, ?, ?)",
                    (holder.national_id, situation.structure_id, situation.sector),
                )
        for patient in seed.patients:
            db.execute(
                "INSERT OR IGNORE INTO dmp VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    patient.ins,
                    patient.oid,
                    patient.family,
                    patient.given,
                    patient.birth_family or patient.family,
                    patient.birth_date.isoformat(),
                    patient.sex,
                    patient.status,
                    _iso(patient.closed_at) if patient.closed_at else None,
                    int(patient.minor),
                    patient.email,
                    int(patient.opposition_emergency),
                    int(patient.opposition_centre_15),
                ),
            )
            for grant in patient.authorizations:
                started = grant.started or now
                db.execute(
                    "INSERT OR IGNORE INTO authorization_ VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        patient.ins,
                        grant.actor,
                        grant.status,
                        int(grant.treating),
                        _iso(started),
                        _iso(grant.last_action or started),
                    ),
                )
            identity = (patient.ins, patient.oid, patient.family, patient.given)
            for document in patient.documents:
                insert_seed_document(
                    db,
                    identity,
                    title=document.title,
                    type_code=document.type_code,
                    created=document.created,
                    author=document.author,
                    structure=document.structure,
                    practice=document.practice,
                    facility=document.facility,
                    body=document.body(),
                    confidentiality=document.confidentiality,
                )
