"""Code tables: one place, consistent with each other."""

from __future__ import annotations

from cardbridge.domain import codes


def test_professions_follow_tre_g15() -> None:
    assert codes.PROFESSIONS["10"] == "Médecin"
    assert codes.PROFESSIONS["21"] == "Pharmacien"
    assert codes.PROFESSIONS["40"] == "Chirurgien-Dentiste"
    assert codes.PROFESSIONS["60"] == "Infirmier"


def test_every_specialty_belongs_to_a_known_profession() -> None:
    assert set(codes.SPECIALTY_PROFESSIONS) == set(codes.SPECIALTIES)
    assert set(codes.SPECIALTY_PROFESSIONS.values()) <= set(codes.PROFESSIONS)
    assert set(codes.SPECIALTY_PROFESSIONS.values()) >= codes.PROFESSIONS_REQUIRING_SPECIALTY


def test_labels() -> None:
    assert codes.SPECIALTIES["SM26"] == "Qualifié en Médecine générale (SM)"
    assert codes.SECTORS["SA07"] == "Cabinet individuel"
    assert codes.QUALITIES[6] == "Enfant"
    assert codes.label_of(codes.REGIMES, "01") == "Régime général"
    assert codes.label_of(codes.REGIMES, "77") is None
    assert codes.label_of(codes.REGIMES, None) is None
