"""TD2.1 (ITI-41 with MTOM): the CDA wrapper, each metadata rule, the signature document,
uniqueIds, replacement, hash and size computed by the repository, the content's format."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from urllib.parse import unquote

import pytest
from lxml import etree

from testkit.dmp_documents import (
    XDSB,
    Doc,
    Package,
    cda,
    minimal_pdf,
    mtom,
    provide_and_register,
)
from testkit.dmp_messages import envelope
from testkit.dmp_queries import find_documents
from testkit.dmp_sandbox import SERVICES, Identity, RunningSandbox
from tests.sandbox.conftest import LUC, PIERRE, SOPHIE

RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
SOAP_NS = {"soap": "http://www.w3.org/2003/05/soap-envelope"}


def _result(answer) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """("Success", "", ""), (errorCode, codeContext, location) or ("fault", subcode, text)."""
    root = answer.xml()
    if answer.status == 500:
        subcode = root.findtext(".//soap:Subcode/soap:Value", namespaces=SOAP_NS) or ""
        return (
            "fault",
            subcode.split(":")[-1],
            root.findtext(".//soap:Reason/soap:Text", namespaces=SOAP_NS) or "",
        )
    response = root.find(f".//{{{RS}}}RegistryResponse")
    assert response is not None
    if response.get("status") == SUCCESS:
        return "Success", "", ""
    error = response.find(f"{{{RS}}}RegistryErrorList/{{{RS}}}RegistryError")
    assert error is not None
    return error.get("errorCode", ""), error.get("codeContext", ""), error.get("location", "")


def _documents(dmp: RunningSandbox) -> list[tuple]:
    with sqlite3.connect(dmp.data_dir / "dmp-sandbox.sqlite3") as db:
        return db.execute(
            "SELECT unique_id, status, version, hash, size, class_code, format_code, lid "
            "FROM document WHERE class_code != 'urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1' "
            "AND submission_uuid IS NOT NULL ORDER BY rowid"
        ).fetchall()


def test_deposit_of_a_pdf(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    doc = Doc(PIERRE)
    assert _result(dmp.deposit([doc], demo_doctor)) == ("Success", "", "")
    stored = _documents(dmp)
    assert len(stored) == 1
    unique_id, status, version, digest, size, class_code, format_code, _ = stored[0]
    assert (unique_id, status, version, class_code) == (
        doc.unique_id,
        "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved",
        1,
        "10",
    )
    assert (
        format_code == "urn:ihe:iti-fr:xds-sd:pdf:2008"
        or format_code == "urn:ihe:iti:xds-sd:pdf:2008"
    )
    # Hash and size are the repository's, computed over the stored CDA (hashlib here).
    wrapper = cda(doc)
    assert (digest, size) == (hashlib.sha1(wrapper).hexdigest(), len(wrapper))


def test_deposit_of_text_and_two_documents(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    docs = [Doc(PIERRE), Doc(PIERRE, media_type="text/plain", content=b"Tension 12/8.")]
    assert _result(dmp.deposit(docs, demo_doctor))[0] == "Success"
    assert len(_documents(dmp)) == 2


def test_sent_hash_and_size_must_match(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    assert (
        _result(dmp.deposit([Doc(PIERRE, hash="0" * 40)], demo_doctor))[0] == "XDSNonIdenticalHash"
    )
    assert _result(dmp.deposit([Doc(PIERRE, size="12")], demo_doctor))[0] == "XDSNonIdenticalSize"


@pytest.mark.parametrize(
    ("change", "code", "where"),
    [
        ({"class_code": "11"}, "XDSRegistryMetadataError", "classCode"),
        (
            {"type_code": ("99999-9", "2.16.840.1.113883.6.1")},
            "XDSRegistryMetadataError",
            "classCode",
        ),
        ({"format_code": "urn:ihe:iti:xds-sd:text:2008"}, "XDSRegistryMetadataError", "formatCode"),
        ({"practice": "PLAGE"}, "XDSRegistryMetadataError", "practiceSettingCode"),
        ({"facility": "SA99"}, "XDSRegistryMetadataError", "healthcareFacilityTypeCode"),
        ({"confidentiality": ("SECRET",)}, "XDSRegistryMetadataError", "confidentialityCode"),
        ({"creation_time": "20261205103000"}, "XDSRegistryMetadataError", "creationTime"),
        ({"metadata_unique_id": "1.2.3.4"}, "XDSRegistryMetadataError", "uniqueId"),
        ({"unique_id": "1.02.3"}, "XDSRegistryMetadataError", "uniqueId"),
        ({"unique_id": "1." + "2" * 70}, "XDSRegistryMetadataError", "uniqueId"),
        ({"metadata_patient": SOPHIE}, "XDSPatientIdDoesNotMatch", "patientId"),
        ({"cda_patient": SOPHIE}, "XDSPatientIdDoesNotMatch", "patientId"),
        (
            {"author_xcn": "899700735741^^^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"},
            "XDSRegistryMetadataError",
            "authorPerson",
        ),
        ({"cda_realm": "US"}, "XDSRegistryMetadataError", "realmCode"),
        ({"drop_cda": ("1.3.6.1.4.1.19376.1.2.20",)}, "XDSRegistryMetadataError", "templateId"),
        ({"drop_cda": ("recordTarget",)}, "XDSRegistryMetadataError", "recordTarget"),
        ({"effective": "20261205103000"}, "XDSRegistryMetadataError", "effectiveTime"),
        ({"media_type": "text/html", "format_code": "x"}, "XDSRegistryMetadataError", "nonXMLBody"),
    ],
)
def test_each_metadata_rule(
    dmp: RunningSandbox, demo_doctor: Identity, change: dict[str, object], code: str, where: str
) -> None:
    found = _result(dmp.deposit([Doc(PIERRE).but(**change)], demo_doctor))
    assert found[0] == code
    assert where in found[2]
    assert _documents(dmp) == []


def test_a_pdf_that_does_not_parse(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    broken = minimal_pdf()[:200]
    assert _result(dmp.deposit([Doc(PIERRE, content=broken)], demo_doctor))[:2] == (
        "XDSRepositoryError",
        "PDF illisible",
    )


def test_markup_is_not_text(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    doc = Doc(PIERRE, media_type="text/plain", content=b"<html><script>alert(1)</script></html>")
    assert _result(dmp.deposit([doc], demo_doctor))[0] == "XDSRepositoryError"


def test_a_pdf_announced_as_jpeg(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    assert (
        _result(dmp.deposit([Doc(PIERRE, media_type="image/jpeg")], demo_doctor))[0]
        == "XDSRepositoryError"
    )


@pytest.mark.parametrize(
    ("package", "code"),
    [
        (Package(with_signature=False), "XDSRegistryMetadataError"),
        (Package(with_signs=False), "XDSRegistryMetadataError"),
        (Package(with_has_member=False), "XDSRegistryMetadataError"),
        (Package(missing_content=True), "XDSMissingDocument"),
        (Package(replaces="urn:uuid:00000000-0000-0000-0000-000000000000"), "XDSRegistryError"),
    ],
)
def test_each_structure_rule(
    dmp: RunningSandbox, demo_doctor: Identity, package: Package, code: str
) -> None:
    assert _result(dmp.deposit([Doc(PIERRE)], demo_doctor, package))[0] == code
    assert _documents(dmp) == []


def test_duplicate_unique_id(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    doc = Doc(PIERRE)
    assert _result(dmp.deposit([doc], demo_doctor))[0] == "Success"
    assert _result(dmp.deposit([doc], demo_doctor))[0] == "XDSDuplicateUniqueIdInRegistry"
    assert (
        _result(
            dmp.deposit(
                [doc.but(unique_id=doc.unique_id + "1"), doc.but(unique_id=doc.unique_id + "1")],
                demo_doctor,
            )
        )[0]
        == "XDSDuplicateUniqueIdInRegistry"
    )
    assert len(_documents(dmp)) == 1


def test_replacement_deprecates_the_old_version(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    first = Doc(PIERRE)
    assert _result(dmp.deposit([first], demo_doctor))[0] == "Success"
    old_uuid = _documents(dmp)[0][7]
    second = Doc(PIERRE)
    assert _result(dmp.deposit([second], demo_doctor, Package(replaces=old_uuid)))[0] == "Success"
    (old, new) = _documents(dmp)
    assert old[1].endswith("Deprecated")
    assert new[1].endswith("Approved")
    assert (new[2], new[7]) == (2, old_uuid)
    # A deprecated version cannot be replaced again.
    assert (
        _result(dmp.deposit([Doc(PIERRE)], demo_doctor, Package(replaces=old_uuid)))[0]
        == "XDSRegistryError"
    )


def test_indirect_deposit_needs_its_structure_as_author_institution(
    dmp: RunningSandbox, hospital: Identity
) -> None:
    doc = Doc(
        PIERRE,
        structure_id="10B0307377",
        structure_name="CENTRE HOSPITALIER DE DEMO",
        facility="SA01",
    )
    assert _result(dmp.deposit([doc], hospital))[0] == "Success"
    found = _result(dmp.deposit([Doc(PIERRE)], hospital))
    assert found[:2] == (
        "XDSRegistryMetadataError",
        "Aucun AuthorInstitution ne correspond à l'utilisateur du VIHF "
        "[Authentification Indirecte]",
    )


def test_deposit_needs_an_authorization_in_normal_mode(
    dmp: RunningSandbox, nurse: Identity
) -> None:
    doc = Doc(
        PIERRE,
        author_id="0751234567",
        author_family="BERANGER",
        author_given="HELENE",
        structure_id="0751234567",
    )
    assert _result(dmp.deposit([doc], nurse))[:2] == ("fault", "DMPAccessDeniedByRightsService")


def test_emergency_deposit_without_authorization(
    dmp: RunningSandbox, other_doctor: Identity
) -> None:
    vihf = other_doctor.signed(other_doctor.vihf.but(purpose="bris_de_glace", reason="Coma"))
    doc = Doc(PIERRE, author_id="810002813839", structure_id="410002813839001")
    assert _result(dmp.deposit([doc], other_doctor, vihf=vihf))[0] == "Success"


def test_no_deposit_on_a_closed_or_missing_dmp(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    for ins, subcode in ((SOPHIE, "DMPClosed"), (LUC, "DMPNotFound")):
        vihf = demo_doctor.signed(demo_doctor.vihf.but(patient=ins))
        assert _result(dmp.deposit([Doc(ins)], demo_doctor, vihf=vihf))[:2] == ("fault", subcode)


def test_answer_echoes_the_message_id(dmp: RunningSandbox, demo_doctor: Identity) -> None:
    answer = dmp.deposit([Doc(PIERRE)], demo_doctor)
    relates = answer.xml().findtext(".//{http://www.w3.org/2005/08/addressing}RelatesTo")
    assert relates is not None
    assert relates.startswith("urn:uuid:")
    assert etree.QName(answer.xml().find(".//soap:Body/*", SOAP_NS)).localname == "RegistryResponse"


@pytest.mark.parametrize(
    ("damage", "expected"), [(b"", "Success"), (b"!", "XDSRepositoryError")], ids=["ok", "bad-b64"]
)
def test_documents_inline_in_base64_without_mtom(
    dmp: RunningSandbox, demo_doctor: Identity, damage: bytes, expected: str
) -> None:
    """ITI-41 allows the documents as base64 text in the envelope; the decoding is strict."""
    body, parts = provide_and_register([Doc(PIERRE)])
    for document in body.iterfind(f"{{{XDSB}}}Document"):
        include = document[0]
        data = parts[unquote(include.get("href", "").removeprefix("cid:"))]
        document.remove(include)
        encoded = base64.b64encode(data)
        document.text = (encoded[:8] + damage + encoded[8:]).decode()
    answer = dmp.post(
        SERVICES + "repository", envelope("TD2.1", body, demo_doctor.signed()), demo_doctor.tls
    )
    assert answer.status == 200
    assert _result(answer)[0] == expected


def test_a_document_over_the_xml_text_limit_is_refused_as_too_large(
    dmp: RunningSandbox, demo_doctor: Identity
) -> None:
    """libxml2's limit on one text node (10,000,000 characters) bounds the embedded file."""
    doc = Doc(PIERRE, media_type="text/plain", content=b"a" * 7_600_000)
    code, context, location = _result(dmp.deposit([doc], demo_doctor))
    assert (code, location) == ("XDSRepositoryError", "nonXMLBody/text")
    assert "trop volumineux" in context
    assert _documents(dmp) == []


