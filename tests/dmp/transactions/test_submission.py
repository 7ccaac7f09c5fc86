"""The SubmissionSet builder, against the ANS TD2.1 sample's values (docs/dmp-client.md)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from cardbridge.dmp.transactions.ebrim import Code
from cardbridge.dmp.transactions.submission import (
    Author,
    UniqueIdKind,
    add_member,
    add_submission_set,
    new_submission_set,
    new_unique_id,
    submit_objects_request,
)

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
NS = {"rim": RIM}
# The ANS sample "TD2.1 - Alimentation_requête.xml": its author, written as it shows them.
SAMPLE_XCN = "899900063480^MAX^LIBRE^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"
SAMPLE_XON = "CABINET DR LIBRE^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^499900063480001"
SAMPLE_SPECIALTY = "G15_10/SM26^Médecin - Qualifié en Médecine Générale (SM)^1.2.250.1.213.1.1.4.5"
PIERRE_CX = "155067200010159^^^&1.2.250.1.213.1.4.10&ISO^NH"

SAMPLE_AUTHOR = Author(
    national_id="899900063480",
    last_name="MAX",
    first_name="LIBRE",
    profession=Code("10", "1.2.250.1.71.1.2.7", "Médecin"),
    specialty=Code("SM26", "1.2.250.1.71.4.2.5", "Qualifié en Médecine Générale (SM)"),
    structure_id="499900063480001",
    structure_name="CABINET DR LIBRE",
    sector="SA07",
)


def test_author_forms_are_the_ans_samples() -> None:
    assert SAMPLE_AUTHOR.xcn == SAMPLE_XCN
    assert SAMPLE_AUTHOR.xon == SAMPLE_XON
    assert SAMPLE_AUTHOR.specialty_value == SAMPLE_SPECIALTY


def test_hl7_delimiters_in_names_are_escaped() -> None:
    author = replace(SAMPLE_AUTHOR, structure_name="A&B^C")
    assert author.xon.startswith("A\\T\\B\\S\\C^^^^^&")


def _values(package: etree._Element, xpath: str) -> list[str]:
    return [str(v) for v in package.xpath(xpath, namespaces=NS)]


def test_submission_set_states_what_ihe_and_the_dmp_sample_require() -> None:
    paris = timezone(timedelta(hours=1))
    submission = new_submission_set(
        lps_oid_root="1.2.250.1.999.1.1.7898",
        patient_cx=PIERRE_CX,
        author=SAMPLE_AUTHOR,
        now=datetime(2021, 6, 4, 15, 50, 51, tzinfo=paris),
        title="lot du document originel",
    )
    objects = submit_objects_request()
    package = add_submission_set(objects, submission)
    add_member(objects, submission, "Document01")

    assert _values(package, "rim:Slot[@name='submissionTime']/rim:ValueList/rim:Value/text()") == [
        "20210604145051"
    ]
    node = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
    assert package.xpath(f"rim:Classification[@classificationNode='{node}']", namespaces=NS)
    author = package.xpath(
        "rim:Classification[@classificationScheme='urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d']",
        namespaces=NS,
    )[0]
    slot = "rim:Slot[@name='{}']/rim:ValueList/rim:Value/text()"
    assert _values(author, slot.format("authorPerson")) == [SAMPLE_XCN]
    assert _values(author, slot.format("authorInstitution")) == [SAMPLE_XON]
    assert _values(author, slot.format("authorSpecialty")) == [SAMPLE_SPECIALTY]
    content = package.xpath(
        "rim:Classification[@classificationScheme='urn:uuid:aa543740-bdda-424e-8c96-df4873be8500']",
        namespaces=NS,
    )[0]
    assert content.get("nodeRepresentation") == "SA07"

    def identifier(scheme: str) -> str:
        return str(
            package.xpath(
                f"rim:ExternalIdentifier[@identificationScheme='{scheme}']/@value", namespaces=NS
            )[0]
        )

    assert identifier("urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446") == PIERRE_CX
    assert identifier("urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832") == "1.2.250.1.999.1.1.7898"
    unique_id = identifier("urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8")
    assert re.fullmatch(r"1\.2\.250\.1\.999\.1\.1\.7898\.1\.[1-9][0-9]+", unique_id)
    assert len(unique_id) <= 64
    member = objects.find(f"{{{RIM}}}Association")
    assert member is not None
    assert (
        member.get("associationType") == "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
    )
    assert (member.get("sourceObject"), member.get("targetObject")) == (
        "SubmissionSet01",
        "Document01",
    )


@pytest.mark.parametrize("root", ["2.999", "1.2.250.1.999.1.1.7898", "1." + "2" * 38])
def test_unique_ids_are_oids_of_at_most_64_characters_and_differ(root: str) -> None:
    made = {new_unique_id(root, UniqueIdKind.DOCUMENT) for _ in range(200)}
    assert len(made) == 200
    for unique_id in made:
        assert len(unique_id) <= 64
        assert re.fullmatch(r"(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+", unique_id)
        assert unique_id.startswith(f"{root}.3.")


def test_a_root_leaving_no_room_is_refused() -> None:
    with pytest.raises(ValueError, match="too long"):
        new_unique_id("1." + "2" * 50, UniqueIdKind.DOCUMENT)


def test_naive_times_are_refused() -> None:
    submission = new_submission_set(
        lps_oid_root="2.999",
        patient_cx=PIERRE_CX,
        author=SAMPLE_AUTHOR,
        now=datetime(2021, 6, 4, 15, 50, 51),
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        add_submission_set(submit_objects_request(), submission)
