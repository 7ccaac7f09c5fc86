"""JSON models shared by the HTTP API and the ``--json`` output of the command line."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cardbridge.cards import examples
from cardbridge.pcsc.atr import format_atr
from cardbridge.pcsc.reader_interface import ReaderState


class ReaderInfo(BaseModel):
    """A reader and the card in it (``GET /v1/readers``, ``cardbridge readers --json``)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={"examples": [examples.READERS[0], examples.READERS[1]]},
    )

    name: str = Field(description="Reader name as PC/SC gives it.")
    card_present: bool
    card_type: Literal["cps", "vitale", "unknown"] | None = Field(
        description="Recognised from the ATR; null when the reader is empty."
    )
    atr: str | None = Field(
        description="Answer To Reset in spaced upper-case hex; null when the reader is empty.",
        examples=["3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00"],
    )

    @classmethod
    def from_state(cls, state: ReaderState) -> ReaderInfo:
        card_type = state.card_type
        return cls(
            name=state.name,
            card_present=state.card_present,
            card_type=card_type.value if card_type is not None else None,
            atr=format_atr(state.atr) if state.atr is not None else None,
        )


class Coded(BaseModel):
    """A code and its label from one of the code tables."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(examples=["10"])
    label: str | None = Field(examples=["Médecin"], description="null for an unknown code")


class CpsCardInfo(BaseModel):
    """The CPS card itself."""

    model_config = ConfigDict(frozen=True)

    type: Literal["CPS", "CPF", "CPE", "CPA", "CSA"] = Field(
        description="CPS, CPF (in training), CPE (establishment staff), CPA (authorised "
        "staff), CSA (application server)"
    )
    generation: Literal["cps3", "cps4"]
    serial: str
    test: bool = Field(description="An ANS test card")
    expires: date


class Situation(BaseModel):
    """A practice situation (situation d'exercice) of the practitioner."""

    model_config = ConfigDict(frozen=True)

    index: int = Field(ge=0, le=15, description="Position on the card (0 to 15)")
    structure_id: str = Field(
        description="Struct_IdNat: prefix 0 ADELI, 1 FINESS, 2 SIREN, 3 SIRET, 4 RPPS+rang",
        examples=["499700735741008"],
    )
    structure_id_type: Literal["ADELI", "FINESS", "SIREN", "SIRET", "RPPS"] | None
    name: str = Field(description="Raison sociale", examples=["CABINET DR LE QUINIO"])
    sector: str = Field(description="Sector of activity (R02)", examples=["SA07"])
    sector_label: str | None = Field(examples=["Cabinet individuel"])


class Practitioner(BaseModel):
    """The holder of a CPS (``GET /v1/cps``, ``cardbridge read cps --json``)."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={"examples": [examples.PRACTITIONER, examples.PRACTITIONER_BEFORE_PIN]},
    )

    reader: str
    card: CpsCardInfo
    national_id: str = Field(
        description="idNat_PS: 8 + RPPS, or 0 + ADELI", examples=["810001234567"]
    )
    id_type: Literal["RPPS", "ADELI", "STRUCTURE"] = Field(
        description="STRUCTURE for ids bound to a structure (CPE/CPA cards)"
    )
    rpps: str | None = Field(examples=["10001234567"])
    adeli: str | None
    civility: str | None = Field(examples=["M"])
    last_name: str
    first_name: str
    profession: Coded
    specialty: Coded | None
    situations: list[Situation] | None = Field(
        description="null until the PIN was verified on this card"
    )


class PinStatus(BaseModel):
    """The CPS PIN counter, read without spending a try (``GET /v1/cps/pin``)."""

    model_config = ConfigDict(frozen=True, json_schema_extra={"examples": [examples.PIN_STATUS]})

    tries_left: int = Field(ge=0, examples=[3])
    max_tries: int = Field(ge=1, examples=[3])
    blocked: bool


class VitaleCardInfo(BaseModel):
    """The Vitale card itself."""

    model_config = ConfigDict(frozen=True)

    type: Literal["vitale"] = "vitale"
    generation: Literal["vitale1", "vitale2"]
    serial: str
    test: bool


class Insured(BaseModel):
    """The insured person (ouvrant droit) of the card."""

    model_config = ConfigDict(frozen=True)

    nir: str = Field(min_length=13, max_length=13, examples=["1550672000101"])
    nir_key: str = Field(min_length=2, max_length=2, examples=["59"])
    regime: str = Field(examples=["01"])
    regime_label: str | None = Field(examples=["Régime général"])
    caisse: str = Field(examples=["349"])
    centre: str = Field(examples=["0349"])


class InsValue(BaseModel):
    """An INS: the 15-character matricule and the OID of its registry."""

    model_config = ConfigDict(frozen=True)

    value: str = Field(min_length=15, max_length=15)
    oid: str = Field(examples=["1.2.250.1.213.1.4.10"])


class Beneficiary(BaseModel):
    """A bearer of the Vitale card (the insured or a beneficiary)."""

    model_config = ConfigDict(frozen=True)

    index: int = Field(ge=0)
    last_name: str
    birth_name: str | None
    first_name: str
    birth_date: date | None = Field(description="ISO date; null when the date is lunar")
    birth_date_raw: str = Field(description="As on the card, YYYYMMDD", examples=["20150235"])
    birth_rank: int = Field(ge=1, examples=[1])
    quality: Coded
    nir: str | None = Field(description="The beneficiary's own certified NIR (15 characters)")
    ins: InsValue | None = Field(
        description="Only where it is really this person's: the insured, or a certified NIR"
    )


class VitaleCard(BaseModel):
    """A Vitale card read (``GET /v1/vitale``, ``cardbridge read vitale --json``)."""

    model_config = ConfigDict(frozen=True, json_schema_extra={"examples": [examples.VITALE_CARD]})

    reader: str
    card: VitaleCardInfo
    insured: Insured
    beneficiaries: list[Beneficiary]
