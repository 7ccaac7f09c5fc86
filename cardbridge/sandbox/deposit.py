"""TD2.1, ITI-41 Provide and Register Document Set-b: checks, then one atomic store.

The submission (docs/dmp-sandbox.md, "Deposits"): a submission set, CDA documents and the
mandatory XAdES signature document, ``HasMember`` associations from the set to each, a
``signs`` association from the signature to the set, optionally ``RPLC`` (the replaced
version becomes Deprecated). Each document's metadata must repeat its CDA header and take
its values from the DMP's value sets; hash and size are computed by the repository (when a
client sends them they must match). Everything is stored in one transaction.
"""

from __future__ import annotations

import binascii
import hashlib
import re

from lxml import etree

from cardbridge.domain import terminologies
from cardbridge.sandbox import rim
from cardbridge.sandbox.access import Access, access_for
from cardbridge.sandbox.cda import CdaFacts, decode_base64, read_cda
from cardbridge.sandbox.deposit_store import DepositedDocument, Submission, store_submission
from cardbridge.sandbox.faults import Fault, RegistryError, ServiceFault
from cardbridge.sandbox.service import Exchange, Reply
from cardbridge.sandbox.store import Store
from cardbridge.sandbox.wire import DS, LCM, XDSB, XOP
from cardbridge.sandbox.xds_codes import (
    CLASS_SYSTEM,
    CONFIDENTIALITY_DMP,
    CONFIDENTIALITY_HL7,
    DMP_CONFIDENTIALITY,
    DOCUMENT_ENTRY,
    EXTERNAL_IDS,
    FORMAT_SYSTEM,
    HAS_MEMBER,
    MEDIA_FORMATS,
    PRACTICE_SETTINGS,
    PRACTICE_SYSTEM,
    SCHEMES,
    SIGNATURE_CLASS,
    SIGNS,
    SUBMISSION_SET,
    TYPE_TO_CLASS,
)

META = "XDSRegistryMetadataError"
_XCN = re.compile(
    r"([^^]+)\^([^^]+)\^([^^]+)\^\^\^\^\^\^&1\.2\.250\.1\.71\.4\.2\.1&ISO\^D\^\^\^IDNPS"
)
_XON = re.compile(r"([^^]+)\^\^\^\^\^&1\.2\.250\.1\.71\.4\.2\.2&ISO\^IDNST\^\^\^(\S+)")
_OID = re.compile(r"(0|[1-9]\d*)(\.(0|[1-9]\d*))+")
INDIRECT_INSTITUTION = (
    "Aucun AuthorInstitution ne correspond à l'utilisateur du VIHF [Authentification Indirecte]"
)


def _fail(code: str, context: str, location: str) -> RegistryError:
    return RegistryError(code, context, location)


def _contents(request: etree._Element, exchange: Exchange) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for document in request.iterfind(f"{{{XDSB}}}Document"):
        include = document.find(f"{{{XOP}}}Include")
        if include is not None:
            data = exchange.related.attachment(include.get("href", ""))
            if data is None:
                raise _fail(
                    "XDSMissingDocument", "pièce MTOM introuvable", f"Document/{document.get('id')}"
                )
        else:
            try:
                data = decode_base64(document.text or "")
            except (binascii.Error, ValueError):
                raise _fail(
                    "XDSRepositoryError",
                    "contenu base64 illisible",
                    f"Document/{document.get('id')}",
                ) from None
        found[document.get("id", "")] = data
    return found


def _submission_set(objects: etree._Element) -> etree._Element:
    packages = objects.findall(rim.r("RegistryPackage"))
    classified = {
        c.get("classifiedObject")
        for c in objects.iter(rim.r("Classification"))
        if c.get("classificationNode") == SUBMISSION_SET
    }
    sets = [p for p in packages if p.get("id") in classified]
    if len(sets) != 1:
        raise _fail(META, "un lot de soumission (SubmissionSet) attendu", "RegistryPackage")
    return sets[0]


