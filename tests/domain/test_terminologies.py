"""Code tables: one place, consistent with each other."""

from __future__ import annotations

from cardbridge.domain import terminologies


def test_professions_follow_tre_g15() -> None:
    assert terminologies.PROFESSIONS["10"] == "Médecin"
    assert terminologies.PROFESSIONS["21"] == "Pharmacien"
    assert terminologies.PROFESSIONS["40"] == "Chirurgien-Dentiste"
    assert terminologies.PROFESSIONS["60"] == "Infirmier"


def test_every_specialty_belongs_to_a_known_profession() -> None:
    assert set(terminologies.SPECIALTY_PROFESSIONS) == set(terminologies.SPECIALTIES)
    assert set(terminologies.SPECIALTY_PROFESSIONS.values()) <= set(terminologies.PROFESSIONS)
    assert (
        set(terminologies.SPECIALTY_PROFESSIONS.values())
        >= terminologies.PROFESSIONS_REQUIRING_SPECIALTY
    )


def test_labels() -> None:
    assert terminologies.SPECIALTIES["SM26"] == "Qualifié en Médecine générale (SM)"
    assert terminologies.SECTORS["SA07"] == "Cabinet individuel"
    assert terminologies.QUALITIES[6] == "Enfant"
    assert terminologies.label_of(terminologies.REGIMES, "01") == "Régime général"
    assert terminologies.label_of(terminologies.REGIMES, "77") is None
    assert terminologies.label_of(terminologies.REGIMES, None) is None
