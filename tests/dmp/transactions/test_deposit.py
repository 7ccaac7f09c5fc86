"""TD2.1 through the client's own deposit against the offline DMP: each format found
again byte for byte, free text, replacement, refusals and visibilities."""

from __future__ import annotations

import base64
import re
from dataclasses import replace

import pytest
from lxml import etree

from cardbridge.dmp.catalogue import DOCUMENT_TYPES, DocumentType, Visibility
from cardbridge.dmp.transactions.deposit import DepositRequest, ReplacedDocument
from cardbridge.errors import DmpRefusedError
from testkit.dmp_messages import set_authorization
from testkit.dmp_queries import APPROVED, DEPRECATED
from testkit.dmp_sandbox import Identity
from tests.dmp.transactions import media
from tests.dmp.transactions.conftest import (
    DEMO_AUTHOR,
    NS,
    PIERRE_TRAITS,
    ROOT,
    Depositor,
    form,
)

CONFIDENTIALITY = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
FORMAT = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"
STATUS = "status"


def _body(cda: bytes) -> tuple[str, bytes]:
    text = etree.fromstring(cda).find("hl7:component/hl7:nonXMLBody/hl7:text", NS)
    assert text is not None
    return text.get("mediaType", ""), base64.b64decode(text.text or "", validate=True)


def _codes(entry: etree._Element, scheme: str) -> set[str]:
    return {
        c.get("nodeRepresentation", "")
        for c in entry.iterfind(f"rim:Classification[@classificationScheme='{scheme}']", NS)
    }


# (content, media type and formatCode of the ANS terminology ASS-A12)
FORMATS = {
    "pdf": (media.pdf(), "application/pdf", "urn:ihe:iti:xds-sd:pdf:2008"),
    "text": (media.TEXT.encode(), "text/plain", "urn:ihe:iti:xds-sd:text:2008"),
    "rtf": (media.RTF, "text/rtf", "urn:ihe:iti-fr:xds-sd:rtf:2010"),
    "jpeg": (media.jpeg(), "image/jpeg", "urn:ihe:iti-fr:xds-sd:jpeg:2010"),
    "tiff": (media.tiff(), "image/tiff", "urn:ihe:iti-fr:xds-sd:tiff:2010"),
}


@pytest.mark.parametrize("kind", FORMATS)
def test_each_format_is_deposited_and_found_byte_for_byte(
    depositor: Depositor, demo_doctor: Identity, kind: str
) -> None:
    content, media_type, format_code = FORMATS[kind]
    request = DepositRequest(form(), content, PIERRE_TRAITS, DEMO_AUTHOR, filename=f"cr.{kind}")
    receipt = depositor.deposit(demo_doctor, request)

    assert re.fullmatch(rf"{re.escape(ROOT)}\.[0-9]+\.[1-9][0-9]*", receipt.unique_id)
    assert len(receipt.unique_id) <= 64
    entry = depositor.found(demo_doctor)[receipt.unique_id]
    assert entry.get(STATUS) == APPROVED
    assert _codes(entry, FORMAT) == {format_code}
    assert _body(depositor.stored_cda(demo_doctor, receipt.unique_id)) == (media_type, content)


def test_free_text_is_a_plain_text_document(depositor: Depositor, demo_doctor: Identity) -> None:
    text = "Patient vu ce jour. Poursuite du traitement. Revoir dans 3 mois."
    request = DepositRequest.free_text(form(), text, PIERRE_TRAITS, DEMO_AUTHOR)
    receipt = depositor.deposit(demo_doctor, request)
    stored = depositor.stored_cda(demo_doctor, receipt.unique_id)
    assert _body(stored) == ("text/plain", text.encode("utf-8"))


def test_windows_1252_text_reaches_the_dmp_in_utf8(
    depositor: Depositor, demo_doctor: Identity
) -> None:
    text = "Tension élevée à contrôler."
    request = DepositRequest(form(), text.encode("cp1252"), PIERRE_TRAITS, DEMO_AUTHOR)
    receipt = depositor.deposit(demo_doctor, request)
    assert _body(depositor.stored_cda(demo_doctor, receipt.unique_id)) == (
        "text/plain",
        text.encode("utf-8"),
    )


def test_a_replacement_deprecates_the_earlier_version(
    depositor: Depositor, demo_doctor: Identity
) -> None:
    first = depositor.deposit(
        demo_doctor, DepositRequest(form(), media.pdf(), PIERRE_TRAITS, DEMO_AUTHOR)
    )
    entry_uuid = depositor.found(demo_doctor)[first.unique_id].get("id", "")
    old_cda = depositor.stored_cda(demo_doctor, first.unique_id)
    replaced = ReplacedDocument.from_cda(old_cda, entry_uuid)
    corrected = form(title="Compte rendu de consultation (corrigé)")
    second = depositor.deposit(
        demo_doctor,
        DepositRequest(corrected, media.pdf(), PIERRE_TRAITS, DEMO_AUTHOR, replaces=replaced),
    )

    assert second.replaced == first.unique_id
    assert second.unique_id != first.unique_id
    entries = depositor.found(demo_doctor, (APPROVED, DEPRECATED))
    assert entries[first.unique_id].get(STATUS) == DEPRECATED
    assert entries[second.unique_id].get(STATUS) == APPROVED
    new_cda = etree.fromstring(depositor.stored_cda(demo_doctor, second.unique_id))
    old = etree.fromstring(old_cda)
    # CI-SIS: same setId, version + 1, the parent document's id.
    assert new_cda.find("hl7:setId", NS).get("root") == old.find("hl7:setId", NS).get("root")  # type: ignore[union-attr]
    assert old.find("hl7:versionNumber", NS).get("value") == "1"  # type: ignore[union-attr]
    assert new_cda.find("hl7:versionNumber", NS).get("value") == "2"  # type: ignore[union-attr]
    parent = new_cda.find("hl7:relatedDocument[@typeCode='RPLC']/hl7:parentDocument/hl7:id", NS)
    assert parent is not None
    assert parent.get("root") == first.unique_id


