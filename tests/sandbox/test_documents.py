"""TD3.1 (ITI-18), TD3.2 (ITI-43, MTOM both ways) and TD3.3 (ITI-57) with the rights
matrix's rows for reading and changing documents."""

from __future__ import annotations

import hashlib
from urllib.parse import unquote

import pytest
from lxml import etree

from testkit.dmp_documents import Doc, cda
from testkit.dmp_messages import set_authorization
from testkit.dmp_queries import (
    APPROVED,
    ARCHIVED,
    DELETED,
    DEPRECATED,
    FIND_BY_REFERENCE,
    GET_DOCUMENTS,
    find_documents,
    read_mtom,
    retrieve,
    status_change,
    stored_query,
    visibility_change,
)
from testkit.dmp_sandbox import Identity, RunningSandbox
from tests.sandbox.conftest import PIERRE

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
NS = {"rim": RIM, "rs": RS, "soap": "http://www.w3.org/2003/05/soap-envelope"}
EMERGENCY = {"purpose": "bris_de_glace", "reason": "Coma"}
NURSE_DOC = {
    "author_id": "0751234567",
    "author_family": "BERANGER",
    "author_given": "HELENE",
    "structure_id": "0751234567",
}


def _ok(answer) -> etree._Element:  # type: ignore[no-untyped-def]
    assert answer.status == 200, answer.body
    return answer.xml()


def _find(dmp: RunningSandbox, who: Identity, **options: object) -> dict[str, etree._Element]:
    vihf_changes = options.pop("vihf", {})
    body = find_documents(PIERRE, **options)  # type: ignore[arg-type]
    root = _ok(dmp.call("TD3.1", body, who, vihf=who.signed(who.vihf.but(**vihf_changes))))  # type: ignore[arg-type]
    found = {}
    for entry in root.iterfind(".//rim:ExtrinsicObject", NS):
        unique_id = entry.find(
            "rim:ExternalIdentifier[@identificationScheme='urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab']",
            NS,
        )
        found[unique_id.get("value")] = entry  # type: ignore[union-attr]
    return found


def _error(root: etree._Element) -> str:
    error = root.find(".//rs:RegistryError", NS)
    return error.get("errorCode", "") if error is not None else "Success"


def _fault(answer) -> str:  # type: ignore[no-untyped-def]
    assert answer.status == 500, answer.body
    return (answer.xml().findtext(".//soap:Subcode/soap:Value", namespaces=NS) or "").split(":")[-1]


@pytest.fixture
def filled(dmp: RunningSandbox, demo_doctor: Identity, nurse: Identity) -> dict[str, Doc]:
    """Pierre's DMP: a plain, a masked and a patient-invisible document by his treating
    physician, and one of the nurse's own (the nurse is authorized)."""
    docs = {
        "plain": Doc(PIERRE),
        "masked": Doc(
            PIERRE,
            confidentiality=("MASQUE_PS",),
            type_code=("34133-9", "2.16.840.1.113883.6.1"),
            class_code="11",
        ),
        "invisible": Doc(PIERRE, confidentiality=("INVISIBLE_PATIENT",)),
    }
    for doc in docs.values():
        assert _error(_ok(dmp.deposit([doc], demo_doctor))) == "Success"
    assert (
        _ok(dmp.call("TD0.3", set_authorization("AJOUT"), nurse)).findtext(".//{*}output/{*}status")
        == "DMPOk"
    )
    docs["nurse_masked"] = Doc(PIERRE, confidentiality=("MASQUE_PS",), **NURSE_DOC)  # type: ignore[arg-type]
    assert _error(_ok(dmp.deposit([docs["nurse_masked"]], nurse))) == "Success"
    return docs


def _ids(docs: dict[str, Doc], *names: str) -> set[str]:
    return {docs[name].unique_id for name in names}


# --- TD3.1 and the reading rows ------------------------------------------------------