# Types and classes of the ANS correspondence ASS-X16 (version 2024-02-23), read there.
@pytest.mark.parametrize(
    ("type_code", "class_code"),
    [
        (("34112-3", "2.16.840.1.113883.6.1"), "10"),  # CR hospitalier
        (("18748-4", "2.16.840.1.113883.6.1"), "31"),  # CR d'imagerie
        (("18761-7", "2.16.840.1.113883.6.1"), "11"),  # Note de transfert
        (("87273-9", "2.16.840.1.113883.6.1"), "52"),  # Note de vaccination
        (("DOCPAT01", "1.2.250.1.213.1.1.4.12"), "11"),
        (("PROT_ALD", "1.2.250.1.213.1.1.4.12"), "44"),
    ],
)
def test_every_type_of_the_dmp_takes_its_ass_x16_class(
    dmp: RunningSandbox, demo_doctor: Identity, type_code: tuple[str, str], class_code: str
) -> None:
    wrong = "10" if class_code != "10" else "11"
    refused = _result(
        dmp.deposit([Doc(PIERRE, type_code=type_code, class_code=wrong)], demo_doctor)
    )
    assert refused[0] == "XDSRegistryMetadataError"
    assert refused[2].endswith("classCode")
    doc = Doc(PIERRE, type_code=type_code, class_code=class_code)
    assert _result(dmp.deposit([doc], demo_doctor)) == ("Success", "", "")


