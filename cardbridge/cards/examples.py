"""Examples of the card models for the OpenAPI document (``/docs``).

They are what the emulated bridge answers for the packaged demo cards (``demo-cps``,
``demo-vitale``: fictitious people, a test RPPS, test INS OIDs), so that nobody takes an
example for a real person's data.
"""

from __future__ import annotations

from typing import Any

READERS: list[dict[str, Any]] = [
    {
        "name": "Gemalto PC Twin Reader 00 00",
        "card_present": True,
        "card_type": "cps",
        "atr": "3B AC 00 40 2A 00 12 25 00 64 80 00 03 10 00 90 00",
    },
    {"name": "Gemalto PC Twin Reader 01 00", "card_present": False, "card_type": None, "atr": None},
]
PIN_STATUS: dict[str, Any] = {"tries_left": 3, "max_tries": 3, "blocked": False}
_SITUATION: dict[str, Any] = {
    "index": 0,
    "structure_id": "499700735741008",
    "structure_id_type": "RPPS",
    "name": "CABINET DR LE QUINIO",
    "sector": "SA07",
    "sector_label": "Cabinet individuel",
}
PRACTITIONER: dict[str, Any] = {
    "reader": "Gemalto PC Twin Reader 00 00",
    "card": {
        "type": "CPS",
        "generation": "cps3",
        "serial": "0123456789",
        "test": True,
        "expires": "2029-12-31",
    },
    "national_id": "899700735741",
    "id_type": "RPPS",
    "rpps": "99700735741",
    "adeli": None,
    "civility": "M",
    "last_name": "LE QUINIO",
    "first_name": "PIERRE",
    "profession": {"code": "10", "label": "Médecin"},
    "specialty": {"code": "SM26", "label": "Qualifié en Médecine générale (SM)"},
    "situations": [_SITUATION],
}
PRACTITIONER_BEFORE_PIN: dict[str, Any] = {**PRACTITIONER, "situations": None}
VITALE_CARD: dict[str, Any] = {
    "reader": "Gemalto PC Twin Reader 01 00",
    "card": {"type": "vitale", "generation": "vitale2", "serial": "0000123456", "test": True},
    "insured": {
        "nir": "1550672000101",
        "nir_key": "59",
        "regime": "01",
        "regime_label": "Régime général",
        "caisse": "349",
        "centre": "0349",
    },
    "beneficiaries": [
        {
            "index": 0,
            "last_name": "LE QUINIO",
            "birth_name": "LE QUINIO",
            "first_name": "PIERRE",
            "birth_date": "1955-06-15",
            "birth_date_raw": "19550615",
            "birth_rank": 1,
            "quality": {"code": "0", "label": "Assuré"},
            "nir": None,
            "ins": {"value": "155067200010159", "oid": "1.2.250.1.213.1.4.10"},
        },
        {
            "index": 1,
            "last_name": "LE QUINIO",
            "birth_name": "LE QUINIO",
            "first_name": "LOUISE",
            "birth_date": None,
            "birth_date_raw": "20150235",
            "birth_rank": 1,
            "quality": {"code": "6", "label": "Enfant"},
            "nir": "215027512345610",
            "ins": {"value": "215027512345610", "oid": "1.2.250.1.213.1.4.10"},
        },
    ],
}
