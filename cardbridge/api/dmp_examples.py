"""Examples of the DMP routes' answers for the OpenAPI document (``/docs``).

Made of the packaged demo cards' data only (``demo-cps`` and ``demo-vitale``: fictitious
people, test RPPS, test INS OID), as the emulated bridge answers them, so that nobody
takes an example for a real person's record.
"""

from __future__ import annotations

from typing import Any

DEMO_INS = "155067200010159"  # demo-vitale's insured: NIR 1550672000101, key 59
DEMO_INS_OID = "1.2.250.1.213.1.4.10"  # INS of test data
DEMO_INS_CX = f"{DEMO_INS}^^^&{DEMO_INS_OID}&ISO^NH"
DEMO_PRACTITIONER = "899700735741"  # demo-cps: 8 + test RPPS 99700735741
DEMO_STRUCTURE = "499700735741008"
_ASSERTION_ID = "_6f0c2a1e-3b7d-4c55-9a8e-2d41f0b7c9e3"
_DOCUMENT_ID = "2.25.148649090797006240419511479323028850967"
_SHA256 = "1e7313ace78f0fb481a486939b4885902663102818090805515553d84e0bbfd3"

DOCUMENT_TYPE: dict[str, Any] = {
    "label": "CR de consultation",
    "code": "11488-4",
    "system": "2.16.840.1.113883.6.1",
    "class_code": "10",
    "known": True,
}
INS: dict[str, Any] = {"value": DEMO_INS, "oid": DEMO_INS_OID, "cx": DEMO_INS_CX}
PATIENT: dict[str, Any] = {
    "source": "vitale",
    "ins": INS,
    "last_name": "LE QUINIO",
    "first_name": "PIERRE",
    "sex": None,
    "birth_date": "19550615",
    "journal_key": DEMO_INS_CX,
}
ACCESS_BODIES: list[dict[str, Any]] = [
    {"situation": 0, "patient": {"vitale": {"beneficiary": 0}}, "mode": "normal", "consent": True},
    {
        "situation": 0,
        "patient": {"ins": "1 55 06 72 000 101 59"},
        "mode": "bris_de_glace",
        "reason": "Patient inconscient admis aux urgences",
    },
    {
        "situation": 0,
        "patient": {"ins": "2 15 02 75 123 456 10"},
        "mode": "normal",
        "consent": True,
        "secret": True,
    },
]
ACCESS_ANSWER: dict[str, Any] = {
    "assertion_id": _ASSERTION_ID,
    "not_on_or_after": "2026-11-26T10:00:00Z",
    "mode": "normal",
    "consent_needed": True,
    "consent_attested": True,
    "secret": False,
    "journal_seq": 1,
    "issuer": f"GN=PIERRE+SN=LE QUINIO+CN={DEMO_PRACTITIONER},title=Médecin,C=FR",
    "structure_id": DEMO_STRUCTURE,
    "sector": "SA07",
    "patient": PATIENT,
    "dmp": {
        "state": "active",
        "authorization": "NON_EXISTE",
        "treating_physician": False,
        "closed_on": None,
        "web_access_open": True,
        "emergency_access_opposed": False,
    },
    "authorization_added": True,
    "vihf": "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" Version="2.0" '
    f'IssueInstant="2026-11-26T09:30:00Z" ID="{_ASSERTION_ID}">…<ds:Signature>…'
    "</ds:Signature>…</saml2:Assertion>",
}
JOURNAL_ENTRY: dict[str, Any] = {
    "seq": 1,
    "recorded_at": "2026-11-26T09:30:00.000000Z",
    "kind": "access",
    "practitioner": DEMO_PRACTITIONER,
    "patient": DEMO_INS_CX,
    "details": {
        "consent_attested": True,
        "consent_needed": True,
        "mode": "normal",
        "patient_source": "vitale",
        "reason": None,
        "sector": "SA07",
        "structure_id": DEMO_STRUCTURE,
        "vihf_id": _ASSERTION_ID,
    },
}
JOURNAL_CHECKS: list[dict[str, Any]] = [
    {"ok": True, "records": 2, "problems": []},
    {"ok": False, "records": 1, "problems": ["records 2 to 2 are missing at the end (deleted)"]},
]


def _coded(code: str, system: str | None, display: str) -> dict[str, Any]:
    return {"code": code, "system": system, "display": display}


DEPOSIT_ANSWER: dict[str, Any] = {
    "metadata": {
        "unique_id": _DOCUMENT_ID,
        "title": "Compte rendu de consultation",
        "comment": "Consultation de suivi",
        "creation_time": "2026-11-20",
        "prepared_at": "2026-11-26T09:35:00.000000Z",
        "service_start": "2026-11-20",
        "service_stop": None,
        "type_code": _coded("11488-4", "2.16.840.1.113883.6.1", "CR de consultation"),
        "class_code": _coded("10", "1.2.250.1.213.1.1.4.1", "Compte rendu"),
        "format_code": _coded("urn:ihe:iti:xds-sd:pdf:2008", None, "PDF"),
        "confidentiality_codes": [_coded("N", "1.2.250.1.213.1.1.4.13", "NORMAL")],
        "mime_type": "application/pdf",
        "detected_format": "pdf",
        "named_format": "pdf",
        "text_encoding": None,
        "language": "fr-FR",
        "patient_id": DEMO_INS_CX,
        "author": {
            "national_id": DEMO_PRACTITIONER,
            "last_name": "LE QUINIO",
            "first_name": "PIERRE",
            "profession": _coded("10", "1.2.250.1.71.1.2.7", "Médecin"),
            "specialty": _coded("SM26", "1.2.250.1.71.4.2.5", "Qualifié en Médecine générale (SM)"),
            "structure_id": DEMO_STRUCTURE,
            "structure_name": "CABINET DR LE QUINIO",
            "sector": "SA07",
        },
        "hash": "1430f64180dff0e46b985bc1ebe19fa04e6b5023",
        "sha256": _SHA256,
        "size": 48213,
    },
    "journal_seq": 2,
    "receipt": {
        "unique_id": _DOCUMENT_ID,
        "entry_uuid": "urn:uuid:0b6e2c8e-4a43-4f55-9d0c-7f1a9e3d5b21",
        "submission_set_unique_id": "2.25.201384756019283746501928374650192837465",
        "replaced": None,
    },
}
