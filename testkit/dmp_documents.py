"""Deposit messages built by hand: a PDF, its CDA R2 level 1 wrapper, the ITI-41
submission (ebRIM metadata, XAdES signature document, associations) and its MTOM package."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from lxml import etree

from testkit.dmp_messages import HL7, SOAP, TEST_INS_OID, WSA, WSSE, hl7_root

XDSB = "urn:ihe:iti:xds-b:2007"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
XOP = "http://www.w3.org/2004/08/xop/include"
DS = "http://www.w3.org/2000/09/xmldsig#"
LOINC = "2.16.840.1.113883.6.1"
ACTION = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
_XCN_TAIL = "^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"


def minimal_pdf(text: str = "Compte rendu") -> bytes:
    """A one-page PDF written by hand (objects, xref offsets, trailer)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


@dataclass(frozen=True)
class Doc:
    """One CDA document of a submission and the metadata that describes it."""

    ins: str
    author_id: str = "899700735741"
    author_family: str = "LE QUINIO"
    author_given: str = "PIERRE"
    structure_id: str = "499700735741008"
    structure_name: str = "CABINET DR LE QUINIO"
    unique_id: str = field(default_factory=lambda: f"1.2.250.1.999.1.1.{uuid.uuid4().int % 10**12}")
    type_code: tuple[str, str] = ("11488-4", LOINC)
    class_code: str = "10"
    media_type: str = "application/pdf"
    content: bytes = field(default_factory=minimal_pdf)
    format_code: str | None = None
    practice: str = "AMBULATOIRE"
    facility: str = "SA07"
    effective: str = "20261205103000+0100"
    creation_time: str | None = "20261205093000"
    confidentiality: tuple[str, ...] = ()
    title: str = "Compte rendu de consultation"
    patient_oid: str = TEST_INS_OID
    metadata_patient: str | None = None
    metadata_unique_id: str | None = None
    hash: str | None = None
    size: str | None = None
    cda_patient: str | None = None
    cda_realm: str = "FR"
    drop_cda: tuple[str, ...] = ()
    author_xcn: str | None = None
    institution_id: str | None = None

    def but(self, **changes: object) -> Doc:
        return replace(self, **changes)  # type: ignore[arg-type]


_FORMATS = {
    "application/pdf": "urn:ihe:iti:xds-sd:pdf:2008",
    "text/plain": "urn:ihe:iti:xds-sd:text:2008",
    "text/rtf": "urn:ihe:iti-fr:xds-sd:rtf:2010",
    "image/jpeg": "urn:ihe:iti-fr:xds-sd:jpeg:2010",
    "image/tiff": "urn:ihe:iti-fr:xds-sd:tiff:2010",
}