def test_replacing_a_deprecated_version_is_refused(
    depositor: Depositor, demo_doctor: Identity
) -> None:
    first = depositor.deposit(
        demo_doctor, DepositRequest(form(), media.pdf(), PIERRE_TRAITS, DEMO_AUTHOR)
    )
    entry_uuid = depositor.found(demo_doctor)[first.unique_id].get("id", "")
    replaced = ReplacedDocument.from_cda(
        depositor.stored_cda(demo_doctor, first.unique_id), entry_uuid
    )
    request = DepositRequest(form(), media.pdf(), PIERRE_TRAITS, DEMO_AUTHOR, replaces=replaced)
    depositor.deposit(demo_doctor, request)
    with pytest.raises(DmpRefusedError) as refused:
        depositor.deposit(demo_doctor, request)
    # The sandbox's code and text (docs/dmp-sandbox.md, "Deposits").
    assert refused.value.dmp_code == "XDSRegistryError"
    assert "non Approved" in refused.value.dmp_text
    assert refused.value.transaction == "TD2.1"


def test_an_author_structure_other_than_the_vihfs_is_refused_in_indirect_mode(
    depositor: Depositor, hospital: Identity
) -> None:
    # The hospital's VIHF states its structure 10B0307377; the author states the doctor's.
    request = DepositRequest(form(), media.pdf(), PIERRE_TRAITS, DEMO_AUTHOR)
    with pytest.raises(DmpRefusedError) as refused:
        depositor.deposit(hospital, request)
    assert refused.value.dmp_code == "XDSRegistryMetadataError"
    # The DMP's text as DevBox-Santé's FAQ quotes it.
    assert refused.value.dmp_text.startswith(
        "Aucun AuthorInstitution ne correspond à l'utilisateur du VIHF [Authentification Indirecte]"
    )


def test_the_hospitals_own_structure_as_author_is_accepted(
    depositor: Depositor, hospital: Identity, demo_doctor: Identity
) -> None:
    author = replace(
        DEMO_AUTHOR,
        structure_id="10B0307377",
        structure_name="CENTRE HOSPITALIER DE DEMO",
        sector="SA01",
    )
    request = DepositRequest(
        form(), media.pdf(), PIERRE_TRAITS, author, practice_setting="ETABLISSEMENT"
    )
    receipt = depositor.deposit(hospital, request)
    # Found by Pierre's treating physician, who sees every document of his DMP.
    assert receipt.unique_id in depositor.found(demo_doctor)


@pytest.mark.parametrize(
    ("visibility", "codes"),
    [
        (Visibility.NORMAL, {"N"}),
        (Visibility.HIDDEN_FROM_PROFESSIONALS, {"N", "MASQUE_PS"}),
        (Visibility.INVISIBLE_TO_PATIENT, {"N", "INVISIBLE_PATIENT"}),
        (Visibility.INVISIBLE_TO_LEGAL_REPRESENTATIVES, {"N", "INVISIBLE_REPRESENTANTS_LEGAUX"}),
    ],
)
def test_the_four_visibilities_are_stored_as_the_dmp_codes(
    depositor: Depositor, demo_doctor: Identity, visibility: Visibility, codes: set[str]
) -> None:
    request = DepositRequest(form(visibility=visibility), media.pdf(), PIERRE_TRAITS, DEMO_AUTHOR)
    receipt = depositor.deposit(demo_doctor, request)
    entry = depositor.found(demo_doctor)[receipt.unique_id]
    assert _codes(entry, CONFIDENTIALITY) == codes


def test_a_document_masked_from_professionals_is_hidden_from_the_nurse(
    depositor: Depositor, demo_doctor: Identity, nurse: Identity
) -> None:
    masked = depositor.deposit(
        demo_doctor,
        DepositRequest(
            form(visibility=Visibility.HIDDEN_FROM_PROFESSIONALS),
            media.pdf(),
            PIERRE_TRAITS,
            DEMO_AUTHOR,
        ),
    )
    plain = depositor.deposit(
        demo_doctor, DepositRequest(form(), media.pdf(), PIERRE_TRAITS, DEMO_AUTHOR)
    )
    assert depositor.dmp.call("TD0.3", set_authorization("AJOUT"), nurse).status == 200
    seen = depositor.found(nurse)
    assert plain.unique_id in seen
    assert masked.unique_id not in seen


@pytest.mark.parametrize("doc_type", [t for t in DOCUMENT_TYPES if t.known], ids=lambda t: t.code)
def test_every_known_type_of_the_form_is_accepted(
    depositor: Depositor, demo_doctor: Identity, doc_type: DocumentType
) -> None:
    assert doc_type.code is not None
    request = DepositRequest(
        form(type=doc_type.code, title=doc_type.label), media.pdf(), PIERRE_TRAITS, DEMO_AUTHOR
    )
    receipt = depositor.deposit(demo_doctor, request)
    assert receipt.unique_id in depositor.found(demo_doctor)