def test_treating_physician_sees_everything(dmp, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    found = set(_find(dmp, demo_doctor))
    assert _ids(filled, "plain", "masked", "invisible", "nurse_masked") <= found


def test_non_doctor_sees_masked_documents_only_when_own(dmp, nurse, filled) -> None:  # type: ignore[no-untyped-def]
    found = set(_find(dmp, nurse)) & _ids(filled, *filled)
    assert found == _ids(filled, "plain", "invisible", "nurse_masked")


def test_doctor_in_emergency_does_not_see_masked_documents(dmp, other_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    found = set(_find(dmp, other_doctor, vihf=EMERGENCY)) & _ids(filled, *filled)
    assert found == _ids(filled, "plain", "invisible")


def test_doctor_without_authorization_in_normal_mode_is_refused(dmp, other_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    assert (
        _fault(dmp.call("TD3.1", find_documents(PIERRE), other_doctor))
        == "DMPAccessDeniedByRightsService"
    )


def test_structure_gets_references_to_its_documents_only(dmp, hospital, filled) -> None:  # type: ignore[no-untyped-def]
    own = Doc(
        PIERRE,
        structure_id="10B0307377",
        structure_name="CENTRE HOSPITALIER DE DEMO",
        facility="SA01",
    )
    assert _error(_ok(dmp.deposit([own], hospital))) == "Success"
    root = _ok(dmp.call("TD3.1", find_documents(PIERRE), hospital))
    assert root.findall(".//rim:ExtrinsicObject", NS) == []
    # Its document, the signature document of its submission and the seed's synthesis written
    # there; nothing of the others.
    assert len(root.findall(".//rim:ObjectRef", NS)) == 3


def test_metadata_of_a_found_document(dmp, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    entry = _find(dmp, demo_doctor)[filled["plain"].unique_id]
    slots = {
        slot.get("name"): slot.findtext(".//rim:Value", namespaces=NS)
        for slot in entry.iterfind("rim:Slot", NS)
    }
    wrapper = cda(filled["plain"])
    assert slots["hash"] == hashlib.sha1(wrapper).hexdigest()
    assert slots["size"] == str(len(wrapper))
    assert slots["repositoryUniqueId"] == "1.2.250.1.213.4.1.1.1.2"
    assert slots["creationTime"] == "20261205093000"
    assert entry.get("status") == APPROVED
    assert entry.get("id", "").startswith("urn:uuid:")


def test_filter_by_class_code(dmp, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    found = _find(dmp, demo_doctor, ClassCode="('11^^1.2.250.1.213.1.1.4.1')")
    assert set(found) & _ids(filled, *filled) == _ids(filled, "masked")
    classes = {
        c.get("nodeRepresentation")
        for e in found.values()
        for c in e.iterfind(
            "rim:Classification[@classificationScheme='urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a']",
            NS,
        )
    }
    assert classes == {"11"}


def test_creation_time_window(dmp, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    assert _find(dmp, demo_doctor, CreationTimeFrom="20261206") == {}
    assert len(_find(dmp, demo_doctor, CreationTimeFrom="20261205", CreationTimeTo="20261206")) >= 4


def test_patient_id_must_be_the_vihf_patient(dmp, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    body = find_documents("287096912304577")
    assert _error(_ok(dmp.call("TD3.1", body, demo_doctor))) == "XDSPatientIdDoesNotMatch"


def test_status_is_required(dmp, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    body = find_documents(PIERRE, statuses=())
    assert _error(_ok(dmp.call("TD3.1", body, demo_doctor))) == "XDSStoredQueryParamNumber"


def test_unknown_stored_query(dmp, demo_doctor) -> None:  # type: ignore[no-untyped-def]
    body = stored_query("urn:uuid:00000000-0000-0000-0000-000000000000", {})
    assert _error(_ok(dmp.call("TD3.1", body, demo_doctor))) == "XDSUnknownStoredQuery"


def test_get_documents_gives_the_entry_uuid(dmp, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    body = stored_query(
        GET_DOCUMENTS,
        {"$XDSDocumentEntryUniqueId": f"('{filled['plain'].unique_id}')"},
        "ObjectRef",
    )
    references = _ok(dmp.call("TD3.1", body, demo_doctor)).findall(".//rim:ObjectRef", NS)
    assert len(references) == 1
    assert references[0].get("id") == _find(dmp, demo_doctor)[filled["plain"].unique_id].get("id")


def test_find_by_reference_id_without_list(dmp, demo_doctor) -> None:  # type: ignore[no-untyped-def]
    body = stored_query(
        FIND_BY_REFERENCE,
        {
            "$XDSDocumentEntryPatientId": f"'{PIERRE}^^^&1.2.250.1.213.1.4.10&ISO^NH'",
            "$XDSDocumentEntryStatus": f"('{APPROVED}')",
        },
    )
    assert _error(_ok(dmp.call("TD3.1", body, demo_doctor))) == "XDSStoredQueryParamNumber"


# --- TD3.2 -----------------------------------------------------------------------------


def test_retrieve_is_mtom_and_returns_the_stored_cda(dmp, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    answer = dmp.call("TD3.2", retrieve(filled["plain"].unique_id), demo_doctor)
    assert answer.status == 200
    assert answer.content_type.startswith("multipart/related")
    root, attachments = read_mtom(answer.content_type, answer.body)
    href = root.find(".//{http://www.w3.org/2004/08/xop/include}Include").get("href")  # type: ignore[union-attr]
    assert attachments[unquote(href.removeprefix("cid:"))] == cda(filled["plain"])
    assert root.findtext(".//{urn:ihe:iti:xds-b:2007}DocumentUniqueId") == filled["plain"].unique_id


def test_retrieve_with_an_entry_uuid(dmp, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    entry_uuid = _find(dmp, demo_doctor)[filled["plain"].unique_id].get("id", "")
    answer = dmp.call("TD3.2", retrieve(entry_uuid), demo_doctor)
    root, _ = read_mtom(answer.content_type, answer.body)
    assert _error(root) == "XDSDocumentUniqueIdError"


def test_retrieve_from_another_repository(dmp, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    answer = dmp.call("TD3.2", retrieve(filled["plain"].unique_id, "1.2.3"), demo_doctor)
    root, _ = read_mtom(answer.content_type, answer.body)
    assert _error(root) == "XDSRepositoryWrongRepositoryUniqueId"


def test_retrieve_refused_is_an_mtom_fault(dmp, nurse, filled) -> None:  # type: ignore[no-untyped-def]
    answer = dmp.call("TD3.2", retrieve(filled["masked"].unique_id), nurse)
    assert answer.status == 500
    assert answer.content_type.startswith("multipart/related")
    root, _ = read_mtom(answer.content_type, answer.body)
    assert root.findtext(".//soap:Subcode/soap:Value", namespaces=NS).endswith(
        "DMPAccessDeniedByRightsService"
    )  # type: ignore[union-attr]


# --- TD3.3 -----------------------------------------------------------------------------


def _entry(dmp, who, doc: Doc, **options) -> etree._Element:  # type: ignore[no-untyped-def]
    return _find(dmp, who, statuses=(APPROVED, ARCHIVED, DELETED, DEPRECATED), **options)[
        doc.unique_id
    ]


def test_archive_unarchive_delete_by_the_treating_physician(dmp, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    doc = filled["plain"]
    entry_uuid = _entry(dmp, demo_doctor, doc).get("id", "")
    for original, new in (
        (APPROVED, ARCHIVED),
        (ARCHIVED, APPROVED),
        (APPROVED, ARCHIVED),
        (ARCHIVED, DELETED),
    ):
        assert (
            _error(
                _ok(
                    dmp.call("TD3.3", status_change(PIERRE, entry_uuid, original, new), demo_doctor)
                )
            )
            == "Success"
        )
        assert _entry(dmp, demo_doctor, doc).get("status") == new
    assert doc.unique_id not in _find(dmp, demo_doctor)


def test_forbidden_transitions(dmp, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    entry_uuid = _entry(dmp, demo_doctor, filled["plain"]).get("id", "")
    for original, new in ((ARCHIVED, DELETED), (APPROVED, DEPRECATED)):
        root = _ok(dmp.call("TD3.3", status_change(PIERRE, entry_uuid, original, new), demo_doctor))
        assert _error(root) == "XDSMetadataUpdateError"


def test_non_doctor_archives_own_documents_only(dmp, nurse, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    own = _entry(dmp, nurse, filled["nurse_masked"]).get("id", "")
    other = _entry(dmp, nurse, filled["plain"]).get("id", "")
    assert (
        _error(_ok(dmp.call("TD3.3", status_change(PIERRE, own, APPROVED, ARCHIVED), nurse)))
        == "Success"
    )
    assert (
        _fault(dmp.call("TD3.3", status_change(PIERRE, other, APPROVED, ARCHIVED), nurse))
        == "DMPAccessDeniedByRightsService"
    )


def test_mask_then_unmask(dmp, demo_doctor, nurse, filled) -> None:  # type: ignore[no-untyped-def]
    doc = filled["plain"]
    entry = _entry(dmp, demo_doctor, doc)
    body = visibility_change(PIERRE, entry.get("id", ""), 1, ("MASQUE_PS",))
    assert _error(_ok(dmp.call("TD3.3", body, demo_doctor))) == "Success"
    assert doc.unique_id not in _find(dmp, nurse)  # masked, and not the nurse's own
    versions = _find(dmp, demo_doctor, statuses=(APPROVED, DEPRECATED))
    assert versions[doc.unique_id].find("rim:VersionInfo", NS).get("versionName") == "2"  # type: ignore[union-attr]
    second = _entry(dmp, demo_doctor, doc)
    # Every version keeps the first one's entryUUID as its logical id (IHE ITI TF-3).
    first_uuid, new_uuid = entry.get("id", ""), second.get("id", "")
    assert new_uuid != first_uuid
    assert second.get("lid") == first_uuid
    # The third version names that logical id, not the second version's entryUUID.
    assert (
        _error(_ok(dmp.call("TD3.3", visibility_change(PIERRE, new_uuid, 2, ()), demo_doctor)))
        == "XDSMetadataUpdateError"
    )
    # The nurse may not unmask another's document; the treating physician may.
    assert (
        _fault(dmp.call("TD3.3", visibility_change(PIERRE, first_uuid, 2, ()), nurse))
        == "DMPAccessDeniedByRightsService"
    )
    assert (
        _error(_ok(dmp.call("TD3.3", visibility_change(PIERRE, first_uuid, 2, ()), demo_doctor)))
        == "Success"
    )
    assert doc.unique_id in _find(dmp, nurse)
    third = _entry(dmp, demo_doctor, doc)
    assert third.get("lid") == first_uuid
    assert third.find("rim:VersionInfo", NS).get("versionName") == "3"  # type: ignore[union-attr]


def test_no_masking_in_emergency_mode(dmp, other_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    entry_uuid = _entry(dmp, other_doctor, filled["plain"], vihf=EMERGENCY).get("id", "")
    body = visibility_change(PIERRE, entry_uuid, 1, ("MASQUE_PS",))
    vihf = other_doctor.signed(other_doctor.vihf.but(**EMERGENCY))
    assert (
        _fault(dmp.call("TD3.3", body, other_doctor, vihf=vihf)) == "DMPAccessDeniedByRightsService"
    )


def test_make_visible_to_the_patient(dmp, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    entry_uuid = _entry(dmp, demo_doctor, filled["invisible"]).get("id", "")
    assert (
        _error(_ok(dmp.call("TD3.3", visibility_change(PIERRE, entry_uuid, 1, ()), demo_doctor)))
        == "Success"
    )


def _without_submission_set(body: etree._Element) -> etree._Element:
    package = body.find(".//rim:RegistryPackage", NS)
    assert package is not None
    package.getparent().remove(package)  # type: ignore[union-attr]
    return body


def _other_patient_id(body: etree._Element) -> etree._Element:
    for identifier in body.iterfind(".//rim:RegistryPackage/rim:ExternalIdentifier", NS):
        if (
            identifier.get("identificationScheme")
            == "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
        ):
            identifier.set("value", "185057512345673^^^&1.2.250.1.213.1.4.10&ISO^NH")
    return body


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (_without_submission_set, "XDSRegistryMetadataError"),
        (_other_patient_id, "XDSPatientIdDoesNotMatch"),
    ],
    ids=["no-submission-set", "other-patient"],
)
def test_an_update_needs_a_submission_set_about_the_vihfs_patient(  # type: ignore[no-untyped-def]
    dmp, demo_doctor, filled, change, code
) -> None:
    entry_uuid = _entry(dmp, demo_doctor, filled["plain"]).get("id", "")
    for body in (
        status_change(PIERRE, entry_uuid, APPROVED, ARCHIVED),
        visibility_change(PIERRE, entry_uuid, 1, ("MASQUE_PS",)),
    ):
        assert _error(_ok(dmp.call("TD3.3", change(body), demo_doctor))) == code
    assert _entry(dmp, demo_doctor, filled["plain"]).get("status") == APPROVED


def test_a_visibility_update_names_the_current_version(dmp, demo_doctor, filled) -> None:  # type: ignore[no-untyped-def]
    entry_uuid = _entry(dmp, demo_doctor, filled["plain"]).get("id", "")
    body = visibility_change(PIERRE, entry_uuid, 2, ("MASQUE_PS",))  # the current one is 1
    assert _error(_ok(dmp.call("TD3.3", body, demo_doctor))) == "XDSMetadataVersionError"
