"""XDS metadata of the DMP: classification schemes, value sets and the CDA → XDS mapping.

Sources (docs/dmp-sandbox.md, "Deposits"): the ANS TD2.1/TD3.1 samples (schemes, code
systems), the ANS terminology (typeCode → classCode correspondence ASS-X16, formatCode of
non-structured documents ASS-A12), CI-SIS "Structuration minimale" (media types). The
typeCode table is ASS-X16 whole (the types of JDV_J66 and their classes).
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

# typeCode → classCode: the ANS ConceptMap ASS-X16 (OID 1.2.250.1.213.1.1.5.587, version
# 2024-02-23), restricted to the DMP's value sets JDV_J66 (types) and JDV_J57 (classes):
# "<code> <class>" pairs, LOINC types then the DMP's own (TRE_A05).
_LOINC_CLASSES = """
11369-6 52 11488-4 10 11490-0 10 11502-2 10 11505-5 10 11506-3 10 11526-1 10 15507-7 10
15508-5 10 18748-4 31 18761-7 11 18776-5 44 28653-4 10 29274-8 10 34112-3 10 34133-9 11
34749-2 10 34794-8 10 34842-5 11 34874-8 10 34875-5 10 47420-5 10 51969-4 10 52040-3 31
55115-0 42 56445-0 11 57057-2 11 57055-6 11 57075-4 11 57828-6 42 57832-8 42 57833-6 42
59283-2 10 59284-0 95 60568-3 10 60591-5 11 60593-1 43 61357-0 42 67851-6 10 68599-0 11
68817-6 11 70004-7 10 74207-2 11 74465-6 90 75468-9 42 75482-0 10 75492-9 10 75496-0 10
77436-4 10 77604-7 44 78489-2 11 78513-9 10 78601-2 10 80565-5 45 80771-9 44 80788-3 44
80820-4 11 83901-9 11 83836-7 11 83869-8 44 83981-1 10 85208-7 10 86531-1 95 87273-9 52
88348-8 11 89235-6 11 89601-9 52 93024-8 10 96173-0 52 96349-6 10 96874-3 52
"""
_DMP_TYPE_CLASSES = """
AUTORIS-SOINS 95 ATTEST-RESID 95 ATTEST-DROITS-AM 95 ATTEST-ASS-COMPL 95 ATTEST-HEBGT 95
BIL_AUTO 10 CERT_DECL 52 DISP_AUT 43 EXPPAT_1 90 EXPPAT_2 90 EXPPAT_3 90 DOCPAT01 11
DOCPAT02 42 DOCPAT03 10 DOCPAT04 31 DOCPAT05 10 DOCPAT06 10 DOCPAT07 52 DOCPAT08 11
DOCPAT09 95 IMG-KOS 31 PROT_ALD 44 REMB 60 SYNTH 11 PRESC-AAT 42 PRESC-BIO 42 PRESC-KINE 42
PRESC-INF 42 PRESC-PEDI 42 PRESC-ORTHOPHO 42 PRESC-ORTHOPTIE 42
"""


def _pairs(table: str, system: str) -> dict[tuple[str, str], str]:
    words = table.split()
    return {(code, system): klass for code, klass in zip(words[::2], words[1::2], strict=True)}


TYPE_TO_CLASS = MappingProxyType(
    _pairs(_LOINC_CLASSES, LOINC) | _pairs(_DMP_TYPE_CLASSES, DMP_TYPES)
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