def _check_codes(entry: etree._Element, facts: CdaFacts) -> None:
    where = entry.get("id", "")
    type_code = rim.coded(entry, SCHEMES["typeCode"], "typeCode")[0]
    if type_code != facts.type_code:
        raise _fail(META, "typeCode différent du code du CDA", f"{where}/typeCode")
    class_code = rim.coded(entry, SCHEMES["classCode"], "classCode")[0]
    if TYPE_TO_CLASS.get(type_code) != class_code[0] or class_code[1] != CLASS_SYSTEM:
        raise _fail(
            META,
            f"classCode {class_code[0]} incompatible avec typeCode {type_code[0]}",
            f"{where}/classCode",
        )
    expected_format = (MEDIA_FORMATS[facts.media_type], FORMAT_SYSTEM)
    if rim.coded(entry, SCHEMES["formatCode"], "formatCode")[0] != expected_format:
        raise _fail(META, f"formatCode attendu : {expected_format[0]}", f"{where}/formatCode")
    practice = rim.coded(entry, SCHEMES["practiceSettingCode"], "practiceSettingCode")[0]
    if (
        practice != (facts.practice_setting, PRACTICE_SYSTEM)
        or practice[0] not in PRACTICE_SETTINGS
    ):
        raise _fail(
            META, "practiceSettingCode inconnu ou différent du CDA", f"{where}/practiceSettingCode"
        )
    facility = rim.coded(
        entry, SCHEMES["healthcareFacilityTypeCode"], "healthcareFacilityTypeCode"
    )[0]
    if (
        facility != (facts.facility_type, terminologies.SECTOR_OID)
        or facility[0] not in terminologies.SECTORS
    ):
        raise _fail(
            META,
            "healthcareFacilityTypeCode inconnu ou différent du CDA",
            f"{where}/healthcareFacilityTypeCode",
        )
    confidentiality = rim.coded(entry, SCHEMES["confidentialityCode"], "confidentialityCode")
    if ("N", CONFIDENTIALITY_HL7) not in confidentiality or facts.confidentiality != "N":
        raise _fail(META, "confidentialityCode N obligatoire", f"{where}/confidentialityCode")
    for code, system in confidentiality:
        if (code, system) != ("N", CONFIDENTIALITY_HL7) and (
            code not in DMP_CONFIDENTIALITY or system != CONFIDENTIALITY_DMP
        ):
            raise _fail(META, f"confidentialityCode {code} inconnu", f"{where}/confidentialityCode")


def _check_entry(
    entry: etree._Element, facts: CdaFacts, data: bytes, digest: str, access: Access
) -> tuple[str, str]:
    """The entry's checks against its CDA (``data``, SHA-1 ``digest``); its (XCN, XON)."""
    where = entry.get("id", "")
    patient = access.caller.claims.patient
    assert patient is not None
    cx = f"{patient.ins}^^^&{patient.oid}&ISO^NH"
    if rim.external_id(entry, EXTERNAL_IDS["documentPatientId"]) != cx or facts.patient != (
        patient.ins,
        patient.oid,
    ):
        raise _fail(
            "XDSPatientIdDoesNotMatch",
            "patientId différent du resource-id du VIHF",
            f"{where}/patientId",
        )
    unique_id = rim.external_id(entry, EXTERNAL_IDS["documentUniqueId"])
    if unique_id != facts.unique_id:
        raise _fail(META, "uniqueId différent de l'id du CDA", f"{where}/uniqueId")
    root = unique_id.split("^")[0]
    if not _OID.fullmatch(root) or len(unique_id) > 64:
        raise _fail(META, "uniqueId : OID d'au plus 64 caractères attendu", f"{where}/uniqueId")
    if rim.slot(entry, "creationTime") != facts.creation_time:
        raise _fail(
            META, "creationTime différent de effectiveTime du CDA (UTC)", f"{where}/creationTime"
        )
    _check_codes(entry, facts)
    size, sent_digest = rim.slot(entry, "size"), rim.slot(entry, "hash")
    if size is not None and size != str(len(data)):
        raise _fail("XDSNonIdenticalSize", "taille différente du document reçu", f"{where}/size")
    if sent_digest is not None and sent_digest.lower() != digest:
        raise _fail("XDSNonIdenticalHash", "empreinte différente du document reçu", f"{where}/hash")
    authors = rim.classifications(entry, SCHEMES["author"])
    if not authors:
        raise _fail(META, "auteur absent", f"{where}/author")
    person = rim.slot(authors[0], "authorPerson") or ""
    institutions = rim.slot_values(authors[0], "authorInstitution")
    if not _XCN.fullmatch(person):
        raise _fail(
            META, "authorPerson : XCN id^NOM^Prénom^…^IDNPS attendu", f"{where}/authorPerson"
        )
    matches = [m for m in (_XON.fullmatch(i) for i in institutions) if m]
    if not matches or len(matches) != len(institutions):
        raise _fail(
            META, "authorInstitution : XON NOM^…^IDNST^^^id attendu", f"{where}/authorInstitution"
        )
    claims = access.caller.claims
    if not claims.authentication_mode.direct and claims.structure_id not in {
        m.group(2) for m in matches
    }:
        raise _fail(META, INDIRECT_INSTITUTION, f"{where}/authorInstitution")
    return person, institutions[0]


