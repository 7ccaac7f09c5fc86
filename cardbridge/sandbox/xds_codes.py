"""XDS metadata of the DMP: classification schemes, value sets and the CDA → XDS mapping.

Sources (docs/dmp-sandbox.md, "Deposits"): the ANS TD2.1/TD3.1 samples (schemes, code
systems), the ANS terminology (typeCode → classCode correspondence ASS-X16, formatCode of
non-structured documents ASS-A12), CI-SIS "Structuration minimale" (media types). The
typeCode table is a subset of JDV_J66; entries whose class we inferred are ``ours``.
"""

from __future__ import annotations

from types import MappingProxyType

# ebRIM identifiers (IHE ITI TF-3 §4.2.5).
DOCUMENT_ENTRY = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
SUBMISSION_SET = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
SCHEMES = MappingProxyType(
    {
        "author": "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d",
        "classCode": "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a",
        "confidentialityCode": "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f",
        "eventCodeList": "urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4",
        "formatCode": "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d",
        "healthcareFacilityTypeCode": "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1",
        "practiceSettingCode": "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead",
        "typeCode": "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983",
        "submissionSetAuthor": "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d",
        "contentTypeCode": "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500",
    }
)
EXTERNAL_IDS = MappingProxyType(
    {
        "documentPatientId": "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427",
        "documentUniqueId": "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab",
        "submissionPatientId": "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446",
        "submissionSourceId": "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832",
        "submissionUniqueId": "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8",
    }
)
HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
SIGNS = "urn:ihe:iti:2007:AssociationType:signs"
RPLC = "urn:ihe:iti:2010:AssociationType:RPLC"
UPDATE_STATUS = "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus"

APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
ARCHIVED = "urn:asip:ci-sis:2010:StatusType:Archived"
DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"
STATUSES = frozenset({APPROVED, DEPRECATED, ARCHIVED, DELETED})

REPOSITORY_UNIQUE_ID = "1.2.250.1.213.4.1.1.1.2"

LOINC = "2.16.840.1.113883.6.1"
DMP_TYPES = "1.2.250.1.213.1.1.4.12"
CLASS_SYSTEM = "1.2.250.1.213.1.1.4.1"
FORMAT_SYSTEM = "1.3.6.1.4.1.19376.1.2.3"
PRACTICE_SYSTEM = "1.2.250.1.213.1.1.4.9"
CONFIDENTIALITY_HL7 = "2.16.840.1.113883.5.25"
CONFIDENTIALITY_DMP = "1.2.250.1.213.1.1.4.13"

MASKED = "MASQUE_PS"
INVISIBLE_PATIENT = "INVISIBLE_PATIENT"
INVISIBLE_GUARDIANS = "INVISIBLE_REPRESENTANTS_LEGAUX"
DMP_CONFIDENTIALITY = frozenset({MASKED, INVISIBLE_PATIENT, INVISIBLE_GUARDIANS})

# typeCode (code, system) → classCode (ASS-X16 subset; "ours" where the class is inferred).
TYPE_TO_CLASS = MappingProxyType(
    {
        ("11488-4", LOINC): "10",  # Compte rendu de consultation
        ("11490-0", LOINC): "10",  # Lettre de liaison à la sortie
        ("11502-2", LOINC): "10",  # Compte rendu de biologie
        ("15507-7", LOINC): "10",  # Compte rendu de passage aux urgences
        ("34133-9", LOINC): "11",  # Synthèse d'épisode de soins
        ("18776-5", LOINC): "44",  # Plan de soins
        ("57833-6", LOINC): "42",  # Prescription (ours)
        ("SYNTH", DMP_TYPES): "11",  # Synthèse médicale
        ("CERT_DECL", DMP_TYPES): "52",  # Certificat, déclaration
        ("DOCPAT01", DMP_TYPES): "90",  # Document du patient (ours)
    }
)

# nonXMLBody media type → formatCode (ASS-A12).
MEDIA_FORMATS = MappingProxyType(
    {
        "application/pdf": "urn:ihe:iti:xds-sd:pdf:2008",
        "text/plain": "urn:ihe:iti:xds-sd:text:2008",
        "text/rtf": "urn:ihe:iti-fr:xds-sd:rtf:2010",
        "image/jpeg": "urn:ihe:iti-fr:xds-sd:jpeg:2010",
        "image/tiff": "urn:ihe:iti-fr:xds-sd:tiff:2010",
    }
)

PRACTICE_SETTINGS = frozenset(
    {
        "AMBULATOIRE",
        "ETABLISSEMENT",
        "HAD",
        "SAD",
        "MAD",
        "PALLIATIF",
        "DEPISTAGE",
        "SAMU_SMUR",
        "EXP_PATIENT",
    }
)

# The XAdES signature document (IHE DSG).
SIGNATURE_CLASS = "urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1"
SIGNATURE_FORMAT = "http://www.w3.org/2000/09/xmldsig#"
