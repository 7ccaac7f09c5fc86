"""Writing ebRIM 3.0 objects and the SubmissionSet, compared element by element with ebRIM
written out here by hand in the forms of IHE ITI TF-3 §4.2.3 and the ANS TD2.1 sample
(``LocalizedString charset="UTF8" xml:lang="FR"``; scheme and node UUIDs of ITI TF-3
§4.2.5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from cardbridge.cards import examples
from cardbridge.cards.models import Practitioner
from cardbridge.dmp.transactions import ebrim
from cardbridge.dmp.transactions.ebrim import Code
from cardbridge.dmp.transactions.submission import (
    Author,
    SubmissionSet,
    UniqueIdKind,
    add_author,
    add_submission_set,
    hl7_escape,
    new_submission_set,
    new_unique_id,
    submit_objects_request,
    utc_timestamp,
)
from tests.dmp.transactions.helpers import paris_time
from tests.dmp.transactions.samples import elements, parse
from tests.dmp.transactions.test_submission import (
    PIERRE_CX,
    SAMPLE_AUTHOR,
    SAMPLE_SPECIALTY,
    SAMPLE_XCN,
    SAMPLE_XON,
)

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
TYPE_CODE = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
SUBMISSION_AUTHOR = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"
DOCUMENT_UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
LOINC = "2.16.840.1.113883.6.1"


def _list() -> etree._Element:
    return etree.Element(f"{{{RIM}}}RegistryObjectList", nsmap={"rim": RIM})


def _expected(inner: str) -> etree._Element:
    return parse(
        f'<rim:RegistryObjectList xmlns:rim="{RIM}">{inner}</rim:RegistryObjectList>'.encode()
    )


def _value_list(*values: str) -> str:
    listed = "".join(f"<rim:Value>{escape(value)}</rim:Value>" for value in values)
    return f"<rim:ValueList>{listed}</rim:ValueList>"


def _name(value: str, tag: str = "Name") -> str:
    string = f'<rim:LocalizedString charset="UTF8" value="{value}" xml:lang="FR"/>'
    return f"<rim:{tag}>{string}</rim:{tag}>"


def test_a_slot_with_its_values_in_order() -> None:
    parent = _list()
    made = ebrim.slot(parent, "sourcePatientInfo", "PID-5|A", "PID-7|1955")
    assert made is parent[0]
    expected = _expected(
        f'<rim:Slot name="sourcePatientInfo">{_value_list("PID-5|A", "PID-7|1955")}</rim:Slot>'
    )
    assert elements(parent) == elements(expected)


def test_a_name_and_a_description_in_french() -> None:
    parent = _list()
    assert ebrim.localized(parent, "Name", "Compte rendu") is parent[0]
    ebrim.localized(parent, "Description", "Consultation")
    expected = _expected(_name("Compte rendu") + _name("Consultation", "Description"))
    assert elements(parent) == elements(expected)


def test_a_coded_classification() -> None:
    parent = _list()
    made = ebrim.classification(
        parent, TYPE_CODE, "Doc1", "cl1", Code("11488-4", LOINC, "CR de consultation")
    )
    assert made is parent[0]
    expected = _expected(
        f'<rim:Classification classificationScheme="{TYPE_CODE}" classifiedObject="Doc1"'
        ' id="cl1" nodeRepresentation="11488-4">'
        f'<rim:Slot name="codingScheme">{_value_list(LOINC)}</rim:Slot>'
        f"{_name('CR de consultation')}</rim:Classification>"
    )
    assert elements(parent) == elements(expected)


def test_an_uncoded_classification_has_an_empty_node_representation() -> None:
    # The author classification: IHE requires nodeRepresentation, empty (ITI TF-3 4.2.3.1.7).
    parent = _list()
    ebrim.classification(parent, SUBMISSION_AUTHOR, "SS1", "a1")
    expected = _expected(
        f'<rim:Classification classificationScheme="{SUBMISSION_AUTHOR}" classifiedObject="SS1"'
        ' id="a1" nodeRepresentation=""/>'
    )
    assert elements(parent) == elements(expected)


def test_an_external_identifier_with_its_ihe_name() -> None:
    parent = _list()
    made = ebrim.external_identifier(
        parent, DOCUMENT_UNIQUE_ID, "Doc1", "ei1", value="1.2.3", name="XDSDocumentEntry.uniqueId"
    )
    assert made is parent[0]
    expected = _expected(
        f'<rim:ExternalIdentifier id="ei1" identificationScheme="{DOCUMENT_UNIQUE_ID}"'
        ' registryObject="Doc1" value="1.2.3">'
        f"{_name('XDSDocumentEntry.uniqueId')}</rim:ExternalIdentifier>"
    )
    assert elements(parent) == elements(expected)


def test_an_association() -> None:
    parent = _list()
    made = ebrim.association(parent, HAS_MEMBER, "SS1", "Doc1", "as1")
    assert made is parent[0]
    expected = _expected(
        f'<rim:Association associationType="{HAS_MEMBER}" sourceObject="SS1"'
        ' targetObject="Doc1" id="as1"/>'
    )
    assert elements(parent) == elements(expected)


def test_the_author_with_a_role_has_the_samples_four_slots() -> None:
    parent = _list()
    add_author(parent, SUBMISSION_AUTHOR, "SS1", "a1", replace(SAMPLE_AUTHOR, role="Auteur"))
    expected = _expected(
        f'<rim:Classification classificationScheme="{SUBMISSION_AUTHOR}" classifiedObject="SS1"'
        ' id="a1" nodeRepresentation="">'
        f'<rim:Slot name="authorPerson">{_value_list(SAMPLE_XCN)}</rim:Slot>'
        f'<rim:Slot name="authorInstitution">{_value_list(SAMPLE_XON)}</rim:Slot>'
        f'<rim:Slot name="authorRole">{_value_list("Auteur")}</rim:Slot>'
        f'<rim:Slot name="authorSpecialty">{_value_list(SAMPLE_SPECIALTY)}</rim:Slot>'
        "</rim:Classification>"
    )
    assert elements(parent) == elements(expected)


def test_a_submission_request_goes_under_its_parent_or_stands_alone() -> None:
    alone = submit_objects_request()
    assert alone.tag == f"{{{RIM}}}RegistryObjectList"
    request = alone.getparent()
    assert request is not None
    assert request.tag == f"{{{LCM}}}SubmitObjectsRequest"
    assert request.getparent() is None
    wrapper = etree.Element("{urn:ihe:iti:xds-b:2007}ProvideAndRegisterDocumentSetRequest")
    objects = submit_objects_request(wrapper)
    assert [child.tag for child in wrapper] == [f"{{{LCM}}}SubmitObjectsRequest"]
    assert objects.getparent() is wrapper[0]


def test_the_title_and_comment_of_a_submission_set() -> None:
    submission = new_submission_set(
        lps_oid_root="2.999",
        patient_cx=PIERRE_CX,
        author=SAMPLE_AUTHOR,
        now=datetime(2021, 6, 4, 14, 50, 51, tzinfo=UTC),
        title="lot du document originel",
        comment="Envoi",
    )
    package = add_submission_set(submit_objects_request(), submission)
    assert [etree.QName(child).localname for child in package][:3] == [
        "Slot",
        "Name",
        "Description",
    ]
    expected = _expected(_name("lot du document originel") + _name("Envoi", "Description"))
    assert elements(package[1]) == elements(expected[0])
    assert elements(package[2]) == elements(expected[1])


def test_a_submission_set_without_title_nor_comment_has_neither() -> None:
    submission = new_submission_set(
        lps_oid_root="2.999",
        patient_cx=PIERRE_CX,
        author=SAMPLE_AUTHOR,
        now=datetime(2021, 6, 4, 14, 50, 51, tzinfo=UTC),
    )
    package = add_submission_set(submit_objects_request(), submission)
    assert package.find(f"{{{RIM}}}Name") is None
    assert package.find(f"{{{RIM}}}Description") is None


def test_every_hl7_v2_delimiter_is_escaped() -> None:
    # HL7 v2.5 §2.7.4: \F\ field, \S\ component, \T\ subcomponent, \R\ repetition, \E\ escape.
    assert hl7_escape("a|b^c&d~e\\f") == "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f"


# --- the author from the CPS ------------------------------------------------------------


def _practitioner(**changes: object) -> Practitioner:
    return Practitioner.model_validate({**examples.PRACTITIONER, **changes})


def test_the_author_from_the_cps_in_its_situation() -> None:
    practitioner = _practitioner()
    author = Author.from_card(practitioner, practitioner.situations[0])
    # G15 professions (1.2.250.1.71.1.2.7); authorSpecialty codes (1.2.250.1.213.1.1.4.5).
    assert author == Author(
        national_id="899700735741",
        last_name="LE QUINIO",
        first_name="PIERRE",
        profession=Code("10", "1.2.250.1.71.1.2.7", "Médecin"),
        specialty=Code("SM26", "1.2.250.1.213.1.1.4.5", "Qualifié en Médecine générale (SM)"),
        structure_id="499700735741008",
        structure_name="CABINET DR LE QUINIO",
        sector="SA07",
    )
    # R02 sectors (1.2.250.1.71.4.2.4): SA07 is "Cabinet individuel".
    assert author.sector_code == Code("SA07", "1.2.250.1.71.4.2.4", "Cabinet individuel")


def test_an_author_without_speciality_nor_labels() -> None:
    practitioner = _practitioner(
        profession={"code": "60", "label": None}, specialty={"code": "XX99", "label": None}
    )
    author = Author.from_card(practitioner, practitioner.situations[0])
    assert author.profession == Code("60", "1.2.250.1.71.1.2.7", "60")
    assert author.specialty == Code("XX99", "1.2.250.1.213.1.1.4.5", "XX99")
    nurse = _practitioner(profession={"code": "60", "label": "Infirmier"}, specialty=None)
    without = Author.from_card(nurse, nurse.situations[0])
    assert without.specialty is None
    assert without.specialty_value == "G15_60^Infirmier^1.2.250.1.213.1.1.4.5"


def test_an_unknown_sector_is_its_own_label() -> None:
    author = replace(SAMPLE_AUTHOR, sector="SA99")
    assert author.sector_code == Code("SA99", "1.2.250.1.71.4.2.4", "SA99")


def test_a_submission_set_from_the_settings_root() -> None:
    submission = new_submission_set(
        lps_oid_root="1.2.250.1.999.1.1.7898",
        patient_cx=PIERRE_CX,
        author=SAMPLE_AUTHOR,
        now=datetime(2021, 6, 4, 14, 50, 51, tzinfo=UTC),
    )
    assert submission.source_id == "1.2.250.1.999.1.1.7898"
    assert submission.unique_id.startswith("1.2.250.1.999.1.1.7898.1.")
    assert submission.content_type == Code("SA07", "1.2.250.1.71.4.2.4", "Cabinet individuel")
    assert (submission.title, submission.comment, submission.entry_id) == (
        None,
        None,
        "SubmissionSet01",
    )
    other = Code("04", "1.2.250.1.213.2.2", "Hospitalisation de jour")
    chosen = new_submission_set(
        lps_oid_root="2.999",
        patient_cx=PIERRE_CX,
        author=SAMPLE_AUTHOR,
        now=datetime(2021, 6, 4, tzinfo=UTC),
        content_type=other,
    )
    assert chosen.content_type == other


@pytest.mark.parametrize(
    ("root", "digits"),
    [
        ("2.999", 38),  # "2.999.3." leaves 56 of the 64 characters: 38 digits at most
        ("1." + "2" * 46, 13),  # a prefix of 51 characters leaves 13
        ("1." + "2" * 47, 12),  # a prefix of 52 characters leaves 12, the least allowed
    ],
)
def test_the_random_part_takes_the_room_left(root: str, digits: int) -> None:
    made = new_unique_id(root, UniqueIdKind.DOCUMENT)
    random_part = made.removeprefix(f"{root}.3.")
    assert random_part.isdigit()
    assert random_part[0] != "0"
    assert len(random_part) == digits


def test_a_root_leaving_eleven_digits_is_refused() -> None:
    with pytest.raises(ValueError, match="too long for 64-character uniqueIds"):
        new_unique_id("1." + "2" * 48, UniqueIdKind.SIGNATURE)


def test_the_kinds_of_unique_ids() -> None:
    assert new_unique_id("2.999", UniqueIdKind.SUBMISSION_SET).startswith("2.999.1.")
    assert new_unique_id("2.999", UniqueIdKind.SIGNATURE).startswith("2.999.4.")


def test_a_time_is_written_in_utc() -> None:
    paris = timezone(timedelta(hours=2))
    assert utc_timestamp(datetime(2021, 6, 4, 0, 30, tzinfo=paris)) == "20210603223000"


SUBMISSION_SET = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
CONTENT_TYPE = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500"


def _external(scheme: str, key: str, value: str, name: str) -> str:
    return (
        f'<rim:ExternalIdentifier id="SubmissionSet01-{key}" identificationScheme="{scheme}"'
        f' registryObject="SubmissionSet01" value="{escape(value)}">{_name(name)}'
        "</rim:ExternalIdentifier>"
    )


def test_the_submission_set_element_by_element() -> None:
    submission = SubmissionSet(
        unique_id="2.999.1.123456789012",
        source_id="2.999",
        patient_cx=PIERRE_CX,
        author=SAMPLE_AUTHOR,
        submitted=datetime(2021, 6, 4, 14, 50, 51, tzinfo=UTC),
        content_type=Code("SA07", "1.2.250.1.71.4.2.4", "Cabinet individuel"),
        title="Lot",
    )
    package = add_submission_set(submit_objects_request(), submission)
    expected = _expected(
        '<rim:RegistryPackage id="SubmissionSet01">'
        f'<rim:Slot name="submissionTime">{_value_list("20210604145051")}</rim:Slot>'
        f"{_name('Lot')}"
        f'<rim:Classification classificationScheme="{SUBMISSION_AUTHOR}"'
        ' classifiedObject="SubmissionSet01" id="SubmissionSet01-author" nodeRepresentation="">'
        f'<rim:Slot name="authorPerson">{_value_list(SAMPLE_XCN)}</rim:Slot>'
        f'<rim:Slot name="authorInstitution">{_value_list(SAMPLE_XON)}</rim:Slot>'
        f'<rim:Slot name="authorSpecialty">{_value_list(SAMPLE_SPECIALTY)}</rim:Slot>'
        "</rim:Classification>"
        f'<rim:Classification classificationScheme="{CONTENT_TYPE}"'
        ' classifiedObject="SubmissionSet01" id="SubmissionSet01-contentType"'
        ' nodeRepresentation="SA07">'
        f'<rim:Slot name="codingScheme">{_value_list("1.2.250.1.71.4.2.4")}</rim:Slot>'
        f"{_name('Cabinet individuel')}</rim:Classification>"
        f'<rim:Classification classificationNode="{SUBMISSION_SET}"'
        ' classifiedObject="SubmissionSet01" id="SubmissionSet01-node"/>'
        + _external(
            "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446",
            "submissionPatientId",
            PIERRE_CX,
            "XDSSubmissionSet.patientId",
        )
        + _external(
            "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832",
            "submissionSourceId",
            "2.999",
            "XDSSubmissionSet.sourceId",
        )
        + _external(
            "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8",
            "submissionUniqueId",
            "2.999.1.123456789012",
            "XDSSubmissionSet.uniqueId",
        )
        + "</rim:RegistryPackage>"
    )
    assert elements(package) == elements(expected[0])


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^XDS times are written from timezone-aware datetimes$"):
        utc_timestamp(datetime(2021, 6, 4, 14, 50, 51))


def test_a_time_is_written_in_utc_on_a_paris_workstation() -> None:
    with paris_time():
        written = utc_timestamp(
            datetime(2021, 6, 4, 16, 50, 51, tzinfo=timezone(timedelta(hours=2)))
        )
    assert written == "20210604145051"
