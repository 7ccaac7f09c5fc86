"""Reading one XDS DocumentEntry of a TD3.1 answer, written here in the shape of the ANS
sample (tests/dmp/transactions/answers/td31-entry.xml), part by part: statuses (ebRIM's
and the ASIP's), codes and their labels (TRE_A03 classes, the DMP's LOINC types),
visibility (TRE_A07 ``1.2.250.1.213.1.1.4.13``), authors as XCN and XON (HL7 v2.5)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from cardbridge.dmp.results import CodeRef, DocumentEntry, DocumentStatus
from cardbridge.dmp.transactions.entries import (
    document_entries,
    organisation_name,
    person_name,
    read_entry,
)
from cardbridge.errors import DmpAnswerError

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
ENTRY = (Path(__file__).parent / "answers" / "td31-entry.xml").read_text()
UNIQUE_ID = (
    '<rim:ExternalIdentifier identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"'
    ' value="1.2.3.4" registryObject="x" id="e1"/>'
)
APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
CONFIDENTIALITY = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
AUTHOR = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
MASKED = (
    f'<rim:Classification classificationScheme="{CONFIDENTIALITY}"\n'
    '      classifiedObject="x" nodeRepresentation="MASQUE_PS" id="a4">\n'
    '    <rim:Slot name="codingScheme"><rim:ValueList><rim:Value>1.2.250.1.213.1.1.4.13'
    "</rim:Value></rim:ValueList></rim:Slot>\n  </rim:Classification>"
)
CLASS_NAME = '\n    <rim:Name><rim:LocalizedString value="Libellé du DMP"/></rim:Name>'


def _xml(extra: str = "", **changes: str) -> str:
    values = {
        "status": APPROVED,
        "created": "20190221123445",
        "size": "1234",
        "class_code": "10",
        "unique_id": UNIQUE_ID + extra,
    }
    values.update(changes)
    entry = ENTRY.format(**values)
    return f'<rim:RegistryObjectList xmlns:rim="{RIM}">{entry}</rim:RegistryObjectList>'


def _element(text: str) -> etree._Element:
    entry = etree.fromstring(text.encode()).find(f"{{{RIM}}}ExtrinsicObject")
    assert entry is not None
    return entry


def _read(extra: str = "", replace: tuple[str, str] | None = None, **changes: str) -> DocumentEntry:
    text = _xml(extra, **changes)
    if replace is not None:
        assert text.count(replace[0]) == 1, replace[0]
        text = text.replace(*replace)
    return read_entry(_element(text))


@pytest.mark.parametrize(
    ("wire", "status"),
    [
        (APPROVED, DocumentStatus.APPROVED),
        ("urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated", DocumentStatus.DEPRECATED),
        ("urn:asip:ci-sis:2010:StatusType:Archived", DocumentStatus.ARCHIVED),
        ("urn:asip:ci-sis:2010:StatusType:Deleted", DocumentStatus.DELETED),
    ],
)
def test_each_status_of_the_registry(wire: str, status: DocumentStatus) -> None:
    assert _read(status=wire).status is status


def test_the_codes_with_their_systems_and_labels() -> None:
    entry = _read()
    # The class's label as the DMP wrote it; the type's from the DMP's list (JDV_J07).
    assert entry.class_code == CodeRef(
        code="10", system="1.2.250.1.213.1.1.4.1", label="Libellé du DMP"
    )
    assert entry.type == CodeRef(
        code="11488-4", system="2.16.840.1.113883.6.1", label="CR de consultation"
    )
    assert (entry.format, entry.practice_setting, entry.healthcare_facility) == (None, None, None)


def test_a_class_without_label_takes_the_tre_a03_one() -> None:
    entry = _read(replace=(CLASS_NAME, ""))
    assert entry.class_code == CodeRef(
        code="10", system="1.2.250.1.213.1.1.4.1", label="Compte rendu"
    )


def test_a_class_of_another_system_gets_no_label() -> None:
    entry = _read(replace=(CLASS_NAME, ""), class_code='10" foo="')
    assert entry.class_code is not None
    assert entry.class_code.label == "Compte rendu"
    other = _read(
        replace=(
            "<rim:Value>1.2.250.1.213.1.1.4.1</rim:Value></rim:ValueList></rim:Slot>" + CLASS_NAME,
            "<rim:Value>9.9.9</rim:Value></rim:ValueList></rim:Slot>",
        )
    )
    assert other.class_code == CodeRef(code="10", system="9.9.9", label=None)


def test_a_type_unknown_to_the_dmps_list_gets_no_label() -> None:
    entry = _read(replace=('nodeRepresentation="11488-4"', 'nodeRepresentation="99999-9"'))
    assert entry.type == CodeRef(code="99999-9", system="2.16.840.1.113883.6.1", label=None)


def test_a_code_without_coding_scheme_has_an_empty_system() -> None:
    entry = _read(
        replace=(
            '<rim:Slot name="codingScheme"><rim:ValueList><rim:Value>2.16.840.1.113883.6.1'
            "</rim:Value></rim:ValueList></rim:Slot>",
            "",
        )
    )
    assert entry.type == CodeRef(code="11488-4", system="", label=None)


def test_each_visibility_code_of_the_dmp() -> None:
    entry = _read(
        "".join(
            f'<rim:Classification classificationScheme="{CONFIDENTIALITY}" classifiedObject="x"'
            f' nodeRepresentation="{code}" id="v{n}"><rim:Slot name="codingScheme"><rim:ValueList>'
            "<rim:Value>1.2.250.1.213.1.1.4.13</rim:Value></rim:ValueList></rim:Slot>"
            "</rim:Classification>"
            for n, code in enumerate(("INVISIBLE_PATIENT", "INVISIBLE_REPRESENTANTS_LEGAUX"))
        ),
        replace=(MASKED, ""),
    )
    visibility = entry.visibility
    assert (
        visibility.masked_from_professionals,
        visibility.invisible_to_patient,
        visibility.invisible_to_guardians,
    ) == (False, True, True)


def test_a_visibility_code_under_another_system_is_not_one() -> None:
    entry = _read(replace=("1.2.250.1.213.1.1.4.13", "2.16.840.1.113883.5.25"))
    assert entry.visibility.masked_from_professionals is False


def test_every_author_is_named_and_the_first_structure_kept() -> None:
    second = (
        f'<rim:Classification classificationScheme="{AUTHOR}" classifiedObject="x"'
        ' nodeRepresentation="" id="a9"><rim:Slot name="authorPerson"><rim:ValueList>'
        "<rim:Value/><rim:Value>810000000001^SOIGNANT^Anne</rim:Value></rim:ValueList></rim:Slot>"
        '<rim:Slot name="authorInstitution"><rim:ValueList>'
        "<rim:Value>AUTRE^^^^^&amp;1.2.250.1.71.4.2.2&amp;ISO^IDNST^^^1</rim:Value>"
        "</rim:ValueList></rim:Slot></rim:Classification>"
    )
    entry = _read(second)
    assert entry.author_names == ["LIBRE MAX", "Anne SOIGNANT"]
    assert entry.author_structure == "CABINET MAX"


def test_a_structure_is_taken_from_a_later_author_when_the_first_has_none() -> None:
    entry = _read(
        f'<rim:Classification classificationScheme="{AUTHOR}" classifiedObject="x"'
        ' nodeRepresentation="" id="a9"><rim:Slot name="authorInstitution"><rim:ValueList>'
        "<rim:Value>^^^^^&amp;1.2.250.1.71.4.2.2&amp;ISO^IDNST^^^499900063480001</rim:Value>"
        "</rim:ValueList></rim:Slot></rim:Classification>",
        replace=(
            "<rim:Value>CABINET MAX^^^^^&amp;1.2.250.1.71.4.2.2&amp;ISO^IDNST^^^499900063480001"
            "</rim:Value>",
            "<rim:Value/>",
        ),
    )
    assert entry.author_structure == "499900063480001"


@pytest.mark.parametrize(
    ("xcn", "name"),
    [
        ("899900063480^MAX^LIBRE^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS", "LIBRE MAX"),
        ("899900063480^MAX", "MAX"),
        ("899900063480^^LIBRE", "LIBRE"),
        ("899900063480", "899900063480"),
        ("899900063480^^^^", "899900063480"),
    ],
)
def test_a_persons_name_from_an_xcn(xcn: str, name: str) -> None:
    assert person_name(xcn) == name


@pytest.mark.parametrize(
    ("xon", "name"),
    [
        ("CABINET MAX^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^499900063480001", "CABINET MAX"),
        ("^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^499900063480001", "499900063480001"),
        ("^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^", ""),
    ],
)
def test_a_structures_name_from_an_xon(xon: str, name: str) -> None:
    assert organisation_name(xon) == name


def test_optional_parts_absent() -> None:
    entry = _read(
        replace=('<rim:VersionInfo versionName="1"/>', ""),
    )
    assert entry.version is None
    bare = _read(
        replace=(
            '<rim:Slot name="hash"><rim:ValueList><rim:Value>'
            "da39a3ee5e6b4b0d3255bfef95601890afd80709</rim:Value></rim:ValueList></rim:Slot>",
            "",
        )
    )
    assert (bare.sha1, bare.service_stop, bare.media_type) == (None, None, "text/xml")


def test_a_missing_size_and_media_type() -> None:
    text = _xml().replace('mimeType="text/xml" ', "")
    text = text.replace(
        '<rim:Slot name="size"><rim:ValueList><rim:Value>1234</rim:Value>'
        "</rim:ValueList></rim:Slot>",
        "",
    )
    entry = read_entry(_element(text))
    assert (entry.size, entry.media_type) == (None, "")


def test_a_service_stop_time_is_read() -> None:
    entry = _read(
        '<rim:Slot name="serviceStopTime"><rim:ValueList><rim:Value>20190222</rim:Value>'
        "</rim:ValueList></rim:Slot>"
    )
    assert entry.service_stop == dt.datetime(2019, 2, 22, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("changes", "replace", "message"),
    [
        ({"unique_id": ""}, None, "The DMP listed a document without its identifiers."),
        (
            {},
            (
                '<rim:ExtrinsicObject id="urn:uuid:1b4c6f2a-0000-4000-8000-000000000001"',
                "<rim:ExtrinsicObject",
            ),
            "The DMP listed a document without its identifiers.",
        ),
        ({"status": "urn:x:Unknown"}, None, "The DMP listed a document with an unknown status."),
        ({"size": "12ko"}, None, "The DMP sent a document size that is not a number ('12ko')."),
        (
            {"size": "1" * 30 + "x"},
            None,
            f"The DMP sent a document size that is not a number ({'1' * 20!r}).",
        ),
    ],
    ids=["no unique id", "no entry uuid", "status", "size", "long size"],
)
def test_an_unreadable_entry_says_what(
    changes: dict[str, str], replace: tuple[str, str] | None, message: str
) -> None:
    with pytest.raises(DmpAnswerError) as error:
        _read(replace=replace, **changes)
    assert error.value.message == message


def test_the_entries_of_a_query_answer() -> None:
    answer = etree.fromstring(
        (
            f'<query:AdhocQueryResponse xmlns:query="{QUERY}" xmlns:rim="{RIM}" status="x">'
            f"{_xml()}</query:AdhocQueryResponse>"
        ).encode()
    )
    (entry,) = document_entries(answer)
    assert entry.get("id") == "urn:uuid:1b4c6f2a-0000-4000-8000-000000000001"


def test_another_answer_has_no_entries() -> None:
    with pytest.raises(DmpAnswerError) as error:
        document_entries(etree.fromstring(_xml().encode()))
    assert error.value.message == "The DMP's TD3.1 answer is not an AdhocQueryResponse."


FORMAT = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"
PRACTICE = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead"
FACILITY = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1"


def _classification(scheme: str, code: str | None, system: str, label: str | None) -> str:
    node = "" if code is None else f' nodeRepresentation="{code}"'
    name = "" if label is None else f'<rim:Name><rim:LocalizedString value="{label}"/></rim:Name>'
    return (
        f'<rim:Classification classificationScheme="{scheme}" classifiedObject="x"{node} id="k">'
        f'<rim:Slot name="codingScheme"><rim:ValueList><rim:Value>{system}</rim:Value>'
        f"</rim:ValueList></rim:Slot>{name}</rim:Classification>"
    )


def test_format_practice_setting_and_facility_are_read() -> None:
    entry = _read(
        _classification(FORMAT, "urn:ihe:iti:xds-sd:pdf:2008", "1.3.6.1.4.1.19376.1.2.3", "PDF")
        + _classification(PRACTICE, "AMBULATOIRE", "1.2.250.1.213.1.1.4.9", "Ambulatoire")
        + _classification(FACILITY, "SA07", "1.2.250.1.71.4.2.4", "Cabinet individuel")
    )
    assert entry.format == CodeRef(
        code="urn:ihe:iti:xds-sd:pdf:2008", system="1.3.6.1.4.1.19376.1.2.3", label="PDF"
    )
    assert entry.practice_setting == CodeRef(
        code="AMBULATOIRE", system="1.2.250.1.213.1.1.4.9", label="Ambulatoire"
    )
    assert entry.healthcare_facility == CodeRef(
        code="SA07", system="1.2.250.1.71.4.2.4", label="Cabinet individuel"
    )


def test_a_classification_without_node_representation_has_an_empty_code() -> None:
    entry = _read(_classification(FORMAT, None, "1.3.6.1.4.1.19376.1.2.3", "PDF"))
    assert entry.format == CodeRef(code="", system="1.3.6.1.4.1.19376.1.2.3", label="PDF")


def test_only_the_type_takes_a_label_from_the_types_list() -> None:
    # A format coded like a LOINC type stays without label: the list names types only.
    entry = _read(_classification(FORMAT, "11488-4", "2.16.840.1.113883.6.1", None))
    assert entry.format == CodeRef(code="11488-4", system="2.16.840.1.113883.6.1", label=None)


def test_an_entry_without_author_has_no_structure() -> None:
    start = ENTRY.index(f'<rim:Classification classificationScheme="{AUTHOR}"')
    end = ENTRY.index("</rim:Classification>", start) + len("</rim:Classification>")
    text = _xml().replace(ENTRY[start:end], "")
    entry = read_entry(_element(text))
    assert (entry.author_names, entry.author_structure) == ([], None)