def test_a_documents_comment_and_service_stop_time_are_listed(
    dmp: RunningSandbox, demo_doctor: Identity
) -> None:
    doc = Doc(PIERRE)
    body, parts = provide_and_register([doc])
    (entry,) = [
        e
        for e in body.iter(f"{{{RIM}}}ExtrinsicObject")
        if e.find(f"{{{RIM}}}Name/{{{RIM}}}LocalizedString[@value='{doc.title}']") is not None
    ]
    slot = etree.Element(f"{{{RIM}}}Slot", name="serviceStopTime")
    etree.SubElement(
        etree.SubElement(slot, f"{{{RIM}}}ValueList"), f"{{{RIM}}}Value"
    ).text = "20261205110000"
    entry.insert(0, slot)
    description = etree.Element(f"{{{RIM}}}Description")
    etree.SubElement(description, f"{{{RIM}}}LocalizedString", value="Revoir dans un mois")
    entry.find(f"{{{RIM}}}Name").addnext(description)  # type: ignore[union-attr]
    content_type, data = mtom(envelope("TD2.1", body, demo_doctor.signed()), parts)
    answer = dmp.post(SERVICES + "repository", data, demo_doctor.tls, content_type)
    assert _result(answer) == ("Success", "", "")
    listed = dmp.call(
        "TD3.1", find_documents(PIERRE, ServiceStopTimeFrom="20261205110000"), demo_doctor
    ).xml()
    (found,) = listed.iter(f"{{{RIM}}}ExtrinsicObject")  # the seed's have no stop time
    assert found.find(f"{{{RIM}}}Description/{{{RIM}}}LocalizedString").get("value") == (  # type: ignore[union-attr]
        "Revoir dans un mois"
    )
