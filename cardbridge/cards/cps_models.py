"""The CPS's data objects turned into the API models, whatever read them (PC/SC or PKCS#11)."""

from __future__ import annotations

from cardbridge.cards.models import Coded, CpsCardInfo, Practitioner, Situation
from cardbridge.domain.identifiers import (
    PractitionerIdType,
    practitioner_id_type,
    structure_id_type,
)
from cardbridge.domain.terminologies import CARD_TYPE_NAMES, PROFESSIONS, SECTORS, SPECIALTIES
from cardbridge.errors import CardDataError
from cardbridge.layouts import cps


def situation_model(index: int, raw: cps.SituationFile) -> Situation:
    """The API model of practice situation ``index`` as the card stores it."""
    kind = structure_id_type(raw.structure_id)
    return Situation(
        index=index,
        structure_id=raw.structure_id,
        structure_id_type=kind.value if kind is not None else None,
        name=raw.name,
        sector=raw.sector,
        sector_label=SECTORS.get(raw.sector),
    )


def practitioner_model(
    reader: str,
    generation: str,
    *,
    identity: cps.CardIdentity,
    holder: cps.HolderName,
    info: cps.ProfessionalInfo,
    situations: list[Situation] | None,
) -> Practitioner:
    """The API model of the card's holder; :class:`CardDataError` when its card type or
    national id is not one cardbridge knows."""
    card_type = CARD_TYPE_NAMES.get(identity.card_type)
    id_type = practitioner_id_type(holder.national_id)
    if card_type is None or id_type is None:
        raise CardDataError(
            "The card's holder data are not readable (card type or national id).", reader=reader
        )
    return Practitioner(
        reader=reader,
        card=CpsCardInfo(
            type=card_type,
            generation=generation,
            serial=identity.serial,
            test=identity.test,
            expires=identity.expires,
        ),
        national_id=holder.national_id,
        id_type="STRUCTURE" if id_type is PractitionerIdType.STRUCTURE_BOUND else id_type.value,
        rpps=holder.national_id[1:] if id_type is PractitionerIdType.RPPS else None,
        adeli=holder.national_id[1:] if id_type is PractitionerIdType.ADELI else None,
        civility=holder.civility or None,
        last_name=holder.last_name,
        first_name=holder.first_name,
        profession=Coded(code=info.profession, label=PROFESSIONS.get(info.profession)),
        specialty=(
            Coded(code=info.specialty, label=SPECIALTIES.get(info.specialty))
            if info.specialty
            else None
        ),
        situations=situations,
    )
