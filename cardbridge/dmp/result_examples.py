"""Examples of the DMP's typed results for the OpenAPI document (``/docs``), made of the
offline DMP's seed only (cardbridge/sandbox/seeds/default.yaml: fictitious people, test
RPPS and INS), so that nobody takes an example for a real person's record."""

from __future__ import annotations

from typing import Any

_PIERRE = "155067200010159"
_TEST_INS_OID = "1.2.250.1.213.1.4.10"
_DOCTOR = "899700735741"

DMP_STATUS: dict[str, Any] = {
    "state": "active",
    "authorization": "VALIDE",
    "treating_physician": True,
    "closed_on": None,
    "web_access_open": True,
    "emergency_access_opposed": False,
}
AUTHORIZED_PATIENT: dict[str, Any] = {
    "ins": _PIERRE,
    "ins_oid": _TEST_INS_OID,
    "last_name": "LE QUINIO",
    "birth_name": "LE QUINIO",
    "first_name": "PIERRE",
    "birth_date": "1955-06-15",
    "treating_physician": True,
    "last_access": "2026-11-26T09:30:00Z",
    "last_update": "2026-11-28T11:00:00Z",
    "last_deposit": "2026-11-28T11:00:00Z",
}
PRACTITIONER_AUTHORIZATION: dict[str, Any] = {
    "national_id": _DOCTOR,
    "national_id_type": "8",
    "last_name": "LE QUINIO",
    "first_name": "PIERRE",
    "specialties": ["SM26"],
    "since": "2026-01-05T10:00:00Z",
    "last_action": "2026-11-26T09:30:00Z",
    "mode": "ACTIVE",
    "treating_physician": True,
}
DOCUMENT_ENTRY: dict[str, Any] = {
    "unique_id": "2.25.148649090797006240419511479323028850967",
    "entry_uuid": "urn:uuid:0b6e2c8e-4a43-4f55-9d0c-7f1a9e3d5b21",
    "status": "approved",
    "title": "Compte rendu de consultation",
    "comment": None,
    "type": {"code": "11488-4", "system": "2.16.840.1.113883.6.1", "label": "CR de consultation"},
    "class_code": {"code": "10", "system": "1.2.250.1.213.1.1.4.1", "label": "Compte rendu"},
    "format": {"code": "urn:ihe:iti:xds-sd:text:2008", "system": "1.3.6.1.4.1.19376.1.2.3"},
    "practice_setting": {"code": "AMBULATOIRE", "system": "1.2.250.1.213.1.1.4.9"},
    "healthcare_facility": {"code": "SA07", "system": "1.2.250.1.71.4.2.4"},
    "media_type": "text/xml",
    "created": "2026-10-02T09:30:00Z",
    "service_start": "2026-10-02T09:30:00Z",
    "service_stop": None,
    "submitted": "2026-10-02T09:35:00Z",
    "size": 1843,
    "sha1": "1430f64180dff0e46b985bc1ebe19fa04e6b5023",
    "author_names": ["PIERRE LE QUINIO"],
    "author_structure": "CABINET DR LE QUINIO",
    "visibility": {
        "masked_from_professionals": False,
        "invisible_to_patient": False,
        "invisible_to_guardians": False,
    },
    "version": "1",
    "patient_document": False,
}