def _h(
    parent: etree._Element, tag: str, text: str | None = None, **attributes: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{HL7}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def cda(doc: Doc) -> bytes:
    """The CDA R2 level 1 wrapper of ``doc.content`` (CI-SIS header)."""
    root = hl7_root("ClinicalDocument")
    _h(root, "realmCode", code=doc.cda_realm)
    _h(root, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
    for template in (
        "2.16.840.1.113883.2.8.2.1",
        "1.2.250.1.213.1.1.1.1",
        "1.3.6.1.4.1.19376.1.2.20",
    ):
        if template not in doc.drop_cda:
            _h(root, "templateId", root=template)
    _h(root, "id", root=doc.unique_id)
    _h(root, "code", code=doc.type_code[0], codeSystem=doc.type_code[1], displayName=doc.title)
    _h(root, "title", doc.title)
    _h(root, "effectiveTime", value=doc.effective)
    _h(root, "confidentialityCode", code="N", codeSystem="2.16.840.1.113883.5.25")
    _h(root, "languageCode", code="fr-FR")
    _h(root, "setId", root=doc.unique_id + ".0")
    _h(root, "versionNumber", value="1")
    if "recordTarget" not in doc.drop_cda:
        role = _h(_h(root, "recordTarget"), "patientRole")
        _h(role, "id", root=doc.patient_oid, extension=doc.cda_patient or doc.ins)
        patient = _h(role, "patient")
        name = _h(patient, "name")
        _h(name, "given", "PIERRE", qualifier="BR")
        _h(name, "family", "LE QUINIO", qualifier="BR")
        _h(patient, "administrativeGenderCode", code="M", codeSystem="2.16.840.1.113883.5.1")
        _h(patient, "birthTime", value="19550615")
    author = _h(root, "author")
    _h(author, "time", value=doc.effective)
    assigned = _h(author, "assignedAuthor")
    _h(assigned, "id", root="1.2.250.1.71.4.2.1", extension=doc.author_id)
    custodian = _h(
        _h(_h(root, "custodian"), "assignedCustodian"), "representedCustodianOrganization"
    )
    _h(custodian, "id", root="1.2.250.1.71.4.2.2", extension=doc.structure_id)
    legal = _h(root, "legalAuthenticator")
    _h(legal, "time", value=doc.effective)
    _h(legal, "signatureCode", code="S")
    _h(_h(legal, "assignedEntity"), "id", root="1.2.250.1.71.4.2.1", extension=doc.author_id)
    event = _h(_h(root, "documentationOf"), "serviceEvent")
    _h(_h(event, "effectiveTime"), "low", value=doc.effective)
    organization = _h(
        _h(_h(event, "performer", typeCode="PRF"), "assignedEntity"), "representedOrganization"
    )
    _h(
        organization,
        "standardIndustryClassCode",
        code=doc.practice,
        codeSystem="1.2.250.1.213.1.1.4.9",
    )
    location = _h(_h(_h(root, "componentOf"), "encompassingEncounter"), "location")
    _h(
        _h(location, "healthCareFacility"),
        "code",
        code=doc.facility,
        codeSystem="1.2.250.1.71.4.2.4",
    )
    body = _h(_h(root, "component"), "nonXMLBody")
    _h(
        body,
        "text",
        base64.b64encode(doc.content).decode(),
        mediaType=doc.media_type,
        representation="B64",
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _r(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{RIM}}}{tag}", attributes)


def _slot(parent: etree._Element, name: str, *values: str) -> None:
    values_element = _r(_r(parent, "Slot", name=name), "ValueList")
    for value in values:
        etree.SubElement(values_element, f"{{{RIM}}}Value").text = value


def _classify(
    parent: etree._Element, scheme: str, code: str, system: str, name: str = ""
) -> etree._Element:
    classification = _r(
        parent,
        "Classification",
        classificationScheme=scheme,
        classifiedObject=parent.get("id", ""),
        nodeRepresentation=code,
        id=f"cl-{uuid.uuid4()}",
    )
    _slot(classification, "codingScheme", system)
    etree.SubElement(_r(classification, "Name"), f"{{{RIM}}}LocalizedString", value=name or code)
    return classification


def _external(parent: etree._Element, scheme: str, value: str, name: str) -> None:
    identifier = _r(
        parent,
        "ExternalIdentifier",
        identificationScheme=scheme,
        value=value,
        registryObject=parent.get("id", ""),
        id=f"ei-{uuid.uuid4()}",
    )
    etree.SubElement(_r(identifier, "Name"), f"{{{RIM}}}LocalizedString", value=name)


def _author(entry: etree._Element, doc: Doc, scheme: str) -> None:
    author = _r(
        entry,
        "Classification",
        classificationScheme=scheme,
        classifiedObject=entry.get("id", ""),
        nodeRepresentation="",
        id=f"au-{uuid.uuid4()}",
    )
    _slot(
        author,
        "authorPerson",
        doc.author_xcn or f"{doc.author_id}^{doc.author_family}^{doc.author_given}" + _XCN_TAIL,
    )
    _slot(
        author,
        "authorInstitution",
        f"{doc.structure_name}^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^"
        + (doc.institution_id or doc.structure_id),
    )
    _slot(
        author,
        "authorSpecialty",
        "G15_10/SM26^Médecin - Qualifié en Médecine Générale (SM)^1.2.250.1.213.1.1.4.5",
    )


def _entry(objects: etree._Element, doc: Doc, entry_id: str, *, signature: bool = False) -> None:
    entry = _r(
        objects,
        "ExtrinsicObject",
        id=entry_id,
        mimeType="text/xml",
        objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1",
    )
    cx = f"{doc.metadata_patient or doc.ins}^^^&{doc.patient_oid}&ISO^NH"
    _slot(entry, "creationTime", doc.creation_time or "20261205093000")
    _slot(entry, "languageCode", "art" if signature else "fr-FR")
    _slot(entry, "sourcePatientId", cx)
    if doc.hash and not signature:
        _slot(entry, "hash", doc.hash)
    if doc.size and not signature:
        _slot(entry, "size", doc.size)
    etree.SubElement(
        _r(entry, "Name"), f"{{{RIM}}}LocalizedString", value="Source" if signature else doc.title
    )
    _author(entry, doc, "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d")
    if signature:
        _classify(
            entry,
            "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a",
            "urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1",
            "URN",
        )
        _classify(entry, "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983", "E1762", "ASTM")
        _classify(
            entry,
            "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d",
            "http://www.w3.org/2000/09/xmldsig#",
            "URN",
        )
        codes = [
            ("N", "2.16.840.1.113883.5.25"),
            ("MASQUE_PS", "1.2.250.1.213.1.1.4.13"),
            ("INVISIBLE_PATIENT", "1.2.250.1.213.1.1.4.13"),
        ]
    else:
        _classify(
            entry,
            "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a",
            doc.class_code,
            "1.2.250.1.213.1.1.4.1",
        )
        _classify(entry, "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983", *doc.type_code)
        _classify(
            entry,
            "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d",
            doc.format_code or _FORMATS[doc.media_type],
            "1.3.6.1.4.1.19376.1.2.3",
        )
        codes = [("N", "2.16.840.1.113883.5.25")] + [
            (c, "1.2.250.1.213.1.1.4.13") for c in doc.confidentiality
        ]
    for code, system in codes:
        _classify(entry, "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f", code, system)
    _classify(
        entry,
        "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead",
        doc.practice,
        "1.2.250.1.213.1.1.4.9",
    )
    _classify(
        entry, "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1", doc.facility, "1.2.250.1.71.4.2.4"
    )
    _external(
        entry, "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427", cx, "XDSDocumentEntry.patientId"
    )
    unique = f"2.25.{uuid.uuid4().int}" if signature else (doc.metadata_unique_id or doc.unique_id)
    _external(
        entry, "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab", unique, "XDSDocumentEntry.uniqueId"
    )


def xades(unique_ids: list[str]) -> bytes:
    """The IHE DSG signature document's shape: ds:Signature with a manifest of the documents."""
    signature = etree.Element(f"{{{DS}}}Signature", nsmap={"ds": DS}, Id=f"sig-{uuid.uuid4()}")
    signed_info = etree.SubElement(signature, f"{{{DS}}}SignedInfo")
    etree.SubElement(signed_info, f"{{{DS}}}Reference", URI="#IHEManifest")
    etree.SubElement(signature, f"{{{DS}}}SignatureValue").text = "AAAA"
    manifest = etree.SubElement(
        etree.SubElement(signature, f"{{{DS}}}Object"), f"{{{DS}}}Manifest", Id="IHEManifest"
    )
    for unique_id in unique_ids:
        reference = etree.SubElement(manifest, f"{{{DS}}}Reference", URI=f"urn:oid:{unique_id}")
        etree.SubElement(reference, f"{{{DS}}}DigestValue").text = "AAAA"
    return etree.tostring(signature)


@dataclass(frozen=True)
class Package:
    """Options that break the submission's structure."""

    with_signature: bool = True
    with_signs: bool = True
    with_has_member: bool = True
    replaces: str | None = None
    replacing: str = "Document01"
    missing_content: bool = False
    submission_unique_id: str | None = None


def provide_and_register(
    docs: list[Doc], package: Package = Package()
) -> tuple[etree._Element, dict[str, bytes]]:
    """The ITI-41 body and its attachments (Content-ID → bytes)."""
    request = etree.Element(
        f"{{{XDSB}}}ProvideAndRegisterDocumentSetRequest",
        nsmap={"xdsb": XDSB, "lcm": LCM, "rim": RIM, "xop": XOP},
    )
    objects = etree.SubElement(
        etree.SubElement(request, f"{{{LCM}}}SubmitObjectsRequest"), f"{{{RIM}}}RegistryObjectList"
    )
    first = docs[0]
    package_element = _r(
        objects,
        "RegistryPackage",
        id="SubmissionSet01",
        objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage",
    )
    _slot(package_element, "submissionTime", datetime.now(UTC).strftime("%Y%m%d%H%M%S"))
    _author(package_element, first, "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d")
    _classify(
        package_element, "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500", "04", "1.2.250.1.213.2.2"
    )
    cx = f"{first.ins}^^^&{first.patient_oid}&ISO^NH"
    _external(
        package_element,
        "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446",
        cx,
        "XDSSubmissionSet.patientId",
    )
    _external(
        package_element,
        "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832",
        "1.2.250.1.999.1",
        "XDSSubmissionSet.sourceId",
    )
    _external(
        package_element,
        "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8",
        package.submission_unique_id or f"1.2.250.1.999.2.{uuid.uuid4().int % 10**12}",
        "XDSSubmissionSet.uniqueId",
    )
    _r(
        objects,
        "Classification",
        classifiedObject="SubmissionSet01",
        classificationNode="urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd",
        id="cl-set",
    )
    attachments: dict[str, bytes] = {}
    ids = []
    for number, doc in enumerate(docs, start=1):
        entry_id = f"Document{number:02d}"
        ids.append(entry_id)
        _entry(objects, doc, entry_id)
        attachments[entry_id] = cda(doc)
    if package.with_signature:
        _entry(objects, first, "Signature01", signature=True)
        ids.append("Signature01")
        attachments["Signature01"] = xades([d.unique_id for d in docs])
    for number, target in enumerate(ids):
        if package.with_has_member:
            association = _r(
                objects,
                "Association",
                associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember",
                sourceObject="SubmissionSet01",
                targetObject=target,
                id=f"as-{number}",
            )
            _slot(association, "SubmissionSetStatus", "Original")
    if package.with_signature and package.with_signs:
        _r(
            objects,
            "Association",
            associationType="urn:ihe:iti:2007:AssociationType:signs",
            sourceObject="Signature01",
            targetObject="SubmissionSet01",
            id="as-signs",
        )
    if package.replaces:
        _r(
            objects,
            "Association",
            associationType="urn:ihe:iti:2010:AssociationType:RPLC",
            sourceObject=package.replacing,
            targetObject=package.replaces,
            id="as-rplc",
        )
    parts: dict[str, bytes] = {}
    for entry_id, data in attachments.items():
        if package.missing_content and entry_id == "Document01":
            continue
        content_id = f"{entry_id}-{uuid.uuid4()}@cardbridge.test"
        document = etree.SubElement(request, f"{{{XDSB}}}Document", id=entry_id)
        etree.SubElement(
            document, f"{{{XOP}}}Include", href=f"cid:{content_id.replace('@', '%40')}"
        )
        parts[content_id] = data
    return request, parts


def mtom(envelope_xml: bytes, parts: dict[str, bytes], action: str = ACTION) -> tuple[str, bytes]:
    """``(Content-Type, body)`` of an MTOM request (CXF/soapUI style)."""
    boundary = f"MIMEBoundary_{uuid.uuid4().hex}"
    chunks = [
        f"--{boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; "
        f'type="application/soap+xml"\r\nContent-Transfer-Encoding: binary\r\n'
        f"Content-ID: <root.message@cardbridge.test>\r\n\r\n".encode(),
        envelope_xml,
    ]
    for content_id, data in parts.items():
        chunks += [
            f"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Transfer-Encoding: binary\r\nContent-ID: <{content_id}>\r\n\r\n".encode(),
            data,
        ]
    chunks.append(f"\r\n--{boundary}--\r\n".encode())
    content_type = (
        f'multipart/related; type="application/xop+xml"; boundary="{boundary}"; '
        f'start="<root.message@cardbridge.test>"; start-info="application/soap+xml"; '
        f'action="{action}"'
    )
    return content_type, b"".join(chunks)


__all__ = [
    "SOAP",
    "WSA",
    "WSSE",
    "Doc",
    "Package",
    "cda",
    "minimal_pdf",
    "mtom",
    "provide_and_register",
]
