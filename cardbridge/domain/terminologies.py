"""Code tables of French health terminologies (NOS), one place for each.

Sources: the ANS NOS repository as published in its FHIR terminology package
(TRE_G15 ProfessionSante, TRE_R38 SpecialiteOrdinale and the pharmacists' CNOP
sub-sections as used in JDV_J01 XdsAuthorSpecialty, TRE_R02 SecteurActivite), and
the SESAM-Vitale data model for qualité and régime (docs/domain.md §2).

Note: short G15 lists in circulation swap several codes (one gives 40 as Infirmier); the
official TRE_G15 table below is authoritative (40 Chirurgien-Dentiste, 60 Infirmier).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

PROFESSION_OID = "1.2.250.1.71.1.2.7"  # G15
SPECIALTY_OID = "1.2.250.1.71.4.2.5"  # R01
SECTOR_OID = "1.2.250.1.71.4.2.4"

PROFESSIONS: Mapping[str, str] = MappingProxyType(
    {
        "10": "Médecin",
        "21": "Pharmacien",
        "26": "Audioprothésiste",
        "28": "Opticien-Lunetier",
        "31": "Assistant dentaire",
        "32": "Physicien médical",
        "40": "Chirurgien-Dentiste",
        "50": "Sage-Femme",
        "60": "Infirmier",
        "69": "Infirmier psychiatrique",
        "70": "Masseur-Kinésithérapeute",
        "80": "Pédicure-Podologue",
        "81": "Orthoprothésiste",
        "82": "Podo-Orthésiste",
        "83": "Orthopédiste-Orthésiste",
        "84": "Oculariste",
        "85": "Epithésiste",
        "86": "Technicien de laboratoire médical",
        "91": "Orthophoniste",
        "92": "Orthoptiste",
        "93": "Psychologue",
        "94": "Ergothérapeute",
        "95": "Diététicien",
        "96": "Psychomotricien",
        "98": "Manipulateur ERM",
    }
)

# The DMP requires the speciality of doctors and pharmacists (docs/domain.md §4).
PROFESSIONS_REQUIRING_SPECIALTY = frozenset({"10", "21"})

_MEDICAL = {
    "SM01": "Anatomie et Cytologie pathologiques",
    "SM02": "Anesthésie-réanimation",
    "SM03": "Biologie médicale",
    "SM04": "Cardiologie et Maladies vasculaires",
    "SM05": "Chirurgie générale",
    "SM06": "Chirurgie maxillo-faciale",
    "SM07": "Chirurgie maxillo-faciale et Stomatologie",
    "SM08": "Chirurgie orthopédique et Traumatologie",
    "SM09": "Chirurgie infantile",
    "SM10": "Chirurgie plastique reconstructrice et esthétique",
    "SM11": "Chirurgie thoracique et cardio-vasculaire",
    "SM12": "Chirurgie urologique",
    "SM13": "Chirurgie vasculaire",
    "SM14": "Chirurgie viscérale et digestive",
    "SM15": "Dermatologie et Vénéréologie",
    "SM16": "Endocrinologie et Métabolisme",
    "SM17": "Génétique médicale",
    "SM18": "Gériatrie",
    "SM19": "Gynécologie médicale",
    "SM20": "Gynécologie-obstétrique",
    "SM21": "Hématologie",
    "SM22": "Hématologie, option Maladie du sang",
    "SM23": "Hématologie, option Onco-hématologie",
    "SM24": "Gastro-entérologie et Hépatologie",
    "SM25": "Médecine du travail",
    "SM26": "Qualifié en Médecine générale",
    "SM27": "Médecine interne",
    "SM28": "Médecine nucléaire",
    "SM29": "Médecine physique et de réadaptation",
    "SM30": "Néphrologie",
    "SM31": "Neuro-chirurgie",
    "SM32": "Neurologie",
    "SM33": "Neuro-psychiatrie",
    "SM34": "ORL et Chirurgie cervico-faciale",
    "SM35": "Oncologie, option Onco-hématologie",
    "SM36": "Oncologie, option médicale",
    "SM37": "Oncologie, option radiothérapie",
    "SM38": "Ophtalmologie",
    "SM39": "Oto-rhino-laryngologie",
    "SM40": "Pédiatrie",
    "SM41": "Pneumologie",
    "SM42": "Psychiatrie",
    "SM43": "Psychiatrie, option enfant et adolescent",
    "SM44": "Radio-diagnostic",
    "SM45": "Radio-thérapie",
    "SM46": "Médecine intensive-réanimation",
    "SM47": "Recherche médicale",
    "SM48": "Rhumatologie",
    "SM49": "Santé publique et Médecine sociale",
    "SM50": "Stomatologie",
    "SM51": "Gynéco-obstétrique et Gynéco-médicale, option Gynéco-obstétrique",
    "SM52": "Gynéco-obstétrique et Gynéco-médicale, option Gynéco-médicale",
    "SM53": "Spécialiste en Médecine générale",
    "SM54": "Médecine générale",
    "SM55": "Radio-diagnostic et Radio-thérapie",
    "SM56": "Chirurgie orale",
    "SM57": "Allergologie",
    "SM58": "Maladies infectieuses et tropicales",
    "SM59": "Médecine d'urgence",
    "SM60": "Médecine légale et expertises médicales",
    "SM61": "Médecine vasculaire",
    "SM62": "Endocrinologie, diabétologie, nutrition",
    "SM63": "Biologie médicale option biologie générale",
    "SM64": "Biologie médicale option médecine moléculaire, génétique et pharmacologie",
    "SM65": "Biologie médicale option hématologie et immunologie",
    "SM66": "Biologie médicale option agents infectieux",
    "SM67": "Biologie médicale option biologie de la reproduction",
    "SM68": "Chirurgie maxillo-faciale (réforme 2017)",
    "SM69": "Chirurgie pédiatrique option chirurgie viscérale pédiatrique",
    "SM70": "Chirurgie pédiatrique option orthopédie pédiatrique",
    "SM71": "Hématologie (réforme 2017)",
    "SM72": "Médecine interne et immunologie clinique",
    "SM73": "Médecine cardiovasculaire",
    "SM74": "Radiologie et imagerie médicale",
    "SM75": "Santé publique",
}
_DENTAL = {
    "SCD01": "Orthopédie dento-faciale",
    "SCD02": "Chirurgie orale",
    "SCD03": "Médecine bucco-dentaire",
}
_NURSING = {
    "SI01": "Exercice infirmier en pratique avancée pathologies chroniques stabilisées",
    "SI02": "Exercice infirmier en pratique avancée oncologie et hémato-oncologie",
    "SI03": "Exercice infirmier en pratique avancée maladie rénale chronique",
    "SI04": "Exercice infirmier en pratique avancée santé mentale",
    "SI05": "Exercice infirmier en pratique avancée urgences",
    "SI06": "Infirmier(ère) de bloc opératoire",
    "SI07": "Infirmier(ère) anesthésiste",
    "SI08": "Infirmier(ère) puériculteur(trice)",
}
# Pharmacists: the speciality is the sub-section of the Order's register (CNOP).
_PHARMACY = {
    "A": "Pharmacien titulaire d'officine",
    "B": "Pharmacien d'entreprise - industrie",
    "C": "Pharmacien d'entreprise - distribution",
    "D": "Pharmacien adjoint, remplaçant ou gérant",
    "DA": "Pharmacien adjoint",
    "DM": "Pharmacien mutualiste ou minier",
    "E": "Pharmacien d'Outre-Mer",
    "G": "Pharmacien biologiste",
    "H": "Pharmacien d'établissement de santé",
    "M": "Pharmacien militaire",
}

SPECIALTIES: Mapping[str, str] = MappingProxyType(
    {
        **{code: f"{label} (SM)" for code, label in _MEDICAL.items()},
        **{code: f"{label} (SCD)" for code, label in _DENTAL.items()},
        **{code: f"{label} (SI)" for code, label in _NURSING.items()},
        **_PHARMACY,
    }
)

# Which specialities belong to which profession (a doctor cannot be "SI06").
SPECIALTY_PROFESSIONS: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(_MEDICAL, "10"),
        **dict.fromkeys(_DENTAL, "40"),
        **dict.fromkeys(_NURSING, "60"),
        **dict.fromkeys(_PHARMACY, "21"),
    }
)

SECTORS: Mapping[str, str] = MappingProxyType(
    {
        "SA01": "Etablissement public de santé",
        "SA02": "Hôpital militaire du Service de santé des armées",
        "SA03": "Etablissement privé PSPH",
        "SA04": "Etablissement privé non PSPH",
        "SA05": "Centre de santé",
        "SA06": "Autre structure du Service de santé des armées",
        "SA07": "Cabinet individuel",
        "SA08": "Cabinet de groupe",
        "SA09": "Exercice en société",
        "SA10": "Transporteur sanitaire",
        "SA12": "Etablissement de soins et prévention",
        "SA13": "Prévention et soins en entreprise",
        "SA15": "PMI et Planification familiale",
        "SA16": "Etablissement pour personnes handicapées",
        "SA17": "Etablissement pour personnes âgées",
        "SA22": "Recherche",
        "SA24": "Organisme de sécurité sociale",
        "SA25": "Laboratoire de biologie médicale",
        "SA29": "Laboratoire d'analyses et de biologie médicale",
        "SA30": "Autre établissement sanitaire",
        "SA33": "Pharmacie d'officine",
        "SA34": "Centre de dialyse",
        "SA36": "Centre anti-cancer",
        "SA37": "Centre de transfusion sanguine",
        "SA38": "Pharmacie minière",
        "SA39": "Pharmacie mutualiste",
        "SA40": "Secteur privé, praticien hospitalier",
        "SA43": "Secteur non défini",
        "SA52": "Maison de santé ou Pôle de santé",
        "SA54": "Centre de dépistage et de prévention",
        "SA56": "Propharmacie",
        "SA64": "Société de téléconsultation",
        "SA67": "Maisons médicales de garde (MMG)",
    }
)

# CPS card types (docs/domain.md §1).
CARD_TYPES: Mapping[int, str] = MappingProxyType(
    {
        0: "CPS (Carte de Professionnel de Santé)",
        1: "CPF (Carte de Professionnel en Formation)",
        2: "CPE (Carte de Personnel d'Établissement)",
        3: "CPA (Carte de Personnel Autorisé)",
        4: "CSA (Carte de Serveur Applicatif)",
    }
)

# Short names of the card types, as the API shows them.
CARD_TYPE_NAMES: Mapping[int, str] = MappingProxyType(
    {0: "CPS", 1: "CPF", 2: "CPE", 3: "CPA", 4: "CSA"}
)

# Qualité of a Vitale beneficiary (SESAM-Vitale group 104).
QUALITIES: Mapping[int, str] = MappingProxyType(
    {
        0: "Assuré",
        1: "Ascendant, descendant ou collatéral",
        2: "Conjoint",
        3: "Divorcé(e)",
        4: "Concubin",
        5: "Séparé(e)",
        6: "Enfant",
        8: "Veuf ou veuve",
        9: "Autre ayant droit",
    }
)

# Régime (two digits). Only the codes whose meaning is certain are labelled.
REGIMES: Mapping[str, str] = MappingProxyType(
    {
        "01": "Régime général",
        "02": "Régime agricole",
        "03": "Travailleurs indépendants",
    }
)

# Caisse numbers that mark test Vitale cards (docs/domain.md §2).
TEST_CAISSES = frozenset({"999", "349"})


def label_of(table: Mapping[str, str], code: str | None) -> str | None:
    """The label of ``code`` in ``table``, ``None`` when absent or unknown."""
    return table.get(code) if code is not None else None