def _check_signature(
    signature: etree._Element, data: bytes, documents: list[DepositedDocument]
) -> None:
    where = signature.get("id", "")
    if (
        rim.coded(signature, SCHEMES["formatCode"], "formatCode")[0][0]
        != "http://www.w3.org/2000/09/xmldsig#"
    ):
        raise _fail(META, "formatCode du document de signature", f"{where}/formatCode")
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        raise _fail(META, "document de signature illisible", where) from None
    references = {ref.get("URI") for ref in root.iter(f"{{{DS}}}Reference")}
    if root.tag != f"{{{DS}}}Signature":
        raise _fail(META, "ds:Signature attendue", where)
    for document in documents:
        if f"urn:oid:{document.facts.unique_id}" not in references:
            raise _fail(META, "le manifeste ne référence pas chaque document", f"{where}/Manifest")


def _associations(objects: etree._Element, kind: str) -> list[etree._Element]:
    return [a for a in objects.iterfind(rim.r("Association")) if a.get("associationType") == kind]


def provide_and_register(exchange: Exchange, store: Store) -> Reply:
    """Answer TD2.1 (ITI-41)."""
    access = access_for(exchange.caller, store, exchange.now)
    access.require("TD2.1", "/Envelope/Body")
    access.require_document_access("/Envelope/Body")
    try:
        _deposit(exchange, access, store)
    except RegistryError as error:
        return Reply(rim.registry_response([error]), result=error.code)
    return Reply(rim.registry_response())


def _deposit(exchange: Exchange, access: Access, store: Store) -> None:
    request = exchange.request.payload
    if request is None or request.tag != f"{{{XDSB}}}ProvideAndRegisterDocumentSetRequest":
        raise ServiceFault(
            Fault.INVALID_REQUEST, "/Envelope/Body", "ProvideAndRegisterDocumentSetRequest attendu"
        )
    objects = request.find(f"{{{LCM}}}SubmitObjectsRequest/{rim.r('RegistryObjectList')}")
    if objects is None:
        raise _fail(META, "RegistryObjectList absente", "SubmitObjectsRequest")
    contents = _contents(request, exchange)
    submission = _submission_set(objects)
    entries = [
        e
        for e in objects.iterfind(rim.r("ExtrinsicObject"))
        if e.get("objectType") == DOCUMENT_ENTRY
    ]
    for document_id in contents:
        if document_id not in {e.get("id") for e in entries}:
            raise _fail(
                "XDSMissingDocumentMetadata", "document sans métadonnées", f"Document/{document_id}"
            )
    members = {
        a.get("targetObject")
        for a in _associations(objects, HAS_MEMBER)
        if a.get("sourceObject") == submission.get("id")
    }
    documents: list[DepositedDocument] = []
    signatures: list[tuple[etree._Element, bytes]] = []
    for entry in entries:
        where = entry.get("id", "")
        if where not in contents:
            raise _fail("XDSMissingDocument", "contenu du document absent", f"Document/{where}")
        if where not in members:
            raise _fail(META, "association HasMember absente", f"{where}")
        classes = rim.coded(entry, SCHEMES["classCode"], "classCode")
        if classes[0][0] == SIGNATURE_CLASS:
            signatures.append((entry, contents[where]))
            continue
        data = contents[where]
        facts, _ = read_cda(data)
        # The repository's hash: one pass, used for the check and the stored metadata.
        digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()
        author = _check_entry(entry, facts, data, digest, access)
        documents.append(DepositedDocument(entry, facts, data, digest, author))
    if not documents:
        raise _fail(META, "aucun document CDA dans la soumission", "RegistryObjectList")
    if len(signatures) != 1:
        raise _fail(META, "un document de signature XAdES attendu", "RegistryObjectList")
    signs = [
        a
        for a in _associations(objects, SIGNS)
        if a.get("sourceObject") == signatures[0][0].get("id")
    ]
    if not signs or signs[0].get("targetObject") != submission.get("id"):
        raise _fail(META, "association signs (signature → lot) absente", "Association")
    _check_signature(*signatures[0], documents)
    store_submission(
        Submission(objects, submission, documents, signatures[0]), access, store, exchange
    )
