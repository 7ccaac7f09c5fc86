"""Names on the DMP's wire shared by the transactions: XML namespaces and the XDS (ebRIM)
identifiers of IHE ITI TF-3 §4.2.5, plus the DMP's own statuses and repository.

Sources: docs/dmp-client.md ("Names on the wire") — IHE ITI Technical Framework vol. 3,
the ANS DMP message samples and WSDL. The offline DMP keeps its own copy of these names
(cardbridge/sandbox/wire.py, xds_codes.py): client and sandbox meet only on the wire, so a
mistake in one is not silently repeated in the other.
"""

from __future__ import annotations

from types import MappingProxyType

# --- XML namespaces -----------------------------------------------------------------
SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
HABILITATIONS = "urn:si-dmp-habilitations"
PATIENTS = "urn:si-dmp-patients"
XDSB = "urn:ihe:iti:xds-b:2007"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
XOP = "http://www.w3.org/2004/08/xop/include"

ANONYMOUS = "http://www.w3.org/2005/08/addressing/anonymous"

# --- ebRIM object types and classifications of XDS (IHE ITI TF-3 §4.2.5) -------------
DOCUMENT_ENTRY = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
SUBMISSION_SET = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
CLASSIFICATION_SCHEMES = MappingProxyType(
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
EXTERNAL_IDENTIFIERS = MappingProxyType(
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
REPLACES = "urn:ihe:iti:2010:AssociationType:RPLC"
UPDATE_AVAILABILITY_STATUS = "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus"

# Stored queries (IHE ITI TF-2a §3.18.4.1.2.3.7).
FIND_DOCUMENTS = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"
GET_DOCUMENTS = "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4"

# Availability statuses: ebRIM's, and the DMP's own for archived and deleted documents.
APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
ARCHIVED = "urn:asip:ci-sis:2010:StatusType:Archived"
DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"

# The DMP's repository (repositoryUniqueId of its documents).
DMP_REPOSITORY = "1.2.250.1.213.4.1.1.1.2"

# The DMP's confidentiality codes (TRE_A07-like, system 1.2.250.1.213.1.1.4.13).
MASKED_FROM_PROFESSIONALS = "MASQUE_PS"
INVISIBLE_TO_PATIENT = "INVISIBLE_PATIENT"
INVISIBLE_TO_GUARDIANS = "INVISIBLE_REPRESENTANTS_LEGAUX"
